import { deflateRawSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import type { ImportOutcome } from '../../shared/domain/batch-import.js';
import type { BatchStatus, ReferralBatch } from '../../shared/domain/referrals.js';
import { findCentre, findProfile, findRegion } from '../../shared/reference/index.js';
import { colName, emptyCell, numberCell, textCell, widthOf, workbookParts } from '../../shared/xlsx/sheet-writer.js';
import { zipFiles } from '../../shared/xlsx/zip-write.js';
import type { Actor } from '../auth/actor.js';
import type { Database } from '../db/schema.js';
import { forbidden } from '../errors.js';
import { createLogger } from '../logger.js';
import { getVisibleBatch } from './referral-batches.js';

/**
 * The per-batch report (XLSX) for the physician who sent a table and the manager who imported it:
 * what became of every row. Sheet «Итог» describes the batch and counts the outcomes; sheet
 * «Строки» has one line per row of the table, including rows the file check rejected before the
 * batch was sent, with the outcome coloured and the reason. Patient logins are listed for created
 * rows (the patient gets them by SMS anyway); passwords never are.
 */
const log = createLogger('batch-report');

export interface BatchReport {
  fileName: string;
  bytes: Uint8Array;
  /** Patients named in the report (for the audit event). */
  patientIds: string[];
}

/** What became of a row, as the report says it. */
type ReportOutcome = ImportOutcome | 'not_imported' | 'file_rejected';

export const OUTCOME_LABELS: Record<ReportOutcome, string> = {
  created: 'Создан пациент',
  linked: 'Связан с существующим',
  skipped: 'Пропущено',
  rejected: 'Отклонено',
  not_imported: 'Не импортировано',
  file_rejected: 'Отклонено при проверке файла',
};

const STATUS_LABELS: Record<BatchStatus, string> = {
  sent: 'Отправлена, ещё не импортирована',
  importing: 'Импортируется',
  imported: 'Импортирована',
  rejected: 'Отклонена',
};

const SHEET_SUMMARY = 'Итог';
const SHEET_ROWS = 'Строки';
const AUTHOR = 'Облако здоровья';
const IN_CHUNK = 500;

// Style indexes in STYLES' cellXfs.
const S = {
  header: 1,
  text: 2,
  number: 3,
  title: 4,
  label: 5,
  wrap: 6,
  created: 7,
  linked: 8,
  skipped: 9,
  rejected: 10,
  notImported: 11,
} as const;

const OUTCOME_STYLE: Record<ReportOutcome, number> = {
  created: S.created,
  linked: S.linked,
  skipped: S.skipped,
  rejected: S.rejected,
  not_imported: S.notImported,
  file_rejected: S.rejected,
};

// Fills: green (created), blue (linked), grey (skipped), pink (rejected), yellow (not imported),
// with the matching dark font Excel uses for its own "good / neutral / bad" styles.
const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="7"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font><font><sz val="11"/><color rgb="FF006100"/><name val="Calibri"/><family val="2"/></font><font><sz val="11"/><color rgb="FF9C0006"/><name val="Calibri"/><family val="2"/></font><font><sz val="11"/><color rgb="FF9C5700"/><name val="Calibri"/><family val="2"/></font><font><sz val="11"/><color rgb="FF1F4E78"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="8"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFC6EFCE"/><bgColor indexed="64"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFBDD7EE"/><bgColor indexed="64"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFEDEDED"/><bgColor indexed="64"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFFFEB9C"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="12">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="49" fontId="1" fillId="2" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment horizontal="left" vertical="top"/></xf>
<xf numFmtId="49" fontId="2" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>
<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="49" fontId="3" fillId="3" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="49" fontId="6" fillId="4" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="49" fontId="0" fillId="5" borderId="1" xfId="0" applyNumberFormat="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="49" fontId="4" fillId="6" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="49" fontId="5" fillId="7" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment vertical="top"/></xf>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>`;

export const ROW_HEADERS = ['№ строки', 'ФИО', 'Дата рождения', 'СНИЛС', 'Центр', 'Профиль', 'Итог', 'Причина', 'Логин пациента', 'Заявка'] as const;

interface ReportLine {
  row: number;
  fullName: string;
  birthDate: string;
  snils: string;
  centre: string;
  profile: string;
  outcome: ReportOutcome;
  reason: string;
  login: string;
  requestId: string;
}

/** `1985-03-14` → `14.03.1985`. */
const ruDate = (iso: string) => (/^\d{4}-\d{2}-\d{2}/.test(iso) ? `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}` : iso);

/** A timestamp in Moscow time (UTC+3, no daylight saving since 2014), the programme's clock. */
function ruDateTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const msk = new Date(t + 3 * 3_600_000).toISOString();
  return `${ruDate(msk)} ${msk.slice(11, 16)} МСК`;
}

/** `11223344595` → `112-233-445 95`, the way СНИЛС is written on the card. */
const snilsText = (s: string) => (/^\d{11}$/.test(s) ? `${s.slice(0, 3)}-${s.slice(3, 6)}-${s.slice(6, 9)} ${s.slice(9)}` : s);

/**
 * The download's file name: no path separators, control or reserved characters (Windows refuses
 * them, and a slash would be a path), single spaces, bounded length.
 */
export function reportFileName(title: string, at: Date): string {
  const clean = title
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120)
    .trim();
  // A title of dots alone (`..`) means nothing as a name and looks like a path.
  const named = /[^.\s]/.test(clean) ? clean : 'таблица направлений';
  return `Отчёт — ${named} — ${ruDate(at.toISOString())}.xlsx`;
}

async function inChunks<T, R>(items: readonly T[], f: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += IN_CHUNK) out.push(...(await f(items.slice(i, i + IN_CHUNK))));
  return out;
}

export async function buildBatchReport(db: Kysely<Database>, actor: Actor, batchId: string): Promise<BatchReport> {
  if (actor.role !== 'physician' && actor.role !== 'manager') throw forbidden();
  // A physician sees their own batches, the manager all; anything else is "not found".
  const batch = await getVisibleBatch(db, actor, batchId);
  const outcomes = await db
    .selectFrom('batch_import_rows')
    .select(['row', 'outcome', 'patient_id', 'request_id', 'reason'])
    .where('batch_id', '=', batch.id)
    .execute();
  const byRow = new Map(outcomes.map((o) => [Number(o.row), o]));
  const created = [...new Set(outcomes.filter((o) => o.outcome === 'created' && o.patient_id).map((o) => o.patient_id ?? ''))];
  const logins = new Map<string, string>();
  const accounts = await inChunks(created, (ids) =>
    db.selectFrom('users').select(['login', 'patient_id']).where('role', '=', 'patient').where('patient_id', 'in', ids).execute(),
  );
  for (const a of accounts) if (a.patient_id) logins.set(a.patient_id, a.login);
  const submitter =
    batch.submittedBy && batch.submittedBy !== batch.physicianId
      ? ((await db.selectFrom('users').select('full_name').where('id', '=', batch.submittedBy).executeTakeFirst())?.full_name ?? null)
      : null;

  const lines: ReportLine[] = [];
  for (const r of batch.rows) {
    const f = r.fields;
    const o = byRow.get(r.row);
    const outcome: ReportOutcome = o ? (o.outcome as ImportOutcome) : 'not_imported';
    lines.push({
      row: r.row,
      fullName: [f.lastName, f.firstName, f.middleName].filter((s): s is string => !!s).join(' '),
      birthDate: ruDate(f.birthDate),
      snils: snilsText(f.snils),
      centre: findCentre(f.centre)?.shortName ?? f.centre,
      profile: findProfile(f.centre, f.profile)?.name ?? f.profile,
      outcome: outcome in OUTCOME_LABELS ? outcome : 'not_imported',
      reason: o?.reason ?? (o ? '' : notImportedReason(batch.status)),
      login: outcome === 'created' && o?.patient_id ? (logins.get(o.patient_id) ?? '') : '',
      requestId: o?.request_id ?? '',
    });
  }
  for (const r of batch.rejectedRows) {
    lines.push({ row: r.row, fullName: r.label, birthDate: '', snils: '', centre: '', profile: '', outcome: 'file_rejected', reason: r.reason, login: '', requestId: '' });
  }
  lines.sort((a, b) => a.row - b.row);

  const now = new Date();
  const bytes = zipFiles(
    workbookParts({
      sheets: [
        { name: SHEET_SUMMARY, xml: summarySheet(batch, lines, submitter, now) },
        { name: SHEET_ROWS, xml: rowsSheet(lines) },
      ],
      styles: STYLES,
      title: `Отчёт — ${batch.title}`,
      author: AUTHOR,
    }),
    (raw) => deflateRawSync(raw, { level: 9 }),
  );
  const patientIds = [...new Set(outcomes.flatMap((o) => (o.patient_id ? [o.patient_id] : [])))];
  log.debug({ batchId: batch.id, rows: lines.length, bytes: bytes.byteLength }, 'batch report built');
  return { fileName: reportFileName(batch.title, now), bytes, patientIds };
}

function notImportedReason(status: BatchStatus): string {
  if (status === 'sent') return 'Таблица ещё не импортирована.';
  if (status === 'importing') return 'Импорт ещё идёт.';
  if (status === 'rejected') return 'Таблица отклонена.';
  return 'Импорт строки не завершён: запустите импорт таблицы ещё раз.';
}

const WORKSHEET_OPEN = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`;
const PAGE_MARGINS = '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>';

function summarySheet(batch: ReferralBatch, lines: readonly ReportLine[], submitter: string | null, now: Date): string {
  const count = (...o: ReportOutcome[]) => lines.filter((l) => o.includes(l.outcome)).length;
  const region = batch.region ? (findRegion(batch.region)?.name ?? batch.region) : null;
  const info: [string, string][] = [
    ['Таблица', batch.title],
    ['Файл', batch.fileName ?? '—'],
    ['Врач', batch.physicianName],
    ['Источник', batch.source === 'file' ? 'Файл, принятый руководителем проекта' : 'Отправлена врачом из приложения'],
    ...(submitter ? [['Принял', submitter] as [string, string]] : []),
    ...(batch.referrer ? [['Отправитель', batch.referrer] as [string, string]] : []),
    ...(batch.organization ? [['Направившая организация', batch.organization] as [string, string]] : []),
    ...(region ? [['Регион', region] as [string, string]] : []),
    ['Получена', ruDateTime(batch.receivedAt ?? batch.createdAt)],
    ['Состояние', STATUS_LABELS[batch.status]],
    ['Отчёт сформирован', ruDateTime(now.toISOString())],
  ];
  const counts: [string, number, number | null][] = [
    ['Всего строк', lines.length, null],
    ['Создано пациентов', count('created'), S.created],
    ['Связано с существующими', count('linked'), S.linked],
    ['Пропущено', count('skipped'), S.skipped],
    ['Отклонено', count('rejected', 'file_rejected'), S.rejected],
    ['  в т. ч. при проверке файла', count('file_rejected'), null],
    ['Не импортировано', count('not_imported'), S.notImported],
  ];
  let r = 1;
  let rows = `<row r="${r}">${textCell(`A${r}`, 'Отчёт по таблице направлений', S.title)}</row>`;
  r += 2;
  for (const [label, value] of info) {
    rows += `<row r="${r}">${textCell(`A${r}`, label, S.label)}${textCell(`B${r}`, value, S.wrap)}</row>`;
    r += 1;
  }
  r += 1;
  rows += `<row r="${r}">${textCell(`A${r}`, 'Итог', S.header)}${textCell(`B${r}`, 'Строк', S.header)}</row>`;
  r += 1;
  for (const [label, value, style] of counts) {
    rows += `<row r="${r}">${textCell(`A${r}`, label, style ?? S.label)}${numberCell(`B${r}`, value, S.number)}</row>`;
    r += 1;
  }
  const widthA = widthOf([...info.map((i) => i[0]), ...counts.map((c) => c[0])], 20, 40);
  const widthB = widthOf(info.map((i) => i[1]), 20, 80);
  return `${WORKSHEET_OPEN}
<dimension ref="A1:B${r - 1}"/>
<sheetViews><sheetView workbookViewId="0"/></sheetViews>
<sheetFormatPr defaultRowHeight="15"/>
<cols><col min="1" max="1" width="${widthA}" customWidth="1"/><col min="2" max="2" width="${widthB}" customWidth="1"/></cols>
<sheetData>${rows}</sheetData>
${PAGE_MARGINS}
</worksheet>`;
}

function rowsSheet(lines: readonly ReportLine[]): string {
  const texts: string[][] = ROW_HEADERS.map((h) => [h]);
  let rows = `<row r="1" ht="32" customHeight="1">${ROW_HEADERS.map((h, i) => textCell(`${colName(i)}1`, h, S.header)).join('')}</row>`;
  lines.forEach((l, i) => {
    const r = i + 2;
    const values = [l.fullName, l.birthDate, l.snils, l.centre, l.profile, OUTCOME_LABELS[l.outcome], l.reason, l.login, l.requestId];
    let cells = numberCell(`A${r}`, l.row, S.number);
    texts[0]?.push(String(l.row));
    values.forEach((v, j) => {
      const c = j + 1;
      const ref = `${colName(c)}${r}`;
      const style = c === 6 ? OUTCOME_STYLE[l.outcome] : c === 7 ? S.wrap : S.text;
      // The outcome cell is always written, so its fill shows even if the label were empty.
      cells += v === '' ? (style === S.text || style === S.wrap ? '' : emptyCell(ref, style)) : textCell(ref, v, style);
      if (v !== '') texts[c]?.push(v);
    });
    rows += `<row r="${r}">${cells}</row>`;
  });
  const last = `${colName(ROW_HEADERS.length - 1)}${lines.length + 1}`;
  const cols = ROW_HEADERS.map((_, i) => {
    const w = i === 0 ? widthOf(texts[i] ?? [], 8, 10) : i === 7 ? widthOf(texts[i] ?? [], 20, 60) : widthOf(texts[i] ?? [], 10, 40);
    return `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`;
  }).join('');
  return `${WORKSHEET_OPEN}
<dimension ref="A1:${last}"/>
<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>
<sheetFormatPr defaultRowHeight="15"/>
<cols>${cols}</cols>
<sheetData>${rows}</sheetData>
${PAGE_MARGINS}
</worksheet>`;
}
