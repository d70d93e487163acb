import { describe, expect, it } from 'vitest';
import { detectDocumentMime } from '../../../../shared/domain/documents';
import { buildDicom, CT_GRADIENT, ctGradient16, jpegCompressedDicom, MULTI_FRAME, multiFrame8, TRANSFER_SYNTAX } from '../../../../shared/test-fixtures/dicom';
import { decodeDicom, DicomDecodeError } from './decode';
import { autoWindow, CT_PRESETS, dragWindow, initialWindow, rgbToRgba, voiLinear, windowToRgba } from './window';

function decodeError(bytes: Uint8Array): DicomDecodeError {
  try {
    decodeDicom(bytes);
  } catch (e) {
    if (e instanceof DicomDecodeError) return e;
    throw e;
  }
  throw new Error('decoded without error');
}

describe('DICOM fixtures', () => {
  it('pass the server’s content check (DICM at offset 128)', () => {
    for (const f of [ctGradient16(), multiFrame8(), jpegCompressedDicom()]) {
      expect(detectDocumentMime(f.subarray(0, 132))).toBe('application/dicom');
    }
  });
});

describe('decodeDicom', () => {
  it('decodes a signed 16-bit single frame with rescale slope/intercept and the file’s window', () => {
    const img = decodeDicom(ctGradient16());
    expect(img).toMatchObject({ rows: 64, columns: 64, frameCount: 1, photometric: 'MONOCHROME2', bitsAllocated: 16, signed: true, slope: 1, intercept: -1024 });
    expect(img.windows).toEqual([{ center: CT_GRADIENT.windowCenter, width: CT_GRADIENT.windowWidth }]);
    expect(img.meta).toMatchObject({ modality: 'CT', patientName: 'Phantom Gradient' });
    const f = img.frame(0);
    expect(f).toHaveLength(64 * 64);
    expect(f[0]).toBe(-1024); // stored 0
    expect(f[1]).toBe(-1024 + 16); // row 0, column 1
    expect(f[64 * 10 + 5]).toBe(-1024 + 15 * 16); // row 10, column 5
    expect(f[64 * 64 - 1]).toBe(-1024 + 126 * 16);
  });

  it('applies a non-unit slope and reads negative stored values', () => {
    const img = decodeDicom(ctGradient16({ rescaleSlope: 2, rescaleIntercept: 10, pixel: (_f, r, c) => (r === 0 && c === 0 ? -5 : c) }));
    expect(img.frame(0)[0]).toBe(-5 * 2 + 10);
    expect(img.frame(0)[3]).toBe(3 * 2 + 10);
  });

  it('reads the same image from implicit and explicit little endian (and big endian)', () => {
    const ref = decodeDicom(ctGradient16()).frame(0);
    for (const ts of [TRANSFER_SYNTAX.implicitLittle, TRANSFER_SYNTAX.explicitBig]) {
      const img = decodeDicom(ctGradient16({ transferSyntax: ts }));
      expect(img.transferSyntax).toBe(ts);
      expect(Array.from(img.frame(0))).toEqual(Array.from(ref));
    }
  });

  it('masks BitsStored and sign-extends 12-bit signed data', () => {
    // 12 bits stored in 16: 0xF000 bits are overlay noise; 0x0FFF is −1 when signed.
    const img = decodeDicom(buildDicom({ rows: 1, columns: 3, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1, pixel: (_f, _r, c) => [0xf001, 0x0fff, 0x07ff][c]! - (c === 0 ? 0x10000 : 0) }));
    expect(Array.from(img.frame(0))).toEqual([1, -1, 2047]);
    const unsigned = decodeDicom(buildDicom({ rows: 1, columns: 2, bitsAllocated: 16, bitsStored: 12, pixel: (_f, _r, c) => [0xf123, 0x0fff][c]! }));
    expect(Array.from(unsigned.frame(0))).toEqual([0x123, 4095]);
  });

  it('counts the frames of a multi-frame 8-bit image and gives each its own pixels', () => {
    const img = decodeDicom(multiFrame8());
    expect(img.frameCount).toBe(MULTI_FRAME.frames);
    expect(img.bitsAllocated).toBe(8);
    expect(img.windows).toEqual([]);
    const rows = Array.from({ length: MULTI_FRAME.frames }, (_, k) => Array.from(img.frame(k).subarray(0, MULTI_FRAME.columns)));
    expect(rows[0]!.slice(0, 4)).toEqual([255, 0, 255, 0]);
    expect(rows[1]!.slice(0, 4)).toEqual([255, 255, 0, 0]);
    expect(new Set(rows.map((r) => r.join())).size).toBe(MULTI_FRAME.frames);
    // Out-of-range indexes clamp rather than read past the data.
    expect(img.frame(99)).toBe(img.frame(MULTI_FRAME.frames - 1));
  });

  it('shows the frames a file holds when it claims more', () => {
    const bytes = multiFrame8();
    // Rewrite NumberOfFrames "5 " to "9 " in place.
    const at = bytes.findIndex((b, i) => b === 0x28 && bytes[i + 1] === 0 && bytes[i + 2] === 0x08 && bytes[i + 3] === 0 && i > 132);
    bytes[at + 8] = '9'.charCodeAt(0);
    expect(decodeDicom(bytes).frameCount).toBe(5);
  });

  it('decodes RGB, interleaved and planar', () => {
    const colour = (_f: number, r: number, c: number, s: number) => [r * 10, c * 10, 200][s]!;
    for (const planarConfiguration of [0, 1] as const) {
      const img = decodeDicom(buildDicom({ rows: 2, columns: 2, bitsAllocated: 8, samplesPerPixel: 3, planarConfiguration, pixel: colour }));
      expect(img.photometric).toBe('RGB');
      expect(Array.from(img.frame(0))).toEqual([0, 0, 200, 0, 10, 200, 10, 0, 200, 10, 10, 200]);
    }
  });

  it('keeps MONOCHROME1 for the renderer to invert', () => {
    const img = decodeDicom(multiFrame8({ photometric: 'MONOCHROME1' }));
    expect(img.photometric).toBe('MONOCHROME1');
  });

  it('refuses a JPEG-compressed file, naming the syntax', () => {
    const e = decodeError(jpegCompressedDicom());
    expect(e.code).toBe('UNSUPPORTED_SYNTAX');
    expect(e.detail).toContain('JPEG Baseline');
    expect(e.detail).toContain('1.2.840.10008.1.2.4.50');
  });

  it('refuses non-DICOM and truncated bytes without throwing anything else', () => {
    expect(decodeError(new Uint8Array(200)).code).toBe('NOT_DICOM');
    const full = ctGradient16();
    expect(['TRUNCATED', 'NO_PIXEL_DATA']).toContain(decodeError(full.subarray(0, full.length - 2000)).code);
  });
});

describe('window/level', () => {
  it('follows the DICOM linear VOI function', () => {
    const w = { center: 40, width: 400 };
    expect(voiLinear(-200, w)).toBe(0);
    expect(voiLinear(300, w)).toBe(255);
    expect(voiLinear(39.5, w)).toBeCloseTo(127.5, 5);
    expect(voiLinear(-160 + 0.001, w)).toBeCloseTo(0, 1);
    expect(voiLinear(239, w)).toBeCloseTo(255, 0);
    expect(voiLinear(-160, w)).toBe(0);
  });

  it('maps a frame to RGBA, inverts on request, and a different window gives different pixels', () => {
    const values = Float32Array.from([-1024, 0, 40, 1000]);
    const soft = windowToRgba(values, { center: 40, width: 400 }, false);
    expect(Array.from(soft)).toEqual([0, 0, 0, 255, 102, 102, 102, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
    const inverted = windowToRgba(values, { center: 40, width: 400 }, true);
    expect(inverted[0]).toBe(255);
    expect(inverted[12]).toBe(0);
    const lung = windowToRgba(values, CT_PRESETS.find((p) => p.id === 'lung')!.window, false);
    expect(Array.from(lung)).not.toEqual(Array.from(soft));
    for (let i = 0; i < values.length; i++) expect(soft[i * 4]).toBe(Math.round(voiLinear(values[i]!, { center: 40, width: 400 })));
  });

  it('opens with the file’s window, else the frame’s range', () => {
    expect(initialWindow(decodeDicom(ctGradient16()))).toEqual({ center: 40, width: 400 });
    expect(initialWindow(decodeDicom(multiFrame8()))).toEqual({ center: 128, width: 256 });
    expect(autoWindow(new Float32Array())).toEqual({ center: 127.5, width: 256 });
  });

  it('drags: right widens, down raises the centre, never below width 1', () => {
    expect(dragWindow({ center: 40, width: 400 }, 10, -5, 2)).toEqual({ center: 30, width: 420 });
    expect(dragWindow({ center: 40, width: 10 }, -100, 0, 1).width).toBe(1);
  });

  it('passes RGB through, inverted on request', () => {
    expect(Array.from(rgbToRgba(Float32Array.from([1, 2, 3]), false))).toEqual([1, 2, 3, 255]);
    expect(Array.from(rgbToRgba(Float32Array.from([1, 2, 3]), true))).toEqual([254, 253, 252, 255]);
  });
});
