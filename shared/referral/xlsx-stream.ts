import { REFERRAL_FILE_ERROR_CODES as F, ReferralFileError } from './codes.js';
import type { CellValue, SheetMatrix } from './cells.js';
import type { ZipEntryInfo } from './zip-guard.js';

/**
 * A streaming XLSX reader for the referral table: each zip entry is inflated as a stream
 * (`DecompressionStream`, a web-platform API present in Node and browsers, so this stays
 * environment-free), and the sheet XML is scanned row by row without building a document or a
 * cell-object model. It reads only what the import needs — sheet names, shared strings, cell
 * values (formulas give their cached value), the 1904 flag — and keeps every name in arrays and
 * Maps, never as object keys. Every entry is counted as it inflates and stopped past its declared
 * size, so a zip whose directory lies cannot grow beyond what the guard allowed.
 */
interface Decompressor {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}
type DecompressionStreamCtor = new (format: 'deflate-raw') => Decompressor;

const corrupt = (detail: string) => new ReferralFileError(F.UNREADABLE, `Не удалось прочитать файл Excel (${detail}): откройте его в Excel и сохраните заново.`);

function entryData(bytes: Uint8Array, e: ZipEntryInfo): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = e.localHeaderOffset;
  if (h + 30 > bytes.length || view.getUint32(h, true) !== 0x04034b50) throw corrupt(`нет заголовка части «${e.name}»`);
  const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
  if (start + e.compressedSize > bytes.length) throw corrupt(`часть «${e.name}» обрезана`);
  return bytes.subarray(start, start + e.compressedSize);
}

/** The entry's text in chunks, inflated on the fly and never past its declared size. */
async function* entryText(bytes: Uint8Array, e: ZipEntryInfo): AsyncGenerator<string> {
  const data = entryData(bytes, e);
  const decoder = new TextDecoder('utf-8');
  if (e.method === 0) {
    const CH = 1 << 20;
    for (let i = 0; i < data.length; i += CH) yield decoder.decode(data.subarray(i, i + CH), { stream: true });
    yield decoder.decode();
    return;
  }
  const Ctor = (globalThis as { DecompressionStream?: DecompressionStreamCtor }).DecompressionStream;
  if (!Ctor) throw corrupt('платформа не умеет распаковывать');
  const ds = new Ctor('deflate-raw');
  const writer = ds.writable.getWriter();
  void writer.write(data).catch(() => undefined);
  void writer.close().catch(() => undefined);
  const reader = ds.readable.getReader();
  let produced = 0;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        throw corrupt(`часть «${e.name}» не распаковывается`);
      }
      if (chunk.done) break;
      produced += chunk.value.byteLength;
      if (produced > e.uncompressedSize) {
        throw new ReferralFileError(F.ZIP_BOMB, `Файл не открыт: часть «${e.name}» распаковывается больше заявленного. Так выглядят повреждённые или вредоносные файлы; сохраните таблицу в Excel заново.`);
      }
      yield decoder.decode(chunk.value, { stream: true });
    }
    yield decoder.decode();
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

async function entryString(bytes: Uint8Array, e: ZipEntryInfo): Promise<string> {
  let s = '';
  for await (const chunk of entryText(bytes, e)) s += chunk;
  return s;
}

/**
 * Calls `onElement` with each complete `<tag …>…</tag>` (or `<tag …/>`) as the text streams in;
 * the buffer never holds more than one element plus one chunk.
 */
const MAX_ELEMENT_CHARS = 32 * 1024 * 1024;

async function scanElements(chunks: AsyncIterable<string>, tag: string, onElement: (xml: string) => void): Promise<void> {
  const close = `</${tag}>`;
  const openRe = new RegExp(`<${tag}[\\s/>]`, 'g');
  let buf = '';
  for await (const chunk of chunks) {
    buf += chunk;
    let consumed = 0;
    for (;;) {
      openRe.lastIndex = consumed;
      const open = openRe.exec(buf);
      if (!open) {
        // Keep a tail that may hold the start of the next opening tag.
        consumed = Math.max(consumed, buf.length - tag.length - 2);
        break;
      }
      const start = open.index;
      const tagEnd = buf.indexOf('>', start);
      if (tagEnd < 0) {
        consumed = start;
        break;
      }
      if (buf[tagEnd - 1] === '/') {
        onElement(buf.slice(start, tagEnd + 1));
        consumed = tagEnd + 1;
        continue;
      }
      const end = buf.indexOf(close, tagEnd);
      if (end < 0) {
        consumed = start;
        break;
      }
      onElement(buf.slice(start, end + close.length));
      consumed = end + close.length;
    }
    buf = buf.slice(consumed);
    // A row of all 16,384 columns is a few megabytes; anything far beyond is not a real table,
    // and rescanning it chunk after chunk would take quadratic time.
    if (buf.length > MAX_ELEMENT_CHARS) throw corrupt(`элемент <${tag}> длиннее ${MAX_ELEMENT_CHARS / 1024 / 1024} млн символов`);
  }
}

const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML entities and Excel's `_xHHHH_` escapes for characters XML cannot carry. */
export function decodeXmlText(s: string): string {
  if (s.includes('&')) {
    s = s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
      if (e[0] !== '#') return ENTITY[e]!;
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    });
  }
  if (s.includes('_x')) s = s.replace(/_x([0-9a-fA-F]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return s;
}

const ATTR_RE = new Map<string, RegExp>();
function attr(tagXml: string, name: string): string | null {
  let re = ATTR_RE.get(name);
  if (!re) {
    re = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
    ATTR_RE.set(name, re);
  }
  const m = re.exec(tagXml);
  return m ? decodeXmlText(m[1] ?? m[2] ?? '') : null;
}

/**
 * A substring in V8 may be a view that keeps the whole chunk it was cut from alive; a value that
 * outlives the scan is copied so that the sheet's XML text can be collected as it goes.
 * (Concatenating then slicing flattens into a fresh string of the value's own size.)
 */
function own(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}

/** Text of the `<t>` runs of a string item, leaving out phonetic (`<rPh>`) runs. */
function runText(xml: string): string {
  const noPhonetic = xml.includes('<rPh') ? xml.replace(/<rPh[\s>][\s\S]*?<\/rPh>/g, '') : xml;
  let out = '';
  const re = /<t(?:\s[^>]*)?>([\s\S]*?)<\/t>|<t(?:\s[^>]*)?\/>/g;
  for (let m = re.exec(noPhonetic); m; m = re.exec(noPhonetic)) out += m[1] ?? '';
  return decodeXmlText(out);
}

/** "AB12" → 27 (0-based column). */
function columnOf(ref: string): number {
  let c = 0;
  for (let i = 0; i < ref.length; i++) {
    const ch = ref.charCodeAt(i);
    if (ch >= 65 && ch <= 90) c = c * 26 + (ch - 64);
    else if (ch >= 97 && ch <= 122) c = c * 26 + (ch - 96);
    else break;
  }
  return c - 1;
}

const MAX_COLUMNS = 16_384;

function normalisePartPath(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

export interface StreamReadLimits {
  maxRows: number;
}

/** Reads every sheet's cell values; the entries come from the guard (`guardXlsx`). */
export async function readXlsxStreaming(bytes: Uint8Array, entries: readonly ZipEntryInfo[], limits: StreamReadLimits): Promise<{ sheets: SheetMatrix[]; date1904: boolean }> {
  const byName = new Map<string, ZipEntryInfo>();
  for (const e of entries) byName.set(e.name, e);
  const need = (name: string) => {
    const e = byName.get(name);
    if (!e) throw corrupt(`нет части «${name}»`);
    return e;
  };

  const workbook = await entryString(bytes, need('xl/workbook.xml'));
  const date1904 = /<workbookPr\b[^>]*\bdate1904\s*=\s*["'](?:1|true)["']/.test(workbook);
  const sheetsDecl: { name: string; rid: string | null }[] = [];
  for (const m of workbook.matchAll(/<sheet\b[^>]*?\/?>/g)) sheetsDecl.push({ name: own(attr(m[0], 'name') ?? ''), rid: attr(m[0], 'r:id') });

  const relsEntry = byName.get('xl/_rels/workbook.xml.rels');
  const rels = new Map<string, string>();
  let sstPath = 'xl/sharedStrings.xml';
  if (relsEntry) {
    const relsXml = await entryString(bytes, relsEntry);
    for (const m of relsXml.matchAll(/<Relationship\b[^>]*?\/?>/g)) {
      const id = attr(m[0], 'Id');
      const target = attr(m[0], 'Target');
      const type = attr(m[0], 'Type') ?? '';
      if (!id || !target) continue;
      const full = normalisePartPath('xl/workbook.xml', target);
      rels.set(id, full);
      if (type.endsWith('/sharedStrings')) sstPath = full;
    }
  }

  const sst: string[] = [];
  const sstEntry = byName.get(sstPath);
  if (sstEntry) await scanElements(entryText(bytes, sstEntry), 'si', (xml) => sst.push(own(runText(xml))));

  const sheets: SheetMatrix[] = [];
  for (let i = 0; i < sheetsDecl.length; i++) {
    const decl = sheetsDecl[i]!;
    const path = (decl.rid && rels.get(decl.rid)) || `xl/worksheets/sheet${i + 1}.xml`;
    const entry = byName.get(path);
    const rows: (CellValue[] | undefined)[] = [];
    if (entry) {
      let nextRow = 1;
      await scanElements(entryText(bytes, entry), 'row', (xml) => {
        const tagEnd = xml.indexOf('>');
        const head = xml.slice(0, tagEnd + 1);
        const rAttr = attr(head, 'r');
        const r = rAttr ? Number(rAttr) : nextRow;
        nextRow = r + 1;
        if (!Number.isInteger(r) || r < 1) throw corrupt('неверный номер строки');
        if (r > limits.maxRows) {
          throw new ReferralFileError(F.TOO_MANY_ROWS, `На листе «${decl.name}» больше ${limits.maxRows.toLocaleString('ru-RU')} строк: разделите таблицу на несколько файлов.`);
        }
        if (head.endsWith('/>')) return;
        const cells: CellValue[] = [];
        let nextCol = 0;
        const cellRe = /<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g;
        for (let m = cellRe.exec(xml); m; m = cellRe.exec(xml)) {
          const attrs = m[1]!;
          const ref = attr(attrs, 'r');
          const c = ref ? columnOf(ref) : nextCol;
          nextCol = c + 1;
          if (c < 0 || c >= MAX_COLUMNS) throw corrupt('неверная ссылка на ячейку');
          const body = m[2];
          if (!body) continue;
          const t = attr(attrs, 't') ?? 'n';
          let value: CellValue = null;
          if (t === 'inlineStr') value = own(runText(body));
          else {
            const v = /<v(?:\s[^>]*)?>([\s\S]*?)<\/v>/.exec(body)?.[1];
            if (v === undefined) continue;
            if (t === 's') value = sst[Number(v)] ?? null;
            else if (t === 'str' || t === 'd') value = own(decodeXmlText(v));
            else if (t === 'b') value = v.trim() === '1' || v.trim() === 'true';
            else if (t === 'e') value = null;
            else {
              const n = Number(v);
              value = v.trim() !== '' && Number.isFinite(n) ? n : null;
            }
          }
          if (value !== null) cells[c] = value;
        }
        if (cells.length) rows[r - 1] = cells;
      });
    }
    sheets.push({ name: decl.name, rows });
  }
  return { sheets, date1904 };
}
