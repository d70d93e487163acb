import { REFERRAL_FILE_ERROR_CODES as F, ReferralFileError } from './codes.js';

/**
 * A zip-bomb check that runs before anything is inflated: the central directory (the index at
 * the end of a zip, which XLSX is) lists every entry's compressed and uncompressed size, so the
 * total and the ratio are known from a few kilobytes. Written here rather than taken from a
 * library so that the check depends on nothing that inflates.
 */
export interface ZipEntryInfo {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipLimits {
  maxEntries: number;
  /** Sum of all entries' uncompressed sizes. */
  maxTotalUncompressed: number;
  /** Uncompressed ÷ compressed for an entry (and for the whole file) above which it is refused. */
  maxRatio: number;
  /** Entries smaller than this are not ratio-checked: tiny XML parts compress very well. */
  ratioCheckFrom: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxTotalUncompressed: 768 * 1024 * 1024,
  // Sheet XML of a real table compresses 5–30×; deflate cannot exceed about 1030×.
  maxRatio: 200,
  ratioCheckFrom: 8 * 1024 * 1024,
};

const corrupt = (detail: string) => new ReferralFileError(F.ZIP_CORRUPT, `Файл повреждён (${detail}): сохраните его в Excel заново как «Книга Excel (.xlsx)».`);
const bomb = (detail: string) =>
  new ReferralFileError(F.ZIP_BOMB, `Файл не открыт: после распаковки он был бы слишком велик (${detail}). Так выглядят повреждённые или вредоносные файлы; сохраните таблицу в Excel заново.`);

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

function u64(view: DataView, at: number): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  if (hi > 0x1fffff) throw corrupt('размер вне допустимого диапазона');
  return hi * 0x1_0000_0000 + lo;
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Reads the central directory. Throws ZIP_CORRUPT when it is missing or inconsistent. */
export function readZipDirectory(bytes: Uint8Array): ZipEntryInfo[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.byteLength;
  if (len < 22) throw corrupt('слишком короткий');
  let eocd = -1;
  for (let i = len - 22; i >= Math.max(0, len - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === SIG_EOCD && i + 22 + view.getUint16(i + 20, true) <= len) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('нет оглавления архива');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== SIG_ZIP64_LOCATOR) throw corrupt('нет оглавления ZIP64');
    const z = u64(view, loc + 8);
    if (z + 56 > len || view.getUint32(z, true) !== SIG_ZIP64_EOCD) throw corrupt('нет оглавления ZIP64');
    count = u64(view, z + 32);
    cdSize = u64(view, z + 40);
    cdOffset = u64(view, z + 48);
  }
  if (cdOffset + cdSize > len) throw corrupt('оглавление за пределами файла');
  const entries: ZipEntryInfo[] = [];
  let p = cdOffset;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  for (let n = 0; n < count; n++) {
    if (p + 46 > len || view.getUint32(p, true) !== SIG_CENTRAL) throw corrupt('оглавление оборвано');
    const method = view.getUint16(p + 10, true);
    let compressedSize = view.getUint32(p + 20, true);
    let uncompressedSize = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > len) throw corrupt('оглавление оборвано');
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field: the 64-bit values, in this order, of whichever fields are 0xFFFFFFFF.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const size = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompressedSize === 0xffffffff && q + 8 <= e + 4 + size) {
          uncompressedSize = u64(view, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff && q + 8 <= e + 4 + size) {
          compressedSize = u64(view, q);
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff && q + 8 <= e + 4 + size) localHeaderOffset = u64(view, q);
      }
      e += 4 + size;
    }
    entries.push({ name, method, compressedSize, uncompressedSize, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Throws ZIP_BOMB (or ZIP_CORRUPT) when the directory promises more than the limits allow. */
export function checkZipDirectory(entries: readonly ZipEntryInfo[], fileSize: number, limits: ZipLimits = DEFAULT_ZIP_LIMITS): void {
  if (entries.length > limits.maxEntries) throw bomb(`${entries.length} частей в архиве`);
  let total = 0;
  let compressed = 0;
  for (const e of entries) {
    if (e.method !== 0 && e.method !== 8) throw corrupt(`неподдерживаемое сжатие ${e.method}`);
    if (e.method === 0 && e.compressedSize !== e.uncompressedSize) throw corrupt('размеры части не сходятся');
    if (e.localHeaderOffset + 30 > fileSize) throw corrupt('часть за пределами файла');
    total += e.uncompressedSize;
    compressed += e.compressedSize;
    if (e.uncompressedSize >= limits.ratioCheckFrom && e.uncompressedSize / Math.max(1, e.compressedSize) > limits.maxRatio) {
      throw bomb(`часть «${e.name}» сжата в ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} раз`);
    }
  }
  if (compressed > fileSize) throw corrupt('сжатые части больше самого файла');
  if (total > limits.maxTotalUncompressed) throw bomb(`${Math.round(total / 1024 / 1024)} МБ`);
  if (total >= limits.ratioCheckFrom && total / Math.max(1, fileSize) > limits.maxRatio) throw bomb(`сжатие в ${Math.round(total / fileSize)} раз`);
}

interface Decompressor {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}
type DecompressionStreamCtor = new (format: 'deflate-raw') => Decompressor;

/**
 * The directory can lie. Where the platform has `DecompressionStream` (Node 18+, browsers), each
 * entry is inflated as a stream — counted, never kept — and stopped as soon as it yields more than
 * it declared, so the parser that inflates for real never meets a lying entry.
 */
export async function verifyDeclaredSizes(bytes: Uint8Array, entries: readonly ZipEntryInfo[]): Promise<void> {
  const Ctor = (globalThis as { DecompressionStream?: DecompressionStreamCtor }).DecompressionStream;
  if (!Ctor) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const e of entries) {
    if (e.method !== 8 || e.compressedSize === 0) continue;
    const h = e.localHeaderOffset;
    if (h + 30 > bytes.length || view.getUint32(h, true) !== SIG_LOCAL) throw corrupt('нет заголовка части');
    const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
    if (start + e.compressedSize > bytes.length) throw corrupt('часть за пределами файла');
    const ds = new Ctor('deflate-raw');
    const writer = ds.writable.getWriter();
    void writer.write(bytes.subarray(start, start + e.compressedSize)).catch(() => undefined);
    void writer.close().catch(() => undefined);
    const reader = ds.readable.getReader();
    let produced = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        produced += value.byteLength;
        if (produced > e.uncompressedSize) {
          await reader.cancel().catch(() => undefined);
          throw bomb(`часть «${e.name}» распаковывается больше заявленного`);
        }
      }
    } catch (err) {
      if (err instanceof Error && err.name === 'ReferralFileError') throw err;
      throw corrupt(`часть «${e.name}» не распаковывается`);
    }
  }
}
