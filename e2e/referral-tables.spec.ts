import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './support/fixtures.js';
import { analyseWorkbook } from '../shared/referral/analyse.js';
import { makeXlsx, toSerial } from '../shared/referral/fixtures/make-xlsx.js';
import { readXlsx } from '../shared/referral/read-xlsx.js';
import type { AppShell } from './page-models/index.js';
import { ManagerBatches, ReferralDrafts, ReferralStatus, SignInPage } from './page-models/index.js';
import { uniqueSurname } from './support/names.js';
import { ApiUser, tempDir } from './support/processes.js';

/**
 * The referral table from the physician's template to the manager's inbox, and the physician
 * following a patient's stage live — browser mode, real central API.
 */
// Two patients as a physician would copy them from another spreadsheet: tab-separated, in the
// template's column order from «Фамилия» on. The second СНИЛС has a wrong checksum.
const COLUMNS = ['lastName', 'firstName', 'middleName', 'sex', 'birthDate', 'snils', 'enp', 'phone', 'region', 'referringOrganization', 'attendingPhysician', 'centre', 'profile', 'icd10', 'diagnosis', 'complaints', 'urgency', 'pregnancyWeeks', 'note'] as const;
function tsvRow(v: Partial<Record<(typeof COLUMNS)[number], string>>): string {
  return COLUMNS.map((c) => v[c] ?? '').join('\t');
}

test('a physician fills the table by typing and pasting, fixes what is flagged, sends; the manager sees the batch', async ({ page, browser, system }) => {
  const central = await system.api();
  const host = await system.desktop(central.url);
  await page.goto(host.url);
  const shell: AppShell = await new SignInPage(page).signIn({ login: 'demo-physician', password: 'oblako-demo' });
  await shell.navigate('referral-drafts');
  const drafts = await new ReferralDrafts(page).waitForVisible();

  // The template downloads and reads back as our own empty table.
  const download = await drafts.downloadTemplate();
  const templateFile = path.join(tempDir('template'), 'template.xlsx');
  await download.saveAs(templateFile);
  const template = analyseWorkbook((await readXlsx(new Uint8Array(fs.readFileSync(templateFile)))).sheets);
  expect(template.mapping.columns.filter((c) => c.target && c.target !== 'rowNumber')).toHaveLength(19);
  expect(template.summary.total).toBe(0);

  const title = `Направления ${crypto.randomBytes(3).toString('hex')}`;
  const grid = await drafts.create(title);
  const first = uniqueSurname('Вводов');
  await grid.typeInto(1, 'lastName', first);
  await grid.typeInto(1, 'firstName', 'Антон');
  await grid.typeInto(1, 'sex', 'м');
  await grid.typeInto(1, 'birthDate', '12.03.1961');
  await grid.typeInto(1, 'snils', '112-233-445 95');
  await grid.typeInto(1, 'phone', '8 (912) 345-67-89');
  await grid.typeInto(1, 'region', 'Республика Татарстан');
  await grid.typeInto(1, 'referringOrganization', 'ГАУЗ «РКБ»');
  await grid.typeInto(1, 'attendingPhysician', 'Петрова А. С.');
  await grid.typeInto(1, 'centre', 'НМИЦ ССХ им. А.Н. Бакулева');
  await grid.typeInto(1, 'profile', 'Ишемическая болезнь сердца');
  await grid.typeInto(1, 'icd10', 'I25.1');
  await grid.typeInto(1, 'diagnosis', 'ИБС');
  await grid.typeInto(1, 'urgency', 'плановая');

  const second = uniqueSurname('Вставкин');
  const third = uniqueSurname('Копиров');
  const common = { sex: 'ж', region: 'Свердловская область', referringOrganization: 'ГАУЗ СО «ГКБ № 40»', attendingPhysician: 'Петрова А. С.', centre: 'НМИЦ АГП им. В.И. Кулакова', profile: 'Патология молочной железы', icd10: 'N60.1', diagnosis: 'Фиброаденоматоз', urgency: 'плановая' };
  await grid.pasteTsv(2, 'lastName', [
    tsvRow({ ...common, lastName: second, firstName: 'Вера', birthDate: '1979-05-04', snils: '123-456-789 64', phone: '+79123456780' }),
    tsvRow({ ...common, lastName: third, firstName: 'Ольга', birthDate: '04.05.1982', snils: '123-456-789 65', phone: '89123456781' }),
  ].join('\n'));
  await grid.expectRowCount(3);

  // The bad СНИЛС is flagged on its cell and listed; sending is blocked until it is fixed.
  await grid.expectProblem(3, 'snils', /СНИЛС/);
  await grid.expectSendBlocked(1);
  await grid.fixProblem(3, 'snils', '234-567-890 99');
  await grid.expectProblemCount(0);
  await grid.expectSaved();
  await grid.send();

  await grid.back();
  await drafts.expectDraft(title, { rows: 3, sent: true });
  await shell.expectPending(0);

  // The manager's desktop (another workstation) sees the batch arrive.
  const managerContext = await browser.newContext();
  const managerPage = await managerContext.newPage();
  const managerHost = await system.desktop(central.url);
  await managerPage.goto(managerHost.url);
  const managerShell = await new SignInPage(managerPage).signIn({ login: 'demo-manager', password: 'oblako-demo' });
  await managerShell.navigate('incoming-batches');
  await new ManagerBatches(managerPage).waitForVisible().then((b) => b.expectBatch(title, { rows: 3, status: 'sent' }));
  await managerContext.close();

  // The physician's status view lists the three as sent.
  await shell.navigate('referral-status');
  const status = await new ReferralStatus(page).waitForVisible();
  for (const name of [`${first} Антон`, `${second} Вера`, `${third} Ольга`]) await status.expectStage(name, 'sent');
});

test('when the server schedules a referred patient, the status view shows it without a reload', async ({ page, system }) => {
  const central = await system.api();
  const host = await system.desktop(central.url);
  const physician = await ApiUser.signIn(central.url, 'demo-physician');
  const lastName = uniqueSurname('Назначенов');
  const patientId = crypto.randomUUID();
  const requestId = crypto.randomUUID();
  await physician.call('POST', '/api/patients', { id: patientId, lastName, firstName: 'Борис', sex: 'male', birthDate: '1955-07-08' });
  await physician.call('POST', '/api/requests', { id: requestId, patientId, centre: 'bakulev', profile: 'ischemic_heart_disease', icd10: 'I25.1', diagnosis: 'ИБС' });

  await page.goto(host.url);
  const shell = await new SignInPage(page).signIn({ login: 'demo-physician', password: 'oblako-demo' });
  await shell.navigate('referral-status');
  const status = await new ReferralStatus(page).waitForVisible();
  await status.expectStage(`${lastName} Борис`, 'imported');

  const doctor = await ApiUser.signIn(central.url, 'demo-doctor-bakulev');
  const startsAt = new Date(Date.now() + 2 * 86_400_000).toISOString();
  await doctor.call('POST', `/api/requests/${requestId}/schedule`, { startsAt, durationMinutes: 30 });
  await status.expectStage(`${lastName} Борис`, 'scheduled');
});

test('a messy referral file is read, its columns confirmed, problem rows fixed or excluded, and nothing dropped silently', async ({ page, system }) => {
  const central = await system.api();
  const host = await system.desktop(central.url);
  // The way such files arrive: a sheet of instructions first, title rows above the header,
  // «ФИО» in one column, abbreviated headers, an Excel serial date next to text dates, phones and
  // СНИЛС in every notation, a blank row and a totals row.
  const a = uniqueSurname('Файлов');
  const b = uniqueSurname('Серийная');
  const c = uniqueSurname('Ошибкин');
  const bytes = makeXlsx([
    { name: 'Пояснения', rows: [['Заполнять по образцу']] },
    {
      name: 'Лист1',
      rows: [
        ['Список пациентов для телеконсультации'],
        ['ГАУЗ «РКБ», ноябрь'],
        [],
        ['№ п/п', 'Ф.И.О. пациента', 'Пол (м/ж)', 'Дата рожд.', 'СНИЛС', 'Тел.', 'Регион', 'Направившая МО', 'Лечащий врач', 'НМИЦ', 'Профиль', 'Код МКБ-10', 'Диагноз', 'Срочность'],
        [1, `${a} Игорь Петрович`, 'муж', '01.02.1980', '11223344595', '8 (912) 345-67-89', 'Республика Татарстан', 'ГАУЗ «РКБ»', 'Петрова А. С.', 'Бакулева', 'Ишемическая болезнь сердца', 'I25.1', 'ИБС', 'плановая'],
        [2, `${b} Анна Ивановна`, 'женский', { serialDate: toSerial('1975-06-07') }, '123-456-789 64', '+7 912 345 67 80', 'Республика Татарстан', 'ГАУЗ «РКБ»', 'Петрова А. С.', 'Бакулева', 'Нарушения ритма сердца', 'I49.9', 'Аритмия', 'срочно'],
        [3, `${c} Олег`, 'м', '31.02.1990', '123', '12345', 'Республика Татарстан', 'ГАУЗ «РКБ»', 'Петрова А. С.', 'Бакулева', 'Кардиомиопатии', 'I42.0', 'ДКМП', 'плановая'],
        [],
        ['Итого: 3'],
      ],
    },
  ]);
  const file = path.join(tempDir('messy'), 'направления ноябрь.xlsx');
  fs.writeFileSync(file, bytes);

  await page.goto(host.url);
  const shell = await new SignInPage(page).signIn({ login: 'demo-physician', password: 'oblako-demo' });
  await shell.navigate('referral-drafts');
  const drafts = await new ReferralDrafts(page).waitForVisible();
  const mapping = await drafts.uploadFile(file);
  await mapping.expectSheet('Лист1', 4);
  await mapping.expectTarget('Ф.И.О. пациента', 'fullName');
  await mapping.expectTarget('Дата рожд.', 'birthDate');
  await mapping.expectSummary({ total: 3, valid: 2, invalid: 1 });
  // Every row of the sheet is accounted for: the title rows, the blank ones, the header, the totals.
  const skipped = await mapping.skippedRows();
  expect(skipped.map((s) => s.reason)).toEqual(expect.arrayContaining(['title', 'header', 'blank', 'totals']));
  expect(skipped.length + 3).toBe(9);

  const grid = await mapping.confirm();
  await grid.expectRowCount(3);
  // The broken row shows what was in the file, flagged, so it can be fixed — here it is excluded.
  await grid.expectProblem(7, 'birthDate');
  await grid.expectProblem(7, 'snils');
  await grid.exclude(7);
  await grid.expectProblemCount(0);
  await grid.send();

  await shell.navigate('referral-status');
  const status = await new ReferralStatus(page).waitForVisible();
  await status.expectStage(`${a} Игорь Петрович`, 'sent');
  await status.expectStage(`${b} Анна Ивановна`, 'sent');
  await expect(status.row(`${c} Олег`)).toHaveCount(0);
});
