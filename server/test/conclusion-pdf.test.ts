import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConclusionFonts } from '../../shared/conclusion/fonts-node.js';
import { renderConclusionPdf, type ConclusionFonts, type ConclusionPdfInput } from '../../shared/conclusion/render-pdf.js';
import { canonicalJson, conclusionVerificationCode, type ConclusionFacts } from '../../shared/conclusion/verification.js';

/**
 * The conclusion PDF as people and tools see it: pdftotext gets the Russian text back, and page 1
 * rasterised by pdftoppm matches a committed reference image. pdftotext alone would not notice a
 * font subset that draws blank glyphs (pdf-lib does that with some fonts), the pixels do.
 * Regenerate the reference after an intended layout change: UPDATE_CONCLUSION_REFERENCE=1.
 */
const REFERENCE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'conclusion-reference-p1.png');
const ALPHABET = 'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ абвгдеёжзийклмнопрстуфхцчшщъыьэюя';

const facts: ConclusionFacts = {
  requestId: '7b1a6d2e-3c4f-4a5b-9c8d-0e1f2a3b4c5d',
  version: 2,
  centre: 'bakulev',
  patient: { lastName: 'Ёлкина', firstName: 'Мария', middleName: 'Сергеевна', birthDate: '1964-02-01', snils: '11223344595' },
  doctor: { name: 'Петров Пётр Петрович', post: 'врач — сердечно-сосудистый хирург' },
  consultationDate: '2026-11-20T07:00:00.000Z',
  issuedAt: '2026-11-21T09:30:00.000Z',
  content: {
    complaints: `Одышка при подъёме на второй этаж, давящие боли за грудиной при ходьбе.\nВсе буквы: ${ALPHABET}.\nРазметка не работает: <b>жирный</b> **звёздочки** &amp; 中文`,
    anamnesis: 'Считает себя больной с 2019 года, когда впервые появились боли за грудиной при нагрузке. '.repeat(28).trim(),
    documentsReviewed: [
      { documentId: null, title: 'Выписка из истории болезни № 4521 от 12.10.2026 (ГАУЗ «РКБ»)' },
      { documentId: null, title: 'ЭхоКГ от 01.11.2026' },
      { documentId: null, title: 'Коронарография от 05.11.2026' },
    ],
    mainDiagnosis: { icd10: 'I25.1', text: 'Атеросклеротическая болезнь сердца. Стенокардия напряжения, ФК III' },
    secondaryDiagnoses: [
      { icd10: 'I10', text: 'Эссенциальная (первичная) гипертензия' },
      { icd10: 'E11.9', text: 'Сахарный диабет 2 типа без осложнений' },
    ],
    conclusion: 'Учитывая многососудистое поражение коронарного русла, пациентке показано хирургическое лечение: аортокоронарное шунтирование в плановом порядке. '.repeat(6).trim(),
    recommendations: 'Продолжить приём бета-блокаторов и статинов. Контроль АД ежедневно. Ещё раз: явка с документами.',
    outcome: 'invitation',
    proposedDates: ['2026-12-01', '2026-12-03'],
  },
};

let fonts: ConclusionFonts;
let input: ConclusionPdfInput;
let dir: string;

beforeAll(async () => {
  fonts = await loadConclusionFonts();
  input = { ...facts, correctsVersion: 1, verificationCode: await conclusionVerificationCode(facts), publicUrl: 'https://oblako.example.ru/' };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-pdf-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

const pdftotext = (file: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });

function rasterPage1(file: string): Buffer {
  const prefix = path.join(dir, `${path.basename(file, '.pdf')}-r`);
  execFileSync('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', '-singlefile', file, prefix]);
  return fs.readFileSync(`${prefix}.png`);
}

describe('conclusion PDF', () => {
  it('gives back the Russian text, page numbers, the verification block, and never interprets markup', async () => {
    const text = pdftotext(write('text.pdf', await renderConclusionPdf(input, fonts)));
    const flat = text.replace(/\s+/g, ' ');
    for (const phrase of [
      'Заключение по результатам телемедицинской консультации',
      '(исправленная версия 2)',
      'Национальный медицинский исследовательский центр',
      'Ёлкина Мария Сергеевна',
      '01.02.1964',
      '112-233-445 95',
      '20.11.2026 10:00 (МСК)',
      'дистанционно, видеосвязь',
      'Петров Пётр Петрович',
      'Выписка из истории болезни № 4521',
      'I25.1 — Атеросклеротическая болезнь сердца',
      'E11.9 — Сахарный диабет 2 типа',
      'Приглашение на очный приём',
      '01.12.2026',
      'Ещё раз: явка с документами.',
      ALPHABET,
      'Документ подписан в системе «Облако здоровья»',
      `https://oblako.example.ru/api/conclusions/verify/${input.verificationCode}`.slice(0, 60),
    ]) {
      expect(flat, phrase).toContain(phrase);
    }
    // Plain text: tags and entities are printed as typed; a character the font lacks becomes «?».
    expect(flat).toContain('<b>жирный</b> **звёздочки** &amp; ??');
    const pages = (await PDFDocument.load(await renderConclusionPdf(input, fonts))).getPageCount();
    expect(pages).toBeGreaterThan(1);
    for (let n = 1; n <= pages; n++) expect(flat).toContain(`стр. ${n} из ${pages}`);
    expect(flat).toContain(input.verificationCode!.slice(0, 4) + ' ' + input.verificationCode!.slice(4, 8));
  });

  it('renders page 1 like the reference image: no blank glyphs, same layout', async () => {
    const png = rasterPage1(write('page.pdf', await renderConclusionPdf(input, fonts)));
    if (process.env.UPDATE_CONCLUSION_REFERENCE === '1') fs.writeFileSync(REFERENCE, png);
    const actual = decodePng(png);
    const reference = decodePng(fs.readFileSync(REFERENCE));
    expect([actual.width, actual.height]).toEqual([reference.width, reference.height]);

    // Dark pixels stand for ink: a subset that blanks glyphs loses a visible share of them.
    const dark = (img: Image) => countPixels(img, (r, g, b) => r + g + b < 3 * 128);
    const inkRatio = dark(actual) / dark(reference);
    expect(inkRatio).toBeGreaterThan(0.98);
    expect(inkRatio).toBeLessThan(1.02);
    // Pixel by pixel, with room for a different rasteriser's anti-aliasing.
    let differing = 0;
    for (let i = 0; i < actual.data.length; i += 3) {
      const d = Math.max(Math.abs(actual.data[i]! - reference.data[i]!), Math.abs(actual.data[i + 1]! - reference.data[i + 1]!), Math.abs(actual.data[i + 2]! - reference.data[i + 2]!));
      if (d > 96) differing++;
    }
    expect(differing / (actual.width * actual.height)).toBeLessThan(0.005);
  });

  it('draws every Cyrillic letter with ink from the subsetted fonts, in both weights', async () => {
    // The renderer's own embedding (DejaVu, subset) with each letter alone in a box of a grid:
    // a blank glyph leaves its box white, which the whole-page comparison could average away.
    const letters = Array.from(ALPHABET.replace(' ', ''));
    const doc = await PDFDocument.create();
    doc.registerFontkit(fontkit);
    const weights = [await doc.embedFont(fonts.regular, { subset: true }), await doc.embedFont(fonts.bold, { subset: true })];
    const cell = 36;
    const cols = 12;
    const page = doc.addPage([cols * cell, Math.ceil((letters.length * 2) / cols) * cell]);
    const boxes: { x: number; y: number; label: string }[] = [];
    weights.forEach((font, w) =>
      letters.forEach((ch, i) => {
        const k = w * letters.length + i;
        const x = (k % cols) * cell;
        const top = Math.floor(k / cols) * cell;
        page.drawText(ch, { x: x + 8, y: page.getHeight() - top - cell + 9, size: 22, font });
        boxes.push({ x, y: top, label: `${ch} (${w ? 'bold' : 'regular'})` });
      }),
    );
    const file = write('letters.pdf', await doc.save());
    const prefix = path.join(dir, 'letters');
    execFileSync('pdftoppm', ['-r', '72', '-png', '-singlefile', file, prefix]);
    const img = decodePng(fs.readFileSync(`${prefix}.png`));
    const blank = boxes.filter((b) => {
      let ink = 0;
      for (let y = b.y; y < b.y + cell && y < img.height; y++) {
        for (let x = b.x; x < b.x + cell && x < img.width; x++) {
          const o = (y * img.width + x) * 3;
          if (img.data[o]! + img.data[o + 1]! + img.data[o + 2]! < 3 * 128) ink++;
        }
      }
      return ink < 15;
    });
    expect(blank.map((b) => b.label)).toEqual([]);
  });

  it('renders the same bytes for the same conclusion, and fixed metadata', async () => {
    const a = await renderConclusionPdf(input, fonts);
    const b = await renderConclusionPdf(input, fonts);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const later = await renderConclusionPdf({ ...input, issuedAt: '2026-11-21T09:31:00.000Z' }, fonts);
    expect(Buffer.from(a).equals(Buffer.from(later))).toBe(false);
    const doc = await PDFDocument.load(a, { updateMetadata: false });
    expect(doc.getTitle()).toBe('Заключение по результатам телемедицинской консультации');
    expect(doc.getProducer()).toBe('Облако здоровья');
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-11-21T09:30:00.000Z');
    expect(doc.getModificationDate()?.toISOString()).toBe('2026-11-21T09:30:00.000Z');
    // Both fonts embedded as subsets (with a ToUnicode map) under fixed names.
    const fontsTable = execFileSync('pdffonts', [write('fonts.pdf', a)], { encoding: 'utf8' });
    expect(fontsTable).toMatch(/OBLAKA\+DejaVuSans\s.*yes\s+yes\s+yes/);
    expect(fontsTable).toMatch(/OBLAKB\+DejaVuSans-Bold\s.*yes\s+yes\s+yes/);
  });

  it('a draft carries the watermark and no verification block; a conclusion by documents says so', async () => {
    const draft = await renderConclusionPdf({ ...input, correctsVersion: null, verificationCode: null, draft: true }, fonts);
    const doc = await PDFDocument.load(draft, { updateMetadata: false });
    expect(doc.getTitle()).toContain('черновик');
    const text = pdftotext(write('draft.pdf', draft)).replace(/\s+/g, ' ');
    expect(text).not.toContain('Код проверки');
    expect(text).toContain('Черновик');
    // The watermark is drawn: the draft page has more ink than the issued one.
    const issuedPage = countPixels(decodePng(rasterPage1(write('issued.pdf', await renderConclusionPdf({ ...input, correctsVersion: null }, fonts)))), (r, g, b) => r + g + b < 3 * 235);
    const draftPage = countPixels(decodePng(rasterPage1(write('draft2.pdf', draft))), (r, g, b) => r + g + b < 3 * 235);
    expect(draftPage).toBeGreaterThan(issuedPage * 1.05);

    const byDocuments = await renderConclusionPdf({ ...input, consultationDate: null }, fonts);
    expect(pdftotext(write('docs.pdf', byDocuments))).toContain('заочно, по документам');
  });

  it('hashes canonical JSON: key order and whitespace do not matter, every fact does', async () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: 'ё' } })).toBe('{"a":{"c":"ё","d":[2,{"y":null,"z":1}]},"b":1}');
    const code = await conclusionVerificationCode(facts);
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(facts).reverse()))) as ConclusionFacts;
    expect(await conclusionVerificationCode(reordered)).toBe(code);
    expect(await conclusionVerificationCode({ ...facts, version: 3 })).not.toBe(code);
    expect(await conclusionVerificationCode({ ...facts, patient: { ...facts.patient, snils: null } })).not.toBe(code);
    expect(await conclusionVerificationCode({ ...facts, content: { ...facts.content, recommendations: 'Другое' } })).not.toBe(code);
  });
});

interface Image {
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel, rows top to bottom. */
  data: Uint8Array;
}

function countPixels(img: Image, test: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 3) if (test(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!)) n++;
  return n;
}

/** Enough PNG for pdftoppm's output: 8-bit grey or RGB, not interlaced. */
function decodePng(buf: Buffer): Image {
  if (!buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8];
      const colour = body[9];
      if (depth !== 8 || body[12] !== 0 || (colour !== 0 && colour !== 2)) throw new Error(`unsupported PNG (depth ${depth}, colour ${colour})`);
      channels = colour === 2 ? 3 : 1;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 3);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? cur[x - channels]! : 0;
      const b = prev[x]!;
      const c = x >= channels ? prev[x - channels]! : 0;
      let v = line[x]!;
      switch (filter) {
        case 0:
          break;
        case 1:
          v += a;
          break;
        case 2:
          v += b;
          break;
        case 3:
          v += (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`bad PNG filter ${filter}`);
      }
      cur[x] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (channels === 3) out.set(cur.subarray(x * 3, x * 3 + 3), o);
      else out.fill(cur[x]!, o, o + 3);
    }
    prev = cur;
  }
  return { width, height, data: out };
}
