import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from './support/fixtures.js';
import { makeSnilsNumber } from '../shared/referral/fixtures/generate.js';
import { makeXlsx, type FixtureCell } from '../shared/referral/fixtures/make-xlsx.js';
import { ManagerImport, PipelineDashboard, PortalPage, SignInPage, SmsOutbox } from './page-models/index.js';
import { uniqueSurname } from './support/names.js';
import { ApiUser, tempDir } from './support/processes.js';

/**
 * Issue #5's acceptance, end to end in browser mode against the real central API: the manager
 * takes in three received files at once — one of them a re-send of another with its two bad rows
 * corrected — resolves a duplicate, imports all three, finds the credentials SMS in the outbox,
 * checks the pipeline dashboard against the database, and a new patient signs in to the portal
 * with the SMS credentials and must set a password.
 */
const HEADER = ['№', 'Ф.И.О. пациента', 'Пол', 'Дата рождения', 'СНИЛС', 'Телефон', 'Регион', 'Направившая МО', 'Лечащий врач', 'Центр', 'Профиль', 'Код МКБ-10', 'Диагноз', 'Срочность'];
const CARDIAC = ['Республика Татарстан', 'ГАУЗ «РКБ»', 'Петрова А. С.', 'Бакулева', 'Ишемическая болезнь сердца', 'I25.1', 'ИБС', 'плановая'];
const rnd = () => Math.random();
const digits = (s: string) => s.replace(/\D/g, '');

interface Person {
  surname: string;
  name: string;
  sex: 'м' | 'ж';
  birth: string;
  snils: string;
  phone: string;
}

function person(stem: string, i: number): Person {
  return { surname: uniqueSurname(stem), name: 'Игорь Петрович', sex: 'м', birth: `0${(i % 9) + 1}.02.1970`, snils: makeSnilsNumber(rnd), phone: `+7912${String(1000000 + Math.floor(Math.random() * 8999999))}` };
}
const row = (n: number, p: Person, overrides: Partial<Person> = {}) => {
  const q = { ...p, ...overrides };
  return [n, `${q.surname} ${q.name}`, q.sex, q.birth, q.snils, q.phone, ...CARDIAC];
};
const writeFile = (dir: string, name: string, rows: FixtureCell[][]) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, makeXlsx([{ name: 'Лист1', rows: [HEADER, ...rows] }]));
  return file;
};

test('three received files (one a corrected re-send) become patients, SMS and a dashboard that matches the database; a patient signs in', async ({ page, browser, system }) => {
  test.setTimeout(240_000);
  const apiDir = tempDir('bulk-api');
  const central = await system.api(apiDir);
  const host = await system.desktop(central.url);

  // Patients already in the service: one matching a row of file C by surname + name + birth date
  // + phone only (the manager must decide), one by СНИЛС with a request to another centre (linked).
  const physician = await ApiUser.signIn(central.url, 'demo-physician');
  const byIdentity = person('Двойников', 1);
  const bySnils = person('Снилсов', 2);
  const existing: Record<string, string> = {};
  for (const [key, p] of [['identity', byIdentity], ['snils', bySnils]] as const) {
    const id = crypto.randomUUID();
    await physician.call('POST', '/api/patients', {
      id,
      lastName: p.surname,
      firstName: 'Игорь',
      middleName: 'Петрович',
      sex: 'male',
      birthDate: p.birth.split('.').reverse().join('-'),
      // The identity match shares no СНИЛС with the row: only name, birth date and phone agree.
      snils: key === 'snils' ? digits(p.snils) : digits(makeSnilsNumber(rnd)),
      phone: p.phone,
      region: '16',
    });
    await physician.call('POST', '/api/requests', { id: crypto.randomUUID(), patientId: id, centre: 'kulakov', profile: 'breast_pathology', icd10: 'N60.1', diagnosis: 'Фиброаденоматоз' });
    existing[key] = id;
  }

  // File A: four rows, two of them with a bad СНИЛС. File A′: the same table re-sent with those
  // two corrected. File C: a new patient, the identity duplicate, the СНИЛС duplicate.
  const dir = tempDir('bulk-files');
  const a = [person('Первов', 1), person('Второв', 2), person('Третьяков', 3), person('Четвертов', 4)];
  const fileA = writeFile(dir, 'Казань, ноябрь.xlsx', [row(1, a[0]!), row(2, a[1]!), row(3, a[2]!, { snils: '123-456-789 00' }), row(4, a[3]!, { snils: '111' })]);
  const fileA2 = writeFile(dir, 'Казань, ноябрь (исправлено).xlsx', a.map((p, i) => row(i + 1, p)));
  const fresh = person('Новиков', 5);
  const fileC = writeFile(dir, 'Набережные Челны.xlsx', [row(1, fresh), row(2, byIdentity, { snils: makeSnilsNumber(rnd) }), row(3, bySnils)]);

  await page.goto(host.url);
  const shell = await new SignInPage(page).signIn({ login: 'demo-manager', password: 'oblako-demo' });
  await shell.navigate('incoming-batches');
  const im = await new ManagerImport(page).waitForInbox();

  // All three dropped at once; each is mapped, checked and taken in in turn.
  await im.dropFiles([fileA, fileA2, fileC]);
  await im.confirmMapping('Казань A');
  await im.expectCheck({ valid: 2, rejected: 2 });
  await im.acceptFile({ organization: 'ГАУЗ «РКБ»', referrer: 'Петрова А. С.' });
  await im.confirmMapping('Казань A2');
  await im.expectCheck({ valid: 4, rejected: 0 });
  await im.acceptFile();
  await im.confirmMapping('Челны C');
  await im.expectCheck({ valid: 3, rejected: 0 });
  await im.acceptFile();
  for (const title of ['Казань A', 'Казань A2', 'Челны C']) await expect(im.batchRow(title)).toHaveAttribute('data-source', 'file');
  await expect(im.batchRow('Казань A')).toHaveAttribute('data-rejected', '2');
  await shell.expectPending(0);

  // A: the two valid rows become patients.
  await im.openBatch('Казань A');
  await im.expectNeedsDecision(0);
  await im.commit();
  await im.waitForImportDone({ created: 2, linked: 0, skipped: 0 });
  await im.backToInbox();

  // A′: the two rows already imported are proposed as re-sends (skip); the corrected two are new.
  // Rows are numbered as in the sheet (the header is row 1).
  await im.openBatch('Казань A2');
  await im.expectNeedsDecision(0);
  await im.expectDecision(2, 'skip');
  await im.expectDecision(3, 'skip');
  await im.expectDecision(4, 'create');
  await im.expectDecision(5, 'create');
  await im.commit();
  await im.waitForImportDone({ created: 2, linked: 0, skipped: 2 });
  await im.backToInbox();

  // C: the identity duplicate waits for the manager, who links it; the СНИЛС match links itself.
  await im.openBatch('Челны C');
  await im.expectNeedsDecision(1);
  await im.decideRow(3, 'link', 0);
  await im.expectNeedsDecision(0);
  await im.expectDecision(4, 'link');
  await im.saveDecisions();
  await im.commit();
  await im.waitForImportDone({ created: 1, linked: 2, skipped: 0 });
  await im.backToInbox();

  // Nothing twice: one patient per СНИЛС of the files, one request per patient and centre profile.
  let login = '';
  let secret = '';
  const db = new Database(path.join(apiDir, 'oblako.sqlite'), { readonly: true, fileMustExist: true });
  try {
    for (const p of [...a, fresh, bySnils]) {
      const ps = db.prepare('SELECT id FROM patients WHERE snils = ?').all(digits(p.snils)) as { id: string }[];
      expect(ps, p.surname).toHaveLength(1);
      const reqs = db.prepare("SELECT id FROM consultation_requests WHERE patient_id = ? AND centre = 'bakulev'").all(ps[0]!.id);
      expect(reqs, p.surname).toHaveLength(1);
    }
    const linked = db.prepare("SELECT COUNT(*) AS n FROM consultation_requests WHERE patient_id = ? AND centre = 'bakulev'").get(existing.identity) as { n: number };
    expect(linked.n).toBe(1);

    // The outbox holds a credentials SMS for each of the five new patients.
    await shell.navigate('sms-outbox');
    const outbox = await new SmsOutbox(page).waitForVisible();
    for (const p of [...a, fresh]) await expect(outbox.rowsTo(p.phone)).toHaveCount(1);
    const text = (await outbox.text(outbox.rowsTo(fresh.phone)).innerText()).trim();
    const creds = /логин (\S+) пароль (\S+)/.exec(text);
    expect(creds, text).not.toBeNull();
    [login, secret] = [creds?.[1] ?? '', creds?.[2] ?? ''];

    // The dashboard's numbers are the database's, and each opens the list behind it.
    await shell.navigate('pipeline');
    const dash = await new PipelineDashboard(page).waitForVisible();
    await dash.refresh();
    const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
    const nowIso = new Date().toISOString();
    await dash.expectCard('patients', count('SELECT COUNT(*) AS n FROM patients'));
    await dash.expectCard('requests', count('SELECT COUNT(*) AS n FROM consultation_requests'));
    await dash.expectCard('overdue', count("SELECT COUNT(*) AS n FROM consultation_requests WHERE status IN ('new','under_review','scheduled') AND due_at < ?", nowIso));
    const stages = db.prepare('SELECT stage, COUNT(*) AS n FROM patients GROUP BY stage').all() as { stage: string; n: number }[];
    const shown = await dash.values('stages');
    for (const s of stages) expect(shown[`stage=${s.stage}`], s.stage).toBe(s.n);
    const regions = db.prepare('SELECT region, COUNT(*) AS n FROM patients WHERE region IS NOT NULL GROUP BY region').all() as { region: string; n: number }[];
    const shownRegions = await dash.values('regions');
    for (const r of regions) expect(shownRegions[`region=${r.region}`], r.region).toBe(r.n);
    const credentialsSent = count("SELECT COUNT(*) AS n FROM patients WHERE stage = 'credentials_sent'");
    expect(await dash.openItem('stages', 'stage=credentials_sent')).toBe(credentialsSent);
    await expect(dash.listRow(`${fresh.surname} Игорь Петрович`)).toBeVisible();
    await dash.closeList();
    expect(await dash.openCard('patients')).toBe(count('SELECT COUNT(*) AS n FROM patients'));
    await dash.closeList();
  } finally {
    db.close();
  }

  // The new patient signs in to the portal with the SMS credentials and must choose a password.
  const portalContext = await browser.newContext();
  try {
    const portal = await new PortalPage(await portalContext.newPage()).open(central.url);
    await portal.signIn(login, secret);
    await portal.expectPasswordChangeRequired(secret);
    await portal.changePassword(secret, 'Новый-пароль-2026!');
    await portal.expectHome(/Игорь Петрович/);
    const requests = await portal.requests();
    expect(requests).toHaveLength(1);
  } finally {
    await portalContext.close();
  }
});
