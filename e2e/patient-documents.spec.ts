import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, type SystemFixture } from './support/fixtures.js';
import type { PatientDocument } from '../shared/domain/documents.js';
import type { Change, PullResponse } from '../shared/sync/protocol.js';
import { AppShell, PatientDocuments, PhysicianHome, SignInPage } from './page-models/index.js';
import { uniqueSurname } from './support/names.js';
import { ApiUser, tempDir } from './support/processes.js';

/**
 * The physician attaches documents for a referred patient (an elderly patient who cannot upload
 * a CT study from a phone), with the patient's consent recorded; the centre sees them marked as
 * uploaded by the physician. Real central API, real desktop services, real browser.
 */

const BASIS = 'письменное согласие от 20.11.2026, хранится в МО';

function writeFile(name: string, bytes: Buffer | string): string {
  const file = path.join(tempDir('files'), name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** A tiny but well-formed one-page PDF. */
function smallPdf(): string {
  return [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
    '',
  ].join('\n');
}

/** The demo physician signed in, with a patient of theirs referred to Бакулев (ИБС) through the API. */
async function physicianWithReferredPatient(page: Page, system: SystemFixture) {
  const central = await system.api();
  const host = await system.desktop(central.url);
  await page.goto(host.url);
  const shell = new AppShell(page);
  await new SignInPage(page).signIn({ login: 'demo-physician', password: 'oblako-demo' });
  const home = await new PhysicianHome(page).waitForVisible();
  await shell.expectSyncState('online');

  const physician = await ApiUser.signIn(central.url, 'demo-physician');
  const lastName = uniqueSurname('Документов');
  const patientId = crypto.randomUUID();
  await physician.call('POST', '/api/patients', { id: patientId, lastName, firstName: 'Степан', middleName: 'Ильич', sex: 'male', birthDate: '1941-03-02' });
  await physician.call('POST', '/api/requests', { id: crypto.randomUUID(), patientId, centre: 'bakulev', profile: 'ischemic_heart_disease', icd10: 'I25.1', diagnosis: 'ИБС' });
  const fullName = `${lastName} Степан Ильич`;
  await home.rows.expectRow(fullName, { pending: false, status: 'new' });
  return { central, host, shell, home, patientId, fullName };
}

/** Every document change the user's sync pull brings, from the start. */
async function pulledDocuments(user: ApiUser): Promise<PatientDocument[]> {
  const docs = new Map<string, PatientDocument>();
  let since = 0;
  for (;;) {
    const page = await user.call<PullResponse>('POST', '/api/sync/pull', { since, limit: 5000 });
    for (const c of page.changes as Change[]) {
      if (c.entity !== 'document') continue;
      if (c.op === 'put') docs.set(c.id, c.data as PatientDocument);
      else docs.delete(c.id);
    }
    since = page.cursor;
    if (!page.hasMore) break;
  }
  return [...docs.values()];
}

test('the physician attaches a PDF with consent; a renamed non-PDF is refused; the centre sees it as uploaded by the physician', async ({ page, system }) => {
  const { central, patientId, fullName } = await physicianWithReferredPatient(page, system);

  const documents = await new PatientDocuments(page).open(fullName);
  await expect(documents.emptyState).toBeVisible();
  await documents.expectChecklist('discharge_summary', false, { required: true });
  await documents.expectChecklist('ecg', false, { required: true });
  await documents.expectChecklist('echo', false, { required: true });
  await documents.expectChecklist('ct_mri', false, { required: false });

  // Consent is required: without the box ticked nothing is sent.
  const pdf = writeFile('ЭКГ 20.11.2026.pdf', smallPdf());
  await documents.attach({ type: 'ecg', filePath: pdf, basis: BASIS, consent: false });
  await documents.expectError('Исправьте отмеченные поля');
  await expect(documents.form).toContainText('Без согласия пациента прикрепить документ нельзя.');
  await expect(documents.emptyState).toBeVisible();

  await documents.attach({ type: 'ecg', filePath: pdf, basis: BASIS });
  await documents.expectDocument('ЭКГ 20.11.2026.pdf', { uploadedByRole: 'physician', type: 'ecg', consentBasis: BASIS });
  await documents.expectChecklist('ecg', true);
  await documents.expectChecklist('echo', false);
  await expect(documents.error).toBeHidden();

  // An executable renamed to .pdf: refused by content, with the Russian message; nothing listed.
  const fake = writeFile('scan.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300, 0x90)]));
  await documents.attach({ type: 'echo', filePath: fake, basis: BASIS });
  await documents.expectError('Файл этого типа не принимается', 'UNSUPPORTED_FILE_TYPE');
  await documents.expectNoDocument('scan.pdf');
  await documents.expectDocumentCount(1);
  await documents.expectChecklist('echo', false);

  // The centre's doctor sees the document through the API, marked as the physician's, with the consent.
  const doctor = await ApiUser.signIn(central.url, 'demo-doctor-bakulev');
  const seen = (await pulledDocuments(doctor)).filter((d) => d.patientId === patientId);
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({
    type: 'ecg',
    fileName: 'ЭКГ 20.11.2026.pdf',
    mime: 'application/pdf',
    uploadedByRole: 'physician',
    consentBasis: BASIS,
  });
  expect(seen[0]!.consentAt).not.toBeNull();
  expect(seen[0]!.uploadedByName).toBeTruthy();
});

test('offline: attaching is refused with a message to retry once the server is back', async ({ page, system }) => {
  const { central, fullName } = await physicianWithReferredPatient(page, system);
  const documents = await new PatientDocuments(page).open(fullName);

  // The upload goes straight to the server, so it fails at once, whatever the sync badge says yet.
  await central.stop();
  await documents.attach({ type: 'discharge_summary', filePath: writeFile('выписка.pdf', smallPdf()), basis: BASIS });
  await documents.expectError('Нет связи с сервером', 'SERVER_UNREACHABLE');
  await documents.expectError('когда связь появится');
  await expect(documents.emptyState).toBeVisible();
  await documents.expectChecklist('discharge_summary', false);
});
