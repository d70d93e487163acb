import { writeFile } from 'node:fs/promises';
import { REFERRAL_COLUMNS, ROW_NUMBER_COLUMN, SEX_VALUES, URGENCY_VALUES } from '../../../shared/referral/columns.js';
import { CENTRES, REGIONS } from '../../../shared/reference/index.js';
import { colName, escapeXml } from '../../../shared/xlsx/sheet-writer.js';
import { zipFiles } from './zip-write.js';

/**
 * The referral-table template, written as SpreadsheetML by hand (SheetJS community writes
 * neither styles nor data validations): a styled, frozen header from the shared column spec,
 * text-formatted identifier columns (so СНИЛС keeps its leading zero and a 16-digit ЕНП keeps its
 * last digit), dropdowns for centre, profile, region, sex and urgency, an instructions sheet and a
 * hidden reference sheet. Lists longer than Excel's 255-character inline limit (which corrupts
 * the file) are ranges on the hidden sheet, reached through defined names.
 */
export const TEMPLATE_DATA_ROWS = 5000;
const SHEET_DATA = 'Направления';
const SHEET_HELP = 'Инструкция';
const SHEET_LISTS = 'Справочники';

const esc = escapeXml;
const cell = (ref: string, text: string, style = 0) => `<c r="${ref}" t="inlineStr"${style ? ` s="${style}"` : ''}><is><t xml:space="preserve">${esc(text)}</t></is></c>`;

// Style indexes in styles.xml's cellXfs.
const S = { headerOptional: 1, headerRequired: 2, text: 3, date: 4, title: 5, wrap: 6, integer: 7 } as const;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="dd\\.mm\\.yyyy"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFFCE4D6"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="8">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="0" fontId="1" fillId="3" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>`;

const HINTS: Record<string, string> = {
  lastName: 'Как в паспорте.',
  firstName: 'Как в паспорте.',
  middleName: 'Если есть.',
  sex: 'Выберите «м» или «ж».',
  birthDate: 'ДД.ММ.ГГГГ, например 01.02.1980.',
  snils: '11 цифр, можно с дефисами: 112-233-445 95.',
  enp: '16 цифр полиса ОМС единого образца.',
  phone: 'Мобильный: на него придёт SMS с логином и паролем. Например 8 912 345-67-89.',
  region: 'Выберите из списка.',
  referringOrganization: 'Полное или краткое название.',
  attendingPhysician: 'ФИО лечащего врача.',
  centre: 'Выберите из списка.',
  profile: 'Выберите из списка; профиль должен относиться к выбранному центру.',
  icd10: 'Код по МКБ-10, например I48 или Q21.0.',
  diagnosis: 'Диагноз словами.',
  complaints: 'Кратко.',
  urgency: 'Выберите «плановая» или «неотложная».',
  pregnancyWeeks: 'Целое число недель; обязательно для профилей, связанных с беременностью и плодом.',
  note: 'Любые пояснения.',
};

interface ListRange {
  name: string;
  column: string;
  title: string;
  values: string[];
}

function lists(): ListRange[] {
  return [
    { name: 'list_centres', column: 'A', title: 'Справочник центров', values: CENTRES.map((c) => c.shortName) },
    { name: 'list_profiles', column: 'B', title: 'Справочник профилей', values: CENTRES.flatMap((c) => c.profiles.map((p) => p.name)) },
    { name: 'list_regions', column: 'C', title: 'Справочник регионов', values: REGIONS.map((r) => r.name) },
    { name: 'list_sex', column: 'D', title: 'Значения пола', values: Object.values(SEX_VALUES).map((v) => v.label) },
    { name: 'list_urgency', column: 'E', title: 'Значения срочности', values: Object.values(URGENCY_VALUES).map((v) => v.label) },
  ];
}

/** An inline list if it fits Excel's limit, else the defined name of its hidden range. */
function listFormula(l: ListRange): string {
  const inline = `"${l.values.join(',')}"`;
  return inline.length <= 255 && !l.values.some((v) => v.includes(',') || v.includes('"')) ? esc(inline) : l.name;
}

function dataSheet(): string {
  const columns = [{ header: ROW_NUMBER_COLUMN.header, key: null as string | null, required: false }, ...REFERRAL_COLUMNS.map((c) => ({ header: c.header, key: c.key as string, required: c.required }))];
  const last = TEMPLATE_DATA_ROWS + 1;
  const colOf = (key: string) => colName(columns.findIndex((c) => c.key === key));
  const styleOf = (key: string | null) =>
    key === 'birthDate' ? S.date : key === 'pregnancyWeeks' ? S.integer : key === null ? 0 : S.text;
  const width = (key: string | null, header: string) => (key === null ? 6 : Math.min(40, Math.max(12, Math.ceil(header.length * 0.9))));
  const cols = columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${width(c.key, c.header)}" customWidth="1" style="${styleOf(c.key)}"/>`).join('');
  const header = `<row r="1" ht="48" customHeight="1">${columns.map((c, i) => cell(`${colName(i)}1`, c.header, c.required ? S.headerRequired : S.headerOptional)).join('')}</row>`;
  const byName = new Map(lists().map((l) => [l.name, l]));
  const listDv = (key: string, list: string, title: string, error: string) =>
    `<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" errorTitle="${esc(title)}" error="${esc(error)}" sqref="${colOf(key)}2:${colOf(key)}${last}"><formula1>${listFormula(byName.get(list)!)}</formula1></dataValidation>`;
  const validations = [
    listDv('sex', 'list_sex', 'Пол', 'Выберите «м» или «ж» из списка.'),
    listDv('region', 'list_regions', 'Регион', 'Выберите субъект РФ из списка.'),
    listDv('centre', 'list_centres', 'Центр', 'Выберите центр из списка.'),
    listDv('profile', 'list_profiles', 'Профиль', 'Выберите профиль из списка.'),
    listDv('urgency', 'list_urgency', 'Срочность', 'Выберите «плановая» или «неотложная».'),
    `<dataValidation type="date" operator="between" allowBlank="1" showErrorMessage="1" errorTitle="Дата рождения" error="Введите дату в виде ДД.ММ.ГГГГ, не позже сегодняшнего дня." sqref="${colOf('birthDate')}2:${colOf('birthDate')}${last}"><formula1>1</formula1><formula2>TODAY()</formula2></dataValidation>`,
    `<dataValidation type="whole" operator="between" allowBlank="1" showErrorMessage="1" errorTitle="Срок беременности" error="Целое число недель от 1 до 42." sqref="${colOf('pregnancyWeeks')}2:${colOf('pregnancyWeeks')}${last}"><formula1>1</formula1><formula2>42</formula2></dataValidation>`,
  ];
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<dimension ref="A1:${colName(columns.length - 1)}1"/>
<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="B2" sqref="B2"/></sheetView></sheetViews>
<sheetFormatPr defaultRowHeight="15"/>
<cols>${cols}</cols>
<sheetData>${header}</sheetData>
<dataValidations count="${validations.length}">${validations.join('')}</dataValidations>
<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>
</worksheet>`;
}

function helpSheet(): string {
  const lines: [string, number][] = [
    ['Таблица направлений на телеконсультации', S.title],
    ['Заполните лист «Направления»: одна строка — один пациент. Не меняйте заголовки колонок и не добавляйте строки над ними.', S.wrap],
    ['Оранжевые заголовки — обязательные поля, голубые — по возможности. Для центра, профиля, региона, пола и срочности выберите значение из списка.', S.wrap],
    ['СНИЛС, полис и телефон вводите как текст (колонки уже так настроены): иначе Excel отбросит ведущий ноль или последние цифры.', S.wrap],
    ['Пациента с тем же СНИЛС, полисом или ФИО и датой рождения не вносите дважды: повтор будет отмечен при загрузке.', S.wrap],
    ['', 0],
    ['Колонка — что указать', S.title],
    ...REFERRAL_COLUMNS.map((c): [string, number] => [`${c.header}${c.required ? ' (обязательно)' : ''} — ${HINTS[c.key] ?? ''}`, S.wrap]),
  ];
  const rows = lines.map(([text, style], i) => `<row r="${i + 1}">${text ? cell(`A${i + 1}`, text, style) : ''}</row>`).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="1" width="110" customWidth="1"/></cols><sheetData>${rows}</sheetData></worksheet>`;
}

function listsSheet(): string {
  const ls = lists();
  const height = Math.max(...ls.map((l) => l.values.length)) + 1;
  let rows = '';
  for (let r = 1; r <= height; r++) {
    const cells = ls.map((l) => (r === 1 ? cell(`${l.column}1`, l.title) : l.values[r - 2] !== undefined ? cell(`${l.column}${r}`, l.values[r - 2]!) : '')).join('');
    rows += `<row r="${r}">${cells}</row>`;
  }
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`;
}

/** The template as XLSX bytes. */
export function buildReferralTemplate(): Buffer {
  const names = lists()
    .map((l) => `<definedName name="${l.name}">'${esc(SHEET_LISTS)}'!$${l.column}$2:$${l.column}$${l.values.length + 1}</definedName>`)
    .join('');
  const workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView activeTab="0"/></bookViews><sheets><sheet name="${esc(SHEET_DATA)}" sheetId="1" r:id="rId1"/><sheet name="${esc(SHEET_HELP)}" sheetId="2" r:id="rId2"/><sheet name="${esc(SHEET_LISTS)}" sheetId="3" state="hidden" r:id="rId3"/></sheets><definedNames>${names}</definedNames></workbook>`;
  const sheetType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml';
  return zipFiles([
    {
      name: '[Content_Types].xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="${sheetType}"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="${sheetType}"/><Override PartName="/xl/worksheets/sheet3.xml" ContentType="${sheetType}"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`,
    },
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    { name: 'xl/workbook.xml', data: workbook },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet3.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    },
    { name: 'xl/worksheets/sheet1.xml', data: dataSheet() },
    { name: 'xl/worksheets/sheet2.xml', data: helpSheet() },
    { name: 'xl/worksheets/sheet3.xml', data: listsSheet() },
    { name: 'xl/styles.xml', data: STYLES },
  ]);
}

export async function writeReferralTemplate(path: string): Promise<void> {
  await writeFile(path, buildReferralTemplate());
}
