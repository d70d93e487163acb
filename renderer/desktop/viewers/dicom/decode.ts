import dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { EXPLICIT_BIG, IMPLICIT_LITTLE, SUPPORTED_SYNTAXES, transferSyntaxName } from './transfer-syntax';

/**
 * DICOM bytes → frames of numbers + metadata, for the offline viewer. Pure (no DOM): parses with
 * dicom-parser (the Cornerstone project's parser) and decodes uncompressed pixel data itself:
 * 8/16/32-bit, signed or unsigned, BitsStored masking, MONOCHROME1/2 and RGB (either planar
 * configuration), rescale slope/intercept, single- and multi-frame. Compressed transfer syntaxes
 * are refused with a DicomDecodeError naming the syntax (never rendered as garbage).
 */

export type DicomErrorCode = 'NOT_DICOM' | 'UNSUPPORTED_SYNTAX' | 'UNSUPPORTED_IMAGE' | 'NO_PIXEL_DATA' | 'TRUNCATED';

export class DicomDecodeError extends Error {
  constructor(
    readonly code: DicomErrorCode,
    /** A detail for the message: the syntax's name, the photometric interpretation … */
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'DicomDecodeError';
  }
}

export interface WindowLevel {
  center: number;
  width: number;
}

export interface DicomMeta {
  patientName: string;
  modality: string;
  studyDate: string;
  description: string;
}

export interface DicomImage {
  rows: number;
  columns: number;
  frameCount: number;
  samplesPerPixel: 1 | 3;
  photometric: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  slope: number;
  intercept: number;
  /** Window center/width pairs from the file (may be empty). */
  windows: WindowLevel[];
  transferSyntax: string;
  meta: DicomMeta;
  /**
   * One frame, 0-based. Greyscale: modality values (stored × slope + intercept), rows × columns.
   * RGB: interleaved R,G,B (0…255), rows × columns × 3. Cached.
   */
  frame(index: number): Float32Array;
}

const tag = (group: number, element: number) => `x${group.toString(16).padStart(4, '0')}${element.toString(16).padStart(4, '0')}`;
const T = {
  transferSyntax: tag(0x0002, 0x0010),
  modality: tag(0x0008, 0x0060),
  studyDate: tag(0x0008, 0x0020),
  studyDescription: tag(0x0008, 0x1030),
  seriesDescription: tag(0x0008, 0x103e),
  patientName: tag(0x0010, 0x0010),
  samplesPerPixel: tag(0x0028, 0x0002),
  photometric: tag(0x0028, 0x0004),
  planarConfiguration: tag(0x0028, 0x0006),
  numberOfFrames: tag(0x0028, 0x0008),
  rows: tag(0x0028, 0x0010),
  columns: tag(0x0028, 0x0011),
  bitsAllocated: tag(0x0028, 0x0100),
  bitsStored: tag(0x0028, 0x0101),
  pixelRepresentation: tag(0x0028, 0x0103),
  windowCenter: tag(0x0028, 0x1050),
  windowWidth: tag(0x0028, 0x1051),
  rescaleIntercept: tag(0x0028, 0x1052),
  rescaleSlope: tag(0x0028, 0x1053),
  pixelData: tag(0x7fe0, 0x0010),
} as const;

/** Whether the bytes look like DICOM Part 10 ("DICM" at offset 128). */
export function isDicomPart10(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

function parse(bytes: Uint8Array): DataSet {
  if (!isDicomPart10(bytes)) throw new DicomDecodeError('NOT_DICOM', '');
  // The file meta group first: a compressed or deflated dataset is refused before it is parsed.
  let header: DataSet;
  try {
    header = dicomParser.readPart10Header(bytes);
  } catch {
    throw new DicomDecodeError('NOT_DICOM', '');
  }
  const syntax = header.string(T.transferSyntax)?.trim() ?? '';
  if (!SUPPORTED_SYNTAXES.has(syntax)) throw new DicomDecodeError('UNSUPPORTED_SYNTAX', transferSyntaxName(syntax || '?'));
  try {
    return dicomParser.parseDicom(bytes);
  } catch (e) {
    // dicom-parser throws strings or objects with `exception`; a cut-off file is the usual cause.
    throw new DicomDecodeError('TRUNCATED', typeof e === 'string' ? e : e instanceof Error ? e.message : '');
  }
}

function numbers(ds: DataSet, t: string): number[] {
  const n = ds.numStringValues(t) ?? 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = ds.floatString(t, i);
    if (v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out;
}

export function decodeDicom(bytes: Uint8Array): DicomImage {
  const ds = parse(bytes);
  const syntax = ds.string(T.transferSyntax)?.trim() ?? IMPLICIT_LITTLE;
  const littleEndian = syntax !== EXPLICIT_BIG;

  const rows = ds.uint16(T.rows) ?? 0;
  const columns = ds.uint16(T.columns) ?? 0;
  const pixel = ds.elements[T.pixelData];
  if (!pixel || rows === 0 || columns === 0) throw new DicomDecodeError('NO_PIXEL_DATA', '');
  if (pixel.encapsulatedPixelData) throw new DicomDecodeError('UNSUPPORTED_SYNTAX', transferSyntaxName(syntax));

  const spp = ds.uint16(T.samplesPerPixel) ?? 1;
  const photometricRaw = (ds.string(T.photometric) ?? (spp === 3 ? 'RGB' : 'MONOCHROME2')).trim().toUpperCase();
  const bitsAllocated = ds.uint16(T.bitsAllocated) ?? 16;
  const bitsStored = Math.min(ds.uint16(T.bitsStored) ?? bitsAllocated, bitsAllocated);
  const signed = (ds.uint16(T.pixelRepresentation) ?? 0) === 1;
  const planar = ds.uint16(T.planarConfiguration) ?? 0;
  const frameCount = Math.max(1, ds.intString(T.numberOfFrames) ?? 1);

  let photometric: DicomImage['photometric'];
  if (spp === 1 && (photometricRaw === 'MONOCHROME1' || photometricRaw === 'MONOCHROME2')) photometric = photometricRaw;
  else if (spp === 3 && photometricRaw === 'RGB') photometric = 'RGB';
  else throw new DicomDecodeError('UNSUPPORTED_IMAGE', `${photometricRaw}, ${spp}`);
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) throw new DicomDecodeError('UNSUPPORTED_IMAGE', `${bitsAllocated} бит`);
  if (photometric === 'RGB' && bitsAllocated !== 8) throw new DicomDecodeError('UNSUPPORTED_IMAGE', `RGB ${bitsAllocated} бит`);

  const slopeRaw = ds.floatString(T.rescaleSlope);
  const slope = slopeRaw !== undefined && Number.isFinite(slopeRaw) && slopeRaw !== 0 ? slopeRaw : 1;
  const interceptRaw = ds.floatString(T.rescaleIntercept);
  const intercept = interceptRaw !== undefined && Number.isFinite(interceptRaw) ? interceptRaw : 0;

  const centers = numbers(ds, T.windowCenter);
  const widths = numbers(ds, T.windowWidth);
  const windows: WindowLevel[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    if (widths[i]! >= 1) windows.push({ center: centers[i]!, width: widths[i]! });
  }

  const bytesPer = bitsAllocated / 8;
  const pixelsPerFrame = rows * columns;
  const frameBytes = pixelsPerFrame * spp * bytesPer;
  const available = Math.min(pixel.length, bytes.length - pixel.dataOffset);
  if (available < frameBytes) throw new DicomDecodeError('TRUNCATED', '');
  // A file may claim more frames than it holds: show those it has.
  const frames = Math.max(1, Math.min(frameCount, Math.floor(available / frameBytes)));
  const view = new DataView(bytes.buffer, bytes.byteOffset + pixel.dataOffset, frames * frameBytes);
  const mask = bitsStored >= 32 ? 0xffffffff : 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);

  const read = (at: number): number => {
    let raw: number;
    if (bytesPer === 1) raw = view.getUint8(at);
    else if (bytesPer === 2) raw = view.getUint16(at, littleEndian);
    else raw = view.getUint32(at, littleEndian);
    if (bitsStored < bitsAllocated) raw = bitsStored >= 32 ? raw : raw % (mask + 1);
    if (signed && raw >= signBit) raw -= 2 * signBit;
    return raw;
  };

  const cache = new Map<number, Float32Array>();
  const frame = (index: number): Float32Array => {
    const i = Math.min(Math.max(0, Math.trunc(index)), frames - 1);
    const hit = cache.get(i);
    if (hit) return hit;
    const base = i * frameBytes;
    let out: Float32Array;
    if (photometric === 'RGB') {
      out = new Float32Array(pixelsPerFrame * 3);
      for (let p = 0; p < pixelsPerFrame; p++) {
        for (let s = 0; s < 3; s++) out[p * 3 + s] = view.getUint8(base + (planar === 1 ? s * pixelsPerFrame + p : p * 3 + s));
      }
    } else {
      out = new Float32Array(pixelsPerFrame);
      for (let p = 0; p < pixelsPerFrame; p++) out[p] = read(base + p * bytesPer) * slope + intercept;
    }
    // Keep memory bounded on long cine loops: a handful of frames is enough for smooth scrolling.
    if (cache.size >= 16) cache.delete(cache.keys().next().value!);
    cache.set(i, out);
    return out;
  };

  return {
    rows,
    columns,
    frameCount: frames,
    samplesPerPixel: spp === 3 ? 3 : 1,
    photometric,
    bitsAllocated,
    bitsStored,
    signed,
    slope,
    intercept,
    windows,
    transferSyntax: syntax,
    meta: {
      patientName: (ds.string(T.patientName) ?? '').replace(/\^+/g, ' ').trim(),
      modality: ds.string(T.modality) ?? '',
      studyDate: ds.string(T.studyDate) ?? '',
      description: ds.string(T.seriesDescription) ?? ds.string(T.studyDescription) ?? '',
    },
    frame,
  };
}
