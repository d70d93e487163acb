import fontkit from '@pdf-lib/fontkit';
import { degrees, grayscale, PDFDocument, rgb, type Color, type PDFFont, type PDFPage } from 'pdf-lib';
import qrcode from 'qrcode-generator';
import type { ConclusionDraftContent } from '../domain/conclusions.js';
import { findCentre } from '../reference/index.js';
import { groupCode, verificationUrl, type ConclusionFacts } from './verification.js';

/** DejaVu Sans regular and bold (TTF bytes): the caller loads them (`fonts-node.ts` in Node). */
export interface ConclusionFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

/**
 * What the PDF shows. `content` may be a draft (the desktop preview): an issued conclusion's
 * content is a `ConclusionContent`, which fits this type too.
 */
export interface ConclusionPdfInput extends Omit<ConclusionFacts, 'content'> {
  content: ConclusionDraftContent;
  /** For a correction: the version it replaces (the title then says «исправленная версия N»). */
  correctsVersion: number | null;
  /** Printed with the QR code; null only for a draft. */
  verificationCode: string | null;
  /** The central API's public address (the QR code points at its verification endpoint). */
  publicUrl: string;
  /** Desktop preview: a «ЧЕРНОВИК» watermark on every page and no verification block. */
  draft?: boolean;
}

export const CONCLUSION_TITLE = 'Заключение по результатам телемедицинской консультации';
export const CONCLUSION_PRODUCER = 'Облако здоровья';

// A4 in points, and the page frame.
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN_L = 62;
const MARGIN_R = 48;
const MARGIN_T = 50;
const MARGIN_B = 62;
const TEXT_W = PAGE_W - MARGIN_L - MARGIN_R;

const BODY = 10.5;
const SMALL = 8.5;
const HEADING = 11;
const TITLE = 13.5;
const LEADING = 1.32;

const INK = rgb(0.08, 0.08, 0.1);
const MUTED = rgb(0.35, 0.35, 0.4);
const RULE = rgb(0.6, 0.6, 0.65);

/**
 * Renders a conclusion as an A4 PDF. Every text is drawn as plain text (nothing is interpreted as
 * markup); characters the font lacks become «?». The output depends on the input only: fixed
 * metadata, dates taken from `issuedAt`, font subsets under fixed names, so the same conclusion
 * renders the same bytes on the server and on the desktop.
 */
export async function renderConclusionPdf(input: ConclusionPdfInput, fonts: ConclusionFonts): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  // The subset tag is fixed (pdf-lib would add a random suffix to the name otherwise).
  const regular = await doc.embedFont(fonts.regular, { subset: true, customName: 'OBLAKA+DejaVuSans' });
  const bold = await doc.embedFont(fonts.bold, { subset: true, customName: 'OBLAKB+DejaVuSans-Bold' });

  const issued = new Date(input.issuedAt);
  doc.setTitle(input.draft ? `${CONCLUSION_TITLE} (черновик)` : CONCLUSION_TITLE);
  doc.setSubject(input.draft ? 'Черновик' : `Версия ${input.version}`);
  doc.setProducer(CONCLUSION_PRODUCER);
  doc.setCreator(CONCLUSION_PRODUCER);
  doc.setLanguage('ru-RU');
  doc.setCreationDate(issued);
  doc.setModificationDate(issued);

  const w = new Writer(doc, regular, bold, !!input.draft);
  drawHeader(w, input);
  drawIdentity(w, input);
  drawBody(w, input.content);
  drawSignature(w, input);
  if (!input.draft && input.verificationCode) drawVerification(w, input.verificationCode, input.publicUrl);
  else if (input.draft) w.paragraph('Черновик: код проверки и QR-код появятся после выдачи заключения.', { size: SMALL, color: MUTED, gapBefore: 10 });
  w.finish(input);

  return doc.save({ useObjectStreams: true });
}

type Style = { font?: PDFFont; size?: number; color?: Color; indent?: number; gapBefore?: number; align?: 'left' | 'center' };

/** Lays text out top to bottom across as many pages as it needs. */
class Writer {
  readonly pages: PDFPage[] = [];
  page!: PDFPage;
  y = 0;
  private readonly charsets = new Map<PDFFont, Set<number>>();

  constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
    private readonly draft: boolean,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage([PAGE_W, PAGE_H]);
    this.pages.push(this.page);
    this.y = PAGE_H - MARGIN_T;
  }

  private watermark(page: PDFPage): void {
    const text = 'ЧЕРНОВИК';
    const size = 92;
    const width = this.bold.widthOfTextAtSize(text, size);
    // Centred along the page diagonal, over the text but translucent, so it cannot be missed or hidden.
    const angle = Math.atan2(PAGE_H, PAGE_W);
    const x = PAGE_W / 2 - (Math.cos(angle) * width) / 2 + (Math.sin(angle) * size * 0.35);
    const y = PAGE_H / 2 - (Math.sin(angle) * width) / 2 - (Math.cos(angle) * size * 0.35);
    page.drawText(text, { x, y, size, font: this.bold, color: grayscale(0.45), opacity: 0.22, rotate: degrees((angle * 180) / Math.PI) });
  }

  /** Room for `height` points on this page, or a new page. */
  ensure(height: number): void {
    if (this.y - height < MARGIN_B) this.newPage();
  }

  /** The text with what the font cannot draw replaced: no control characters, no missing glyphs. */
  clean(text: string, font: PDFFont): string {
    let set = this.charsets.get(font);
    if (!set) {
      set = new Set(font.getCharacterSet());
      this.charsets.set(font, set);
    }
    let out = '';
    for (const ch of text.normalize('NFC')) {
      const cp = ch.codePointAt(0) ?? 0x3f;
      if (ch === '\n') out += ch;
      else if (ch === '\t' || cp === 0xa0) out += ' ';
      else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp === 0xad) continue;
      else out += set.has(cp) ? ch : '?';
    }
    return out;
  }

  lineHeight(size: number): number {
    return size * LEADING;
  }

  /** Wrapped lines of `text` within `width` (paragraph breaks kept; an over-long word is split). */
  wrap(text: string, font: PDFFont, size: number, width: number): string[] {
    const lines: string[] = [];
    for (const para of text.replace(/\r\n?|[\u2028\u2029]/g, '\n').split('\n')) {
      const words = para.split(/ +/).filter((s, i, all) => s !== '' || all.length === 1);
      let line = '';
      for (const word of words) {
        const candidate = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(candidate, size) <= width) {
          line = candidate;
          continue;
        }
        if (line) lines.push(line);
        line = '';
        // A word wider than the line (a long code, a URL): break it by characters.
        let rest = word;
        while (font.widthOfTextAtSize(rest, size) > width) {
          let n = 1;
          const chars = Array.from(rest);
          while (n < chars.length && font.widthOfTextAtSize(chars.slice(0, n + 1).join(''), size) <= width) n++;
          lines.push(chars.slice(0, n).join(''));
          rest = chars.slice(n).join('');
        }
        line = rest;
      }
      lines.push(line);
    }
    return lines;
  }

  paragraph(text: string, style: Style = {}): void {
    const font = style.font ?? this.regular;
    const size = style.size ?? BODY;
    const indent = style.indent ?? 0;
    const lh = this.lineHeight(size);
    const lines = this.wrap(this.clean(text, font), font, size, TEXT_W - indent);
    if (style.gapBefore) {
      if (this.y - style.gapBefore - lh < MARGIN_B) this.newPage();
      else this.y -= style.gapBefore;
    }
    for (const line of lines) {
      this.ensure(lh);
      this.y -= lh;
      if (line === '') continue;
      const x = style.align === 'center' ? MARGIN_L + (TEXT_W - font.widthOfTextAtSize(line, size)) / 2 : MARGIN_L + indent;
      this.page.drawText(line, { x, y: this.y + size * 0.25, size, font, color: style.color ?? INK });
    }
  }

  /** «Label: value» with the value wrapped beside the label. */
  field(label: string, value: string, labelWidth = 150): void {
    const lh = this.lineHeight(BODY);
    const lines = this.wrap(this.clean(value, this.regular), this.regular, BODY, TEXT_W - labelWidth);
    this.ensure(lh * Math.min(lines.length, 2));
    this.y -= lh;
    this.page.drawText(this.clean(label, this.bold), { x: MARGIN_L, y: this.y + BODY * 0.25, size: BODY, font: this.bold, color: INK });
    lines.forEach((line, i) => {
      if (i > 0) {
        this.ensure(lh);
        this.y -= lh;
      }
      if (line) this.page.drawText(line, { x: MARGIN_L + labelWidth, y: this.y + BODY * 0.25, size: BODY, font: this.regular, color: INK });
    });
  }

  heading(text: string): void {
    // A heading is never the last line of a page.
    const need = 12 + this.lineHeight(HEADING) + 2 * this.lineHeight(BODY);
    if (this.y - need < MARGIN_B) this.newPage();
    else this.y -= 12;
    this.paragraph(text, { font: this.bold, size: HEADING });
    this.y -= 2;
  }

  rule(gap = 8): void {
    this.ensure(gap * 2);
    this.y -= gap;
    this.page.drawLine({ start: { x: MARGIN_L, y: this.y }, end: { x: PAGE_W - MARGIN_R, y: this.y }, thickness: 0.6, color: RULE });
    this.y -= gap;
  }

  /** Page numbers and the running footer, once the page count is known. */
  finish(input: ConclusionPdfInput): void {
    const total = this.pages.length;
    const left = this.clean(input.draft ? 'Черновик заключения' : `Заключение, версия ${input.version} · выдано ${formatDate(input.issuedAt)}`, this.regular);
    this.pages.forEach((page, i) => {
      const num = `стр. ${i + 1} из ${total}`;
      const y = MARGIN_B - 30;
      page.drawLine({ start: { x: MARGIN_L, y: y + 12 }, end: { x: PAGE_W - MARGIN_R, y: y + 12 }, thickness: 0.4, color: RULE });
      page.drawText(left, { x: MARGIN_L, y, size: SMALL, font: this.regular, color: MUTED });
      page.drawText(num, { x: PAGE_W - MARGIN_R - this.regular.widthOfTextAtSize(num, SMALL), y, size: SMALL, font: this.regular, color: MUTED });
      if (this.draft) this.watermark(page);
    });
  }
}

function drawHeader(w: Writer, input: ConclusionPdfInput): void {
  const centre = findCentre(input.centre);
  w.paragraph(centre?.fullName ?? input.centre, { font: w.bold, size: BODY, align: 'center' });
  w.paragraph('Телемедицинские консультации «Облако здоровья»', { size: SMALL, color: MUTED, align: 'center' });
  w.rule(8);
  w.paragraph(CONCLUSION_TITLE, { font: w.bold, size: TITLE, align: 'center', gapBefore: 4 });
  if (input.correctsVersion !== null) {
    w.paragraph(`(исправленная версия ${input.version})`, { font: w.bold, size: BODY, align: 'center' });
    w.paragraph(`Заменяет версию ${input.correctsVersion}; прежние версии сохранены.`, { size: SMALL, color: MUTED, align: 'center' });
  } else if (!input.draft) {
    w.paragraph(`Версия ${input.version}`, { size: SMALL, color: MUTED, align: 'center' });
  }
  w.y -= 8;
}

function drawIdentity(w: Writer, input: ConclusionPdfInput): void {
  const p = input.patient;
  w.field('Пациент:', [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' '));
  w.field('Дата рождения:', formatIsoDate(p.birthDate));
  w.field('СНИЛС:', p.snils ? formatSnils(p.snils) : 'не указан');
  if (input.consultationDate) {
    w.field('Дата консультации:', `${formatDateTime(input.consultationDate)} (МСК)`);
    w.field('Форма консультации:', 'дистанционно, видеосвязь');
  } else {
    w.field('Форма консультации:', 'заочно, по документам');
  }
  w.field('Врач:', [input.doctor.name, input.doctor.post].filter(Boolean).join(', '));
  w.rule(8);
}

function drawBody(w: Writer, c: ConclusionDraftContent): void {
  const section = (title: string, text: string) => {
    w.heading(title);
    w.paragraph(text.trim() || '—');
  };
  section('Жалобы', c.complaints);
  section('Анамнез', c.anamnesis);

  w.heading('Изученные документы');
  if (c.documentsReviewed.length === 0) w.paragraph('—');
  c.documentsReviewed.forEach((d, i) => w.paragraph(`${i + 1}. ${d.title}`, { indent: 10 }));

  w.heading('Основной диагноз');
  w.paragraph(c.mainDiagnosis ? diagnosisLine(c.mainDiagnosis) : '—');
  if (c.secondaryDiagnoses.length > 0) {
    w.heading('Сопутствующие диагнозы');
    for (const d of c.secondaryDiagnoses) w.paragraph(diagnosisLine(d), { indent: 10 });
  }

  section('Заключение', c.conclusion);
  section('Рекомендации', c.recommendations);

  if (c.outcome === 'invitation') {
    w.heading('Приглашение на очный приём');
    w.paragraph('Пациент приглашается на очный приём в центр. Предлагаемые даты:');
    if (c.proposedDates.length === 0) w.paragraph('—', { indent: 10 });
    for (const d of c.proposedDates) w.paragraph(`• ${formatIsoDate(d)}`, { indent: 10 });
    w.paragraph('О выбранной дате сообщите в центр через личный кабинет или лечащего врача.', { size: SMALL, color: MUTED, gapBefore: 2 });
  }
}

function diagnosisLine(d: { icd10: string; text: string }): string {
  return d.icd10 ? `${d.icd10} — ${d.text}` : d.text;
}

function drawSignature(w: Writer, input: ConclusionPdfInput): void {
  const lh = w.lineHeight(BODY);
  if (w.y - (18 + lh * 4) < MARGIN_B) w.newPage();
  else w.y -= 18;
  w.field('Врач:', input.doctor.name || '—', 110);
  if (input.doctor.post) w.field('Должность:', input.doctor.post, 110);
  w.field('Дата:', input.draft ? '—' : formatDate(input.issuedAt), 110);
  w.paragraph(input.draft ? 'Черновик: документ не подписан и не имеет силы медицинского заключения.' : 'Документ подписан в системе «Облако здоровья»', {
    size: SMALL,
    color: MUTED,
    gapBefore: 4,
  });
}

const QR_SIZE = 96;

function drawVerification(w: Writer, code: string, publicUrl: string): void {
  const url = verificationUrl(publicUrl, code);
  const height = QR_SIZE + 8;
  w.ensure(height + 16);
  w.y -= 16;
  const top = w.y;
  drawQr(w.page, url, MARGIN_L, top - QR_SIZE, QR_SIZE);

  const x = MARGIN_L + QR_SIZE + 16;
  const width = PAGE_W - MARGIN_R - x;
  let y = top - SMALL;
  const line = (text: string, font: PDFFont, size: number) => {
    for (const l of w.wrap(w.clean(text, font), font, size, width)) {
      w.page.drawText(l, { x, y, size, font, color: INK });
      y -= size * LEADING;
    }
  };
  line('Проверка подлинности', w.bold, BODY);
  line('Отсканируйте QR-код или откройте адрес ниже: сервис покажет, выдано ли заключение и не заменено ли оно исправленной версией.', w.regular, SMALL);
  line(url, w.regular, SMALL);
  y -= 3;
  line('Код проверки:', w.bold, SMALL);
  const groups = groupCode(code, 4);
  line(groups.slice(0, 8).join(' '), w.regular, BODY);
  line(groups.slice(8).join(' '), w.regular, BODY);
  w.y = Math.min(top - QR_SIZE, y) - 4;
}

/** The QR code as filled rectangles (one per run of dark modules in a row), with its quiet zone left white. */
function drawQr(page: PDFPage, text: string, x: number, y: number, size: number): void {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 2;
  const cell = size / (n + quiet * 2);
  const black = rgb(0, 0, 0);
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!qr.isDark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && qr.isDark(row, col)) col++;
      page.drawRectangle({
        x: x + (quiet + start) * cell,
        y: y + size - (quiet + row + 1) * cell,
        width: (col - start) * cell,
        height: cell,
        color: black,
      });
    }
  }
}

// Dates as printed: Moscow time (UTC+3 all year since 2014), dd.mm.yyyy.
const MSK_OFFSET_MS = 3 * 3_600_000;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function formatDate(iso: string): string {
  const d = new Date(Date.parse(iso) + MSK_OFFSET_MS);
  return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
}

export function formatDateTime(iso: string): string {
  const d = new Date(Date.parse(iso) + MSK_OFFSET_MS);
  return `${formatDate(iso)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** `1980-02-01` → `01.02.1980` (a calendar date, no time zone). */
export function formatIsoDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : date;
}

export function formatSnils(digits: string): string {
  return /^\d{11}$/.test(digits) ? `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)} ${digits.slice(9)}` : digits;
}
