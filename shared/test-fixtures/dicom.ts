/**
 * Minimal, valid DICOM Part 10 files for tests: a 128-byte preamble, "DICM", the file meta group
 * (always explicit VR little endian, with the transfer syntax) and a dataset with the image pixel
 * module. Environment-free (returns bytes; the caller writes them where it needs them), so the
 * unit tests, the server suite and the end-to-end suite share it.
 */

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  explicitBig: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
} as const;

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const MULTIFRAME_GREY_BYTE_SC = '1.2.840.10008.5.1.4.1.1.7.2';
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

export interface DicomFixture {
  rows: number;
  columns: number;
  /** Written as NumberOfFrames when given (also for 1). */
  frames?: number;
  bitsAllocated: 8 | 16;
  bitsStored?: number;
  pixelRepresentation?: 0 | 1;
  samplesPerPixel?: 1 | 3;
  photometric?: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  /** RGB only: 0 = RGBRGB…, 1 = RR…GG…BB… */
  planarConfiguration?: 0 | 1;
  windowCenter?: number;
  windowWidth?: number;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  transferSyntax?: string;
  modality?: string;
  patientName?: string;
  sopClass?: string;
  /** Stored value (before rescale) of one sample. */
  pixel(frame: number, row: number, column: number, sample: number): number;
}

type Vr = 'UL' | 'OB' | 'OW' | 'UI' | 'CS' | 'PN' | 'US' | 'IS' | 'DS' | 'LO' | 'DA';
interface El {
  group: number;
  element: number;
  vr: Vr;
  value: Uint8Array;
  /** Encapsulated pixel data: written with undefined length, value already holds the items. */
  undefinedLength?: boolean;
}

const LONG_VRS = new Set<Vr>(['OB', 'OW']);
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

function pad(bytes: Uint8Array, fill: number): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = fill;
  return out;
}

const str = (group: number, element: number, vr: Vr, s: string): El => ({ group, element, vr, value: pad(ascii(s), vr === 'UI' ? 0 : 0x20) });

function us(group: number, element: number, v: number, littleEndian: boolean): El {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, littleEndian);
  return { group, element, vr: 'US', value: b };
}

function ul(group: number, element: number, v: number): El {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return { group, element, vr: 'UL', value: b };
}

function encode(el: El, explicit: boolean, littleEndian: boolean): Uint8Array {
  const len = el.undefinedLength ? 0xffffffff : el.value.length;
  const headerLen = !explicit ? 8 : LONG_VRS.has(el.vr) ? 12 : 8;
  const out = new Uint8Array(headerLen + el.value.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, el.group, littleEndian);
  dv.setUint16(2, el.element, littleEndian);
  if (!explicit) {
    dv.setUint32(4, len, littleEndian);
  } else {
    out[4] = el.vr.charCodeAt(0);
    out[5] = el.vr.charCodeAt(1);
    if (LONG_VRS.has(el.vr)) dv.setUint32(8, len, littleEndian);
    else dv.setUint16(6, len, littleEndian);
  }
  out.set(el.value, headerLen);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An item or delimiter of encapsulated pixel data (always little endian, no VR). */
function item(element: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xfffe, true);
  dv.setUint16(2, element, true);
  dv.setUint32(4, value.length, true);
  out.set(value, 8);
  return out;
}

function fileWith(transferSyntax: string, sopClass: string, dataset: El[], explicit: boolean, littleEndian: boolean): Uint8Array {
  const sopInstance = '1.2.826.0.1.3680043.10.1234.1';
  const metaBody = [
    { group: 2, element: 1, vr: 'OB', value: Uint8Array.of(0, 1) } satisfies El,
    str(2, 2, 'UI', sopClass),
    str(2, 3, 'UI', sopInstance),
    str(2, 0x10, 'UI', transferSyntax),
    str(2, 0x12, 'UI', '1.2.826.0.1.3680043.10.1234'),
  ].map((e) => encode(e, true, true));
  const metaLength = metaBody.reduce((n, p) => n + p.length, 0);
  const preamble = new Uint8Array(128);
  const sorted = [...dataset].sort((a, b) => a.group - b.group || a.element - b.element);
  return concat([
    preamble,
    ascii('DICM'),
    encode(ul(2, 0, metaLength), true, true),
    ...metaBody,
    ...sorted.map((e) => encode(e, explicit, littleEndian)),
  ]);
}

/** A whole DICOM Part 10 file with uncompressed pixel data. */
export function buildDicom(f: DicomFixture): Uint8Array {
  const ts = f.transferSyntax ?? TRANSFER_SYNTAX.explicitLittle;
  const explicit = ts !== TRANSFER_SYNTAX.implicitLittle;
  const le = ts !== TRANSFER_SYNTAX.explicitBig;
  const spp = f.samplesPerPixel ?? 1;
  const frames = f.frames ?? 1;
  const bytesPer = f.bitsAllocated / 8;
  const bitsStored = f.bitsStored ?? f.bitsAllocated;
  const signed = f.pixelRepresentation === 1;
  const planar = f.planarConfiguration ?? 0;
  const pixelsPerFrame = f.rows * f.columns;
  const raw = new Uint8Array(frames * pixelsPerFrame * spp * bytesPer);
  const dv = new DataView(raw.buffer);
  for (let fr = 0; fr < frames; fr++) {
    for (let r = 0; r < f.rows; r++) {
      for (let c = 0; c < f.columns; c++) {
        for (let s = 0; s < spp; s++) {
          const p = r * f.columns + c;
          const index = fr * pixelsPerFrame * spp + (planar === 1 ? s * pixelsPerFrame + p : p * spp + s);
          const v = Math.round(f.pixel(fr, r, c, s));
          const at = index * bytesPer;
          if (bytesPer === 1) {
            if (signed) dv.setInt8(at, v);
            else dv.setUint8(at, v);
          } else if (signed) dv.setInt16(at, v, le);
          else dv.setUint16(at, v, le);
        }
      }
    }
  }
  const dataset: El[] = [
    str(8, 0x16, 'UI', f.sopClass ?? SECONDARY_CAPTURE),
    str(8, 0x18, 'UI', '1.2.826.0.1.3680043.10.1234.1'),
    str(8, 0x60, 'CS', f.modality ?? 'OT'),
    str(0x10, 0x10, 'PN', f.patientName ?? 'Test^Patient'),
    us(0x28, 0x2, spp, le),
    str(0x28, 0x4, 'CS', f.photometric ?? (spp === 3 ? 'RGB' : 'MONOCHROME2')),
    us(0x28, 0x10, f.rows, le),
    us(0x28, 0x11, f.columns, le),
    us(0x28, 0x100, f.bitsAllocated, le),
    us(0x28, 0x101, bitsStored, le),
    us(0x28, 0x102, bitsStored - 1, le),
    us(0x28, 0x103, f.pixelRepresentation ?? 0, le),
    { group: 0x7fe0, element: 0x10, vr: f.bitsAllocated === 8 ? 'OB' : 'OW', value: pad(raw, 0) },
  ];
  if (spp === 3) dataset.push(us(0x28, 0x6, planar, le));
  if (f.frames !== undefined) dataset.push(str(0x28, 0x8, 'IS', String(frames)));
  if (f.windowCenter !== undefined) dataset.push(str(0x28, 0x1050, 'DS', String(f.windowCenter)));
  if (f.windowWidth !== undefined) dataset.push(str(0x28, 0x1051, 'DS', String(f.windowWidth)));
  if (f.rescaleIntercept !== undefined) dataset.push(str(0x28, 0x1052, 'DS', String(f.rescaleIntercept)));
  if (f.rescaleSlope !== undefined) dataset.push(str(0x28, 0x1053, 'DS', String(f.rescaleSlope)));
  return fileWith(ts, f.sopClass ?? SECONDARY_CAPTURE, dataset, explicit, le);
}

/** 64×64 single-frame CT-like image: signed 16-bit, slope 1, intercept −1024, a diagonal gradient −1024…+1024 HU; window 40/400 in the file. */
export const CT_GRADIENT = { rows: 64, columns: 64, intercept: -1024, windowCenter: 40, windowWidth: 400 } as const;
export function ctGradient16(overrides: Partial<DicomFixture> = {}): Uint8Array {
  return buildDicom({
    rows: CT_GRADIENT.rows,
    columns: CT_GRADIENT.columns,
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 1,
    photometric: 'MONOCHROME2',
    modality: 'CT',
    sopClass: CT_IMAGE,
    patientName: 'Phantom^Gradient',
    rescaleSlope: 1,
    rescaleIntercept: CT_GRADIENT.intercept,
    windowCenter: CT_GRADIENT.windowCenter,
    windowWidth: CT_GRADIENT.windowWidth,
    // stored 0…2016: (row + column) × 16
    pixel: (_f, r, c) => (r + c) * 16,
    ...overrides,
  });
}

/** 32×32, 8-bit, 5 frames, MONOCHROME2, no window in the file: frame k has vertical stripes k+1 pixels wide (0/255), so every frame differs. */
export const MULTI_FRAME = { rows: 32, columns: 32, frames: 5 } as const;
export function multiFrame8(overrides: Partial<DicomFixture> = {}): Uint8Array {
  return buildDicom({
    rows: MULTI_FRAME.rows,
    columns: MULTI_FRAME.columns,
    frames: MULTI_FRAME.frames,
    bitsAllocated: 8,
    photometric: 'MONOCHROME2',
    modality: 'XA',
    sopClass: MULTIFRAME_GREY_BYTE_SC,
    patientName: 'Phantom^Frames',
    pixel: (f, _r, c) => (Math.floor(c / (f + 1)) % 2 === 0 ? 255 : 0),
    ...overrides,
  });
}

/** A DICOM header with JPEG Baseline (encapsulated) pixel data: the viewer must refuse it clearly. */
export function jpegCompressedDicom(): Uint8Array {
  // Empty basic offset table, then one fragment (a stub JPEG: SOI … EOI), then the sequence delimiter.
  const fragments = concat([item(0xe000, new Uint8Array()), item(0xe000, Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0xff, 0xd9)), item(0xe0dd, new Uint8Array())]);
  const le = true;
  const dataset: El[] = [
    str(8, 0x16, 'UI', CT_IMAGE),
    str(8, 0x18, 'UI', '1.2.826.0.1.3680043.10.1234.1'),
    str(8, 0x60, 'CS', 'CT'),
    us(0x28, 0x2, 1, le),
    str(0x28, 0x4, 'CS', 'MONOCHROME2'),
    us(0x28, 0x10, 8, le),
    us(0x28, 0x11, 8, le),
    us(0x28, 0x100, 8, le),
    us(0x28, 0x101, 8, le),
    us(0x28, 0x102, 7, le),
    us(0x28, 0x103, 0, le),
    { group: 0x7fe0, element: 0x10, vr: 'OB', value: fragments, undefinedLength: true },
  ];
  return fileWith(TRANSFER_SYNTAX.jpegBaseline, CT_IMAGE, dataset, true, le);
}
