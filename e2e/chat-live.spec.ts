import type { Page } from '@playwright/test';
import { ChatPanelModel, DoctorQueue, PortalPage, SignInPage } from './page-models/index.js';
import { PortalCare } from './page-models/portal-care.js';
import { expect, test } from './support/fixtures.js';
import { uniqueSurname } from './support/names.js';
import { importPatient } from './support/patients.js';
import { ApiUser, tempDir } from './support/processes.js';

/**
 * Issue #8, point 5, end to end: a patient in the portal and a centre doctor on the desktop
 * write to each other about the patient's duty-doctor booking and each sees the other's message
 * without reloading (WebSocket pokes on both sides), with an attachment from the patient's
 * documents and unread badges; with the central API stopped the doctor still reads the chat and
 * writes a reply that waits as pending and reaches the patient once the API is back.
 */

async function portalPatient(page: Page, apiUrl: string, dataDir: string, lastName: string): Promise<{ care: PortalCare; login: string }> {
  const sms = await importPatient(apiUrl, dataDir, lastName);
  const portal = new PortalPage(page);
  await portal.open(apiUrl);
  await portal.signIn(sms.login, sms.password);
  await portal.changePassword(sms.password, 'Мой-пароль-2026');
  await portal.expectHome('Игорь Петрович');
  return { care: new PortalCare(page), login: sms.login };
}

test('patient (portal) and doctor (desktop) chat live both ways, with an attachment and unread badges; the doctor reads and writes offline', async ({ page, browser, system }) => {
  test.setTimeout(240_000);
  const apiDir = tempDir('chat-api');
  const central = await system.api(apiDir);
  const lastName = uniqueSurname('Перепискин');
  const fullName = `${lastName} Игорь Петрович`;

  // The patient: signed in, consent given, an ECG uploaded, a duty doctor's slot booked.
  const { care, login } = await portalPatient(page, central.url, apiDir, lastName);
  const patient = await ApiUser.signIn(central.url, login, 'Мой-пароль-2026');
  const token = patient.token;
  const consent = await patient.call<{ version: string }>('GET', '/api/consent/text');
  await patient.call('POST', '/api/me/consent', { version: consent.version, agree: true });
  const me = await patient.call<{ patientId: string }>('GET', '/api/me');
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
  const upload = await fetch(`${central.url}/api/patients/${me.patientId}/documents?type=ecg&fileName=${encodeURIComponent('ЭКГ декабрь.pdf')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: pdf,
  });
  expect(upload.status, await upload.clone().text()).toBe(200);
  const duty = await ApiUser.signIn(central.url, 'demo-duty');
  const startsAt = new Date(Date.now() + 26 * 3_600_000);
  startsAt.setUTCSeconds(0, 0);
  const slots = await duty.call<{ items: { id: string }[] }>('POST', '/api/duty/slots', { startsAt: startsAt.toISOString(), durationMinutes: 20, count: 1 });
  const booking = await patient.call<{ request: { id: string } }>('POST', `/api/duty/slots/${slots.items[0]?.id}/book`, { question: 'Можно ли мне в бассейн?' });
  const requestId = booking.request.id;

  // The doctor opens the patient's card on the desktop: the chat is empty.
  const desktopContext = await browser.newContext();
  const dpage = await desktopContext.newPage();
  const host = await system.desktop(central.url);
  await dpage.goto(host.url);
  const shell = await new SignInPage(dpage).signIn({ login: 'demo-doctor-bakulev', password: 'oblako-demo' });
  const queue = await new DoctorQueue(dpage).waitForVisible();
  await queue.searchFor(lastName);
  const card = await queue.openCard(fullName);
  const doctorChat = await card.chat(requestId);
  await expect(doctorChat.panel.getByTestId('chat-empty')).toBeVisible();
  await card.expectChatUnread(0);

  // The patient writes with the ECG attached (Enter sends); the doctor's card counts it unread…
  await care.goto('consultations');
  const portalCard = care.chat(requestId);
  await care.openChat(portalCard);
  const patientChat = new ChatPanelModel(portalCard);
  await patientChat.send('Здравствуйте! Прикладываю ЭКГ.', { attach: 'ЭКГ декабрь.pdf' });
  // …live: no reload, no «sync now». The chat open on screen marks it read at once (the unread
  // badge of a chat not on screen is checked in the queue below).
  await expect(doctorChat.body('Прикладываю ЭКГ')).toBeVisible({ timeout: 15_000 });
  const fromPatient = (await doctorChat.lines()).find((l) => l.body.includes('Прикладываю ЭКГ'));
  expect(fromPatient).toMatchObject({ mine: false, pending: false, attachment: 'Документ: ЭКГ декабрь.pdf' });
  await card.expectChatUnread(0);
  // The patient sees the read receipt (the doctor's desktop sent message.read).
  await expect(patientChat.message('Прикладываю ЭКГ')).toHaveAttribute('data-read', 'true', { timeout: 15_000 });

  // The doctor answers with a line break (Shift+Enter); the folded portal chat counts it unread.
  await portalCard.getByTestId('care-chat-toggle').click();
  await expect(portalCard).toHaveAttribute('data-open', 'false');
  const input = doctorChat.panel.getByTestId('chat-input');
  await input.fill('Добрый день!');
  await input.press('Shift+Enter');
  await input.pressSequentially('Бассейн можно.');
  await input.press('Enter');
  await expect(doctorChat.body('Бассейн можно.')).toBeVisible();
  await expect(portalCard.getByTestId('care-chat-unread')).toHaveAttribute('data-count', '1', { timeout: 15_000 });
  await care.openChat(portalCard);
  await expect(patientChat.body('Бассейн можно.')).toBeVisible();
  await expect(patientChat.body('Бассейн можно.')).toHaveText('Добрый день!\nБассейн можно.');
  await expect(portalCard.getByTestId('care-chat-unread')).toBeHidden();

  // Unread in the queue: a second patient message while the doctor is on the queue.
  await card.back();
  await patient.call('POST', `/api/requests/${requestId}/messages`, { id: crypto.randomUUID(), body: 'Спасибо!', documentId: null });
  await expect(queue.row(fullName).getByTestId('row-chat-unread').first()).toHaveAttribute('data-count', '1', { timeout: 15_000 });

  // The central API goes away: the doctor still reads the whole chat and writes a pending reply.
  await central.stop();
  await shell.syncNow('offline');
  const offlineCard = await queue.openCard(fullName);
  const offlineChat = await offlineCard.chat(requestId);
  expect((await offlineChat.lines()).map((l) => l.body)).toEqual(['Здравствуйте! Прикладываю ЭКГ.', 'Добрый день!\nБассейн можно.', 'Спасибо!']);
  await offlineCard.expectChatUnread(0);
  await offlineChat.send('Ждём вас завтра.');
  await offlineChat.expectPending('Ждём вас завтра.', true);
  await expect(offlineChat.message('Ждём вас завтра.').getByTestId('chat-pending')).toBeVisible();

  // Back online: delivered once, no longer pending, and the portal shows it without a reload.
  await system.api(apiDir, central.port);
  await shell.syncNow();
  await shell.expectPending(0);
  await offlineChat.expectPending('Ждём вас завтра.', false);
  await expect(patientChat.body('Ждём вас завтра.')).toBeVisible({ timeout: 45_000 });
  const onServer = await patient.call<{ items: { body: string; readAt: string | null; senderRole: string }[] }>('GET', `/api/requests/${requestId}/messages`);
  expect(onServer.items.filter((m) => m.body === 'Ждём вас завтра.')).toHaveLength(1);
  expect(onServer.items.find((m) => m.body === 'Спасибо!')?.readAt).not.toBeNull();
  await desktopContext.close();
});
