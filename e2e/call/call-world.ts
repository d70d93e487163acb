import { chromium, type Browser, type Page } from '@playwright/test';
import base from '../playwright.config.js';
import { DoctorQueue, PortalCare, PortalPage, SignInPage, VideoCallPage } from '../page-models/index.js';
import { expect } from '../support/fixtures.js';
import { uniqueSurname } from '../support/names.js';
import { NETNS, shape } from '../support/netns.js';
import { importPatient } from '../support/patients.js';
import { ApiUser, type CentralApi } from '../support/processes.js';

/** The set-up both call suites share: a patient with a consultation in 3 minutes, both sides at the call. */
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
export async function callWorld(system: { api(dataDir?: string, port?: number, env?: NodeJS.ProcessEnv): Promise<CentralApi> }, dataDir: string, env: NodeJS.ProcessEnv = {}, browserArgs: string[] = []): Promise<CallWorld> {
  shape('open');
  const api = await system.api(dataDir, 0, { HOST: '0.0.0.0', ...env });
  const port = new URL(api.url).port;
  const localUrl = `http://127.0.0.1:${port}`;
  const patientUrl = `http://${NETNS.addrA}:${port}`;
  const surname = uniqueSurname('Звонков');
  const sms = await importPatient(localUrl, dataDir, surname);

  // The patient's browser in the other namespace; plain http to the centre's address counts as
  // secure here only because it is this test's own network.
  const patientBrowser = await chromium.launch({
    executablePath: NETNS.chromiumB,
    args: [...(base.use?.launchOptions?.args ?? []), ...browserArgs, `--unsafely-treat-insecure-origin-as-secure=${patientUrl}`],
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

