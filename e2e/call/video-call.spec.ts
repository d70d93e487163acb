import { chromium, type Browser, type Page } from '@playwright/test';
import base from '../playwright.config.js';
import { ConclusionEditorPage, DoctorQueue, PortalCare, PortalPage, SignInPage, VideoCallPage } from '../page-models/index.js';
import { expect, test } from '../support/fixtures.js';
import { uniqueSurname } from '../support/names.js';
import { NETNS, shape } from '../support/netns.js';
import { importPatient } from '../support/patients.js';
import { ApiUser, tempDir, type CentralApi } from '../support/processes.js';

/**
 * A video consultation end to end, on a real link between two network namespaces: the doctor in
 * the desktop UI (browser mode) and the patient in the portal, each in their own browser with a
 * fake camera and microphone. Waiting room → admit → media both ways (getStats: decoded frames and
 * received sound rising on both sides) → mute and unmute heard on the other side → the link cut
 * and restored within the call → the doctor ends it → the conclusion editor opens.
 */

export interface CallWorld {
  api: CentralApi;
  /** The central API as the patient in namespace B reaches it. */
  patientUrl: string;
  localUrl: string;
  patientBrowser: Browser;
  consultationId: string;
  patientName: string;
  portal: PortalPage;
  patientPage: Page;
}

/** Everything up to both sides standing at the call's check: the patient imported, signed in, consented, booked in 3 min. */
export async function callWorld(system: { api(dataDir?: string, port?: number, env?: NodeJS.ProcessEnv): Promise<CentralApi> }, dataDir: string): Promise<CallWorld> {
  shape('open');
  const api = await system.api(dataDir, 0, { HOST: '0.0.0.0' });
  const port = new URL(api.url).port;
  const localUrl = `http://127.0.0.1:${port}`;
  const patientUrl = `http://${NETNS.addrA}:${port}`;
  const surname = uniqueSurname('Звонков');
  const sms = await importPatient(localUrl, dataDir, surname);

  // The patient's browser in the other namespace; plain http to the centre's address counts as
  // secure here only because it is this test's own network.
  const patientBrowser = await chromium.launch({
    executablePath: NETNS.chromiumB,
    args: [...(base.use?.launchOptions?.args ?? []), `--unsafely-treat-insecure-origin-as-secure=${patientUrl}`],
  });
  const patientContext = await patientBrowser.newContext({ locale: 'ru-RU', timezoneId: 'Europe/Moscow', viewport: { width: 1100, height: 800 } });
  const patientPage = await patientContext.newPage();
  const portal = new PortalPage(patientPage);
  await portal.open(patientUrl);
  await portal.signIn(sms.login, sms.password);
  await portal.changePassword(sms.password, 'Мой-пароль-2026');
  await portal.expectHome('Игорь Петрович');
  const patient = ApiUser.fromToken(localUrl, await portal.sessionToken());
  const consent = await patient.call<{ version: string }>('GET', '/api/consent/text');
  await patient.call('POST', '/api/me/consent', { version: consent.version, agree: true });
  const me = await patient.call<{ patientId: string }>('GET', '/api/me');

  const doctor = await ApiUser.signIn(localUrl, 'demo-doctor-bakulev');
  const requests = await doctor.call<{ items: { id: string }[] }>('GET', `/api/requests?patientId=${me.patientId}`);
  const requestId = requests.items[0]?.id;
  expect(requestId, 'the imported patient has a request at Bakulev').toBeTruthy();
  const consultationId = crypto.randomUUID();
  const startsAt = new Date(Date.now() + 3 * 60_000).toISOString();
  const push = await doctor.call<{ results: { status: string }[] }>('POST', '/api/sync/push', {
    clientId: crypto.randomUUID(),
    mutations: [{ id: 1, name: 'request.schedule', args: { id: requestId, consultationId, startsAt, durationMinutes: 30 } }],
  });
  expect(push.results[0]?.status).toBe('applied');
  return { api, patientUrl, localUrl, patientBrowser, consultationId, patientName: `${surname} Игорь Петрович`, portal, patientPage };
}

/** The doctor signs in on the desktop, opens the patient's card and starts the call. */
export async function doctorStartsCall(page: Page, hostUrl: string, patientName: string): Promise<VideoCallPage> {
  await page.goto(hostUrl);
  await new SignInPage(page).signIn({ login: 'demo-doctor-bakulev', password: 'oblako-demo' });
  const queue = await new DoctorQueue(page).waitForVisible();
  await queue.searchFor(patientName.split(' ')[0]!);
  await expect(queue.row(patientName)).toBeVisible({ timeout: 30_000 });
  const card = await queue.openCard(patientName);
  await card.consultations.getByTestId('consultation-start-call').first().click();
  const call = new VideoCallPage(page);
  await call.passCheckAndJoin();
  return call;
}

/** The patient opens their consultations and joins from the card. */
export async function patientJoins(w: CallWorld): Promise<VideoCallPage> {
  const care = new PortalCare(w.patientPage);
  await care.goto('consultations');
  await care.consultation(w.consultationId).getByTestId('care-consultation-join').click();
  const call = new VideoCallPage(w.patientPage);
  await call.passCheckAndJoin();
  return call;
}

test('waiting room → admit → media both ways → mute → link cut and restored → end → conclusion', async ({ page, system }) => {
  const dataDir = tempDir('api');
  const w = await callWorld(system, dataDir);
  try {
    const host = await system.desktop(w.localUrl);
    const doctor = await doctorStartsCall(page, host.url, w.patientName);
    await doctor.expectPhase('lobby');
    await expect(doctor.status).toHaveText('Пациент ещё не подключился.');

    const patient = await patientJoins(w);
    await patient.expectPhase('waiting');
    await expect(patient.status).toContainText('зале ожидания');
    // The doctor sees them waiting; nothing flows until admitted.
    await expect(page.getByTestId('call-admit')).toBeVisible();
    await expect(doctor.status).toHaveText('Пациент ждёт в зале ожидания.');
    expect((await patient.figures()).inFrames).toBe(0);

    await doctor.admit();
    await doctor.expectPhase('in-call');
    await patient.expectPhase('in-call');
    await doctor.expectMediaArriving();
    await patient.expectMediaArriving();
    // The path is the link between the namespaces, directly (no relay configured).
    await expect(doctor.quality).toHaveAttribute('data-path', 'host');

    // Mute: the doctor hears silence; unmute: the tone of the fake microphone again.
    await expect.poll(async () => (await doctor.figures()).inAudioLevel, { timeout: 15_000 }).toBeGreaterThan(0.01);
    await patient.setMic(false);
    await expect.poll(async () => (await doctor.figures()).inAudioLevel, { timeout: 15_000 }).toBeLessThan(0.001);
    await patient.setMic(true);
    await expect.poll(async () => (await doctor.figures()).inAudioLevel, { timeout: 15_000 }).toBeGreaterThan(0.01);

    // The link stops carrying anything, then comes back: both sides say so, then recover in the call.
    shape('cut');
    await doctor.expectPhase('reconnecting', 30_000);
    await patient.expectPhase('reconnecting', 30_000);
    await expect(doctor.status).toContainText(/Связь прервалась|Собеседник отключился/);
    shape('open');
    await doctor.expectPhase('in-call', 60_000);
    await patient.expectPhase('in-call', 60_000);
    await doctor.expectMediaArriving();
    await patient.expectMediaArriving();

    await doctor.end();
    await patient.expectPhase('ended');
    await expect(patient.status).toHaveText('Консультация завершена.');
    // The doctor is led to the conclusion, citing this consultation.
    await new ConclusionEditorPage(page).waitForVisible();
    // …and the consultation is on record as held (the desktop queued `consultation.complete`).
    const doctorApi = await ApiUser.signIn(w.localUrl, 'demo-doctor-bakulev');
    await expect
      .poll(async () => (await doctorApi.call<{ items: { id: string; status: string }[] }>('GET', '/api/consultations')).items.find((c) => c.id === w.consultationId)?.status, { timeout: 30_000 })
      .toBe('completed');

    // The record: start, admission, the restart after the cut, the end.
    const admin = await ApiUser.signIn(w.localUrl, 'demo-admin');
    const audit = await admin.call<{ items: { action: string }[] }>('GET', `/api/audit?action=call.end&limit=10`);
    expect(audit.items.length).toBeGreaterThan(0);
    const all = await admin.call<{ items: { action: string; entityId: string | null }[] }>('GET', `/api/audit?limit=500`);
    const actions = all.items.filter((e) => e.entityId === w.consultationId).map((e) => e.action);
    for (const a of ['call.ticket', 'call.join', 'call.admit', 'call.start', 'call.end']) expect(actions).toContain(a);
  } finally {
    await w.patientBrowser.close();
  }
});
