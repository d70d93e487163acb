import { chromium, type Page } from '@playwright/test';
import base from '../e2e/playwright.config.js';
import { ConclusionEditorPage, DoctorQueue, PortalCare, PortalPage, SignInPage, VideoCallPage } from '../e2e/page-models/index.js';
import { uniqueSurname } from '../e2e/support/names.js';
import { importPatient } from '../e2e/support/patients.js';
import { ApiUser, startCentralApi, startDesktopHost, tempDir } from '../e2e/support/processes.js';

/**
 * Call set-up on loopback: from the doctor's «Пригласить пациента» to the first decoded remote
 * frame on both sides (the doctor in the desktop UI, the patient in the portal, Debian's Chromium
 * with a fake camera), median of N calls. Baseline in the same run and browser: a bare pair of
 * RTCPeerConnections in one page, signalled in memory, from createOffer to the first decoded
 * frame. The difference is what our signalling, tickets, rooms and simple-peer add.
 */

export interface CallSetupFigures {
  calls: number;
  oursMs: number[];
  bareMs: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

// In-page code as text: this file is compiled without the DOM library, and the scripts run in the page.

/** Resolves with Date.now() at the first frame the page's remote video presents. */
const FIRST_REMOTE_FRAME = `new Promise((resolve) => {
  const check = () => {
    const v = document.querySelector('[data-testid="call-remote-video"]');
    if (v && v.srcObject) v.requestVideoFrameCallback(() => resolve(Date.now()));
    else setTimeout(check, 2);
  };
  check();
})`;

/** The bare baseline: two peer connections in one page, candidates and descriptions handed over directly. */
const BARE_SETUP = `(async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const video = document.createElement('video');
  video.muted = true;
  document.body.append(video);
  const t0 = performance.now();
  const frame = new Promise((resolve) => {
    b.ontrack = (e) => {
      if (e.track.kind !== 'video') return;
      video.srcObject = new MediaStream([e.track]);
      video.play();
      video.requestVideoFrameCallback(() => resolve(performance.now() - t0));
    };
  });
  for (const t of stream.getTracks()) a.addTrack(t, stream);
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  const ms = await frame;
  a.close();
  b.close();
  stream.getTracks().forEach((t) => t.stop());
  video.remove();
  return ms;
})()`;

const ADMIT_NOW = `(() => {
  const t = Date.now();
  document.querySelector('[data-testid="call-admit"]').click();
  return t;
})()`;

const firstRemoteFrame = (page: Page) => page.evaluate(FIRST_REMOTE_FRAME) as Promise<number>;
const bareSetup = (page: Page) => page.evaluate(BARE_SETUP) as Promise<number>;

export async function benchCallSetup(calls: number): Promise<CallSetupFigures> {
  const dataDir = tempDir('bench-call');
  const api = await startCentralApi(dataDir);
  const host = await startDesktopHost(tempDir('bench-call-desktop'), api.url);
  const browser = await chromium.launch(base.use?.launchOptions ?? {});
  try {
    const surname = uniqueSurname('Замеров');
    const name = `${surname} Игорь Петрович`;
    const sms = await importPatient(api.url, dataDir, surname);
    const patientPage = await (await browser.newContext({ locale: 'ru-RU', timezoneId: 'Europe/Moscow' })).newPage();
    const portal = new PortalPage(patientPage);
    await portal.open(api.url);
    await portal.signIn(sms.login, sms.password);
    await portal.changePassword(sms.password, 'Мой-пароль-2026');
    const patient = ApiUser.fromToken(api.url, await portal.sessionToken());
    const consent = await patient.call<{ version: string }>('GET', '/api/consent/text');
    await patient.call('POST', '/api/me/consent', { version: consent.version, agree: true });
    const me = await patient.call<{ patientId: string }>('GET', '/api/me');
    const physician = await ApiUser.signIn(api.url, 'demo-physician');
    const doctor = await ApiUser.signIn(api.url, 'demo-doctor-bakulev');

    const doctorPage = await (await browser.newContext({ locale: 'ru-RU', timezoneId: 'Europe/Moscow' })).newPage();
    await doctorPage.goto(host.url);
    await new SignInPage(doctorPage).signIn({ login: 'demo-doctor-bakulev', password: 'oblako-demo' });
    const queue = await new DoctorQueue(doctorPage).waitForVisible();

    const oursMs: number[] = [];
    for (let i = 0; i < calls; i++) {
      // A fresh request and consultation per call (the last one ended and was completed).
      const request = await physician.call<{ id: string }>('POST', '/api/requests', {
        id: crypto.randomUUID(), patientId: me.patientId, centre: 'bakulev', profile: 'rhythm_disorders', icd10: 'I48', diagnosis: 'ФП', complaints: 'Перебои', urgency: 'planned',
      });
      const consultationId = crypto.randomUUID();
      const startsAt = new Date(Date.now() + 2 * 60_000 + i * 60_000).toISOString();
      await doctor.call('POST', '/api/sync/push', { clientId: crypto.randomUUID(), mutations: [{ id: 1, name: 'request.schedule', args: { id: request.id, consultationId, startsAt, durationMinutes: 15 } }] });

      await queue.searchFor(surname);
      const card = await queue.openCard(name);
      await doctorPage.locator(`[data-testid="consultation-row"][data-consultation-id="${consultationId}"]`).getByTestId('consultation-start-call').click({ timeout: 30_000 });
      const doctorCall = new VideoCallPage(doctorPage);
      await doctorCall.passCheckAndJoin();

      const care = new PortalCare(patientPage);
      await care.goto('notifications');
      await care.goto('consultations');
      await care.consultation(consultationId).getByTestId('care-consultation-join').click();
      const patientCall = new VideoCallPage(patientPage);
      await patientCall.passCheckAndJoin();
      await doctorPage.getByTestId('call-admit').waitFor();

      const frames = Promise.all([firstRemoteFrame(doctorPage), firstRemoteFrame(patientPage)]);
      const t0 = (await doctorPage.evaluate(ADMIT_NOW)) as number;
      const [d, p] = await frames;
      oursMs.push(Math.max(d, p) - t0);

      await doctorCall.end();
      await patientCall.expectPhase('ended');
      await patientPage.keyboard.press('Escape');
      await new ConclusionEditorPage(doctorPage).waitForVisible();
      await new ConclusionEditorPage(doctorPage).close();
      await card.back();
    }

    const barePage = await (await browser.newContext()).newPage();
    await barePage.goto(`${api.url}/api/health`);
    const bareMs: number[] = [];
    for (let i = 0; i < calls; i++) bareMs.push(await bareSetup(barePage));
    return { calls, oursMs, bareMs };
  } finally {
    await browser.close();
    await host.stop();
    await api.stop();
  }
}

export async function runCallSetupBench(quick: boolean): Promise<void> {
  const r = await benchCallSetup(quick ? 5 : 10);
  const fmt = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
  console.log(`\nУстановка видеосвязи на loopback (${quick ? 'быстрый режим' : 'полный режим'}): «Пригласить» → первый кадр у обоих, ${r.calls} звонков`);
  console.log('                              | медиана, мс | все, мс');
  console.log(`bare RTCPeerConnection pair   | ${String(Math.round(median(r.bareMs))).padStart(11)} | ${fmt(r.bareMs)}`);
  console.log(`our call (admit → frames)     | ${String(Math.round(median(r.oursMs))).padStart(11)} | ${fmt(r.oursMs)}`);
  console.log(`ours ÷ bare: ${(median(r.oursMs) / median(r.bareMs)).toFixed(2)}`);
}
