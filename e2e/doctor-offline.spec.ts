import { ctGradient16 } from '../shared/test-fixtures/dicom.js';
import { russianPdf } from '../shared/test-fixtures/pdf.js';
import { loadConclusionFonts } from '../shared/conclusion/fonts-node.js';
import { Calendar, DoctorQueue, PortalPage, ReferralStatus, SignInPage } from './page-models/index.js';
import { DocumentViewer, type ViewerKind } from './page-models/document-viewer.js';
import { smallPng, uploadDocument } from './support/documents.js';
import { expect, test } from './support/fixtures.js';
import { uniqueSurname } from './support/names.js';
import { importPatient } from './support/patients.js';
import { ApiUser, tempDir } from './support/processes.js';

/**
 * Issue #6's acceptance, end to end in browser mode against the real central API: a centre doctor
 * takes a request, opens its PDF, image and DICOM documents, loses the central API and still reads
 * them from the encrypted cache, schedules the consultation offline (delivered on reconnect),
 * issues a conclusion; the patient (portal) and the referring physician (desktop) see it.
 */
const tomorrow = () => {
  const d = new Date(Date.now() + 24 * 3600_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

test('a doctor reads documents offline, schedules offline, issues a conclusion; patient and physician see it', async ({ page, browser, system }) => {
  test.setTimeout(300_000);
  const apiDir = tempDir('doctor-api');
  const central = await system.api(apiDir);
  const lastName = uniqueSurname('Кэшев');
  const fullName = `${lastName} Игорь Петрович`;
  // A referred patient (bulk import: account and SMS credentials) with three documents.
  const creds = await importPatient(central.url, apiDir, lastName);
  const physician = await ApiUser.signIn(central.url, 'demo-physician');
  const found = await physician.call<{ items: { id: string; lastName: string }[] }>('GET', `/api/patients?q=${encodeURIComponent(lastName)}`);
  const patientId = found.items.find((p) => p.lastName === lastName)?.id ?? '';
  expect(patientId).not.toBe('');
  const files: { name: string; kind: ViewerKind; id: string }[] = [];
  const fonts = await loadConclusionFonts();
  for (const [type, name, kind, bytes] of [
    ['discharge_summary', 'Выписка.pdf', 'pdf', await russianPdf(fonts.regular)],
    ['ecg', 'ЭКГ.png', 'image', smallPng()],
    ['ct_mri', 'КТ.dcm', 'dicom', ctGradient16()],
  ] as const) {
    const doc = await uploadDocument(physician, patientId, type, name, bytes);
    files.push({ name, kind, id: doc.id });
  }

  const host = await system.desktop(central.url);
  await page.goto(host.url);
  const shell = await new SignInPage(page).signIn({ login: 'demo-doctor-bakulev', password: 'oblako-demo' });
  const queue = await new DoctorQueue(page).waitForVisible();
  await queue.searchFor(lastName);
  await queue.take(fullName);
  await queue.expectMine(fullName);
  const card = await queue.openCard(fullName);

  // Online: each document opens; meanwhile the background cache downloads all three.
  const viewer = new DocumentViewer(page);
  for (const f of files) {
    await card.openDocument(f.name);
    await viewer.waitFor(f.kind);
    await viewer.close();
  }
  for (const f of files) await card.expectCache(f.name, 'cached');

  // The central API goes away: the documents still open, from the cache.
  await central.stop();
  await shell.syncNow('offline');
  for (const f of files) {
    await card.openDocument(f.name);
    await viewer.waitFor(f.kind);
    await viewer.expectSource(true);
    await viewer.close();
  }

  // Scheduling offline: booked locally, pending.
  const calendar = new Calendar(page);
  await card.schedule();
  await calendar.schedule({ date: tomorrow(), time: '10:00', duration: 30 });
  await shell.navigate('calendar');
  await calendar.open();
  await calendar.goToWeekOf(tomorrow());
  await calendar.expectConsultation(lastName, { time: '10:00', status: 'scheduled', pending: true });

  // Back online: the booking (and the offline views, for the audit) are delivered.
  await system.api(apiDir, central.port);
  await shell.syncNow();
  await shell.expectPending(0);
  await calendar.expectConsultation(lastName, { time: '10:00', status: 'scheduled', pending: false });
  const onServer = await physician.call<{ items: { patientId: string; status: string }[] }>('GET', '/api/consultations');
  expect(onServer.items.filter((c) => c.patientId === patientId).map((c) => c.status)).toEqual(['scheduled']);
  const admin = await ApiUser.signIn(central.url, 'demo-admin');
  const views = await admin.call<{ items: { details: { fromCache?: boolean } | null }[] }>('GET', `/api/audit?patientId=${patientId}&action=document.view&limit=100`);
  expect(views.items.filter((e) => e.details?.fromCache === true).length).toBeGreaterThanOrEqual(3);

  // The conclusion, from the documents (the consultation is still ahead).
  await shell.navigate('centre-queue');
  await queue.searchFor(lastName);
  const card2 = await queue.openCard(fullName);
  const editor = await card2.writeConclusion();
  await editor.fill({
    complaints: 'Перебои в работе сердца, одышка при нагрузке',
    mainDiagnosis: { icd10: 'I48', text: 'Фибрилляция предсердий, пароксизмальная форма' },
    conclusion: 'Показана катетерная аблация в плановом порядке.',
    recommendations: 'Антикоагулянтная терапия; контроль ЭКГ через 1 месяц.',
  });
  await editor.issue();
  await editor.expectIssued(false);
  await editor.close();
  await card2.expectConclusion(1, { pending: false, current: true });

  // The patient sees it in the portal and can download the PDF.
  const portalContext = await browser.newContext();
  try {
    const portal = await new PortalPage(await portalContext.newPage()).open(central.url);
    await portal.signIn(creds.login, creds.password);
    await portal.changePassword(creds.password, 'Новый-пароль-2026!');
    const requests = await portal.requests();
    expect(requests.map((r) => r.status)).toEqual(['conclusion_issued']);
  } finally {
    await portalContext.close();
  }
  const patientUser = await ApiUser.signIn(central.url, creds.login, 'Новый-пароль-2026!');
  const conclusions = await patientUser.call<{ items: { id: string; version: number }[] }>('GET', '/api/conclusions');
  expect(conclusions.items.map((c) => c.version)).toEqual([1]);
  const pdf = await fetch(`${central.url}/api/conclusions/${conclusions.items[0]?.id}/pdf`, { headers: { authorization: `Bearer ${patientUser.token}` } });
  expect(pdf.status).toBe(200);
  expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');

  // The referring physician's status view shows «conclusion issued».
  const physicianContext = await browser.newContext();
  try {
    const physicianHost = await system.desktop(central.url);
    const ppage = await physicianContext.newPage();
    await ppage.goto(physicianHost.url);
    const pshell = await new SignInPage(ppage).signIn({ login: 'demo-physician', password: 'oblako-demo' });
    await pshell.navigate('referral-status');
    const status = await new ReferralStatus(ppage).waitForVisible();
    await status.searchFor(lastName);
    await status.expectStage(fullName, 'conclusion_issued');
  } finally {
    await physicianContext.close();
  }
});
