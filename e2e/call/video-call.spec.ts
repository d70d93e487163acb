import { ChatPanelModel, ConclusionEditorPage } from '../page-models/index.js';
import { expect, test } from '../support/fixtures.js';
import { shape } from '../support/netns.js';
import { ApiUser, tempDir } from '../support/processes.js';
import { callWorld, doctorStartsCall, patientJoins } from './call-world.js';

/**
 * A video consultation end to end, on a real link between two network namespaces: the doctor in
 * the desktop UI (browser mode) and the patient in the portal, each in their own browser with a
 * fake camera and microphone. Waiting room → admit → media both ways (getStats: decoded frames and
 * received sound rising on both sides) → mute and unmute heard on the other side → the link cut
 * and restored within the call → the doctor ends it → the conclusion editor opens.
 */

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

    // The chat beside the call, both ways, live.
    const doctorChat = new ChatPanelModel(doctor.chat);
    const patientChat = new ChatPanelModel(patient.chat);
    await doctorChat.send('Здравствуйте! Расскажите, как вы себя чувствуете.');
    await expect(patientChat.body('как вы себя чувствуете')).toBeVisible({ timeout: 20_000 });
    await patientChat.send('Добрый день! Одышка стала меньше.');
    await expect(doctorChat.body('Одышка стала меньше')).toBeVisible({ timeout: 20_000 });

    // Mute: the doctor hears silence; unmute: the tone of the fake microphone again.
    await expect.poll(async () => (await doctor.figures()).inAudioLevel, { timeout: 15_000 }).toBeGreaterThan(0.01);
    await patient.setMic(false);
    await expect.poll(async () => (await doctor.figures()).inAudioLevel, { timeout: 15_000 }).toBeLessThan(0.001);
    await patient.setMic(true);
    await expect.poll(async () => (await doctor.figures()).inAudioLevel, { timeout: 15_000 }).toBeGreaterThan(0.01);

    // The doctor shows their screen in place of the camera; the patient keeps getting frames.
    await page.getByTestId('call-share').click();
    await expect(page.getByTestId('call-share')).toHaveAttribute('data-on', 'true');
    await patient.expectMediaArriving();
    await page.getByTestId('call-share').click();
    await expect(page.getByTestId('call-share')).toHaveAttribute('data-on', 'false');

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
