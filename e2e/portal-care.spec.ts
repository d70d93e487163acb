import crypto from 'node:crypto';
import type { Page, TestInfo } from '@playwright/test';
import { PortalCare } from './page-models/portal-care.js';
import { PortalPage } from './page-models/portal.js';
import { expect, test } from './support/fixtures.js';
import { uniqueSurname } from './support/names.js';
import { importPatient } from './support/patients.js';
import { ApiUser, tempDir } from './support/processes.js';

/**
 * The portal's care pages (issue #7): a self-application reaches the centre's queue; the duty
 * doctor's slot is booked (and a taken slot is explained), the patient and the doctor chat; the
 * consultation shows, the call placeholder opens, the booking is cancelled with a reason; the
 * notice of the booking waits unread; a corrected conclusion and an invitation are shown and the
 * PDF downloads. Every page: no serious axe violations, nothing overflows at 360 px.
 */

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** A call with a bearer token (the patient's token is the portal tab's). */
async function apiCall<T>(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The patient agrees to the processing of personal data (needed before applying or booking). */
async function giveConsent(baseUrl: string, token: string): Promise<void> {
  const text = await apiCall<{ version: string }>(baseUrl, token, 'GET', '/api/consent/text');
  await apiCall(baseUrl, token, 'POST', '/api/me/consent', { version: text.version, agree: true });
}

/** A newly referred patient signs in with the SMS credentials and sets a password. */
async function newPatient(page: Page, apiUrl: string, dataDir: string): Promise<{ portal: PortalPage; care: PortalCare; token: string }> {
  const sms = await importPatient(apiUrl, dataDir, uniqueSurname('Заботин'));
  const portal = new PortalPage(page);
  await portal.open(apiUrl);
  await portal.signIn(sms.login, sms.password);
  await portal.changePassword(sms.password, 'Мой-пароль-2026');
  await portal.expectHome('Игорь Петрович');
  const token = await portal.sessionToken();
  await giveConsent(apiUrl, token);
  return { portal, care: new PortalCare(page), token };
}

/** The checks every care page passes at 360×740: axe, no sideways scroll, 44 px targets, a screenshot. */
async function checkPage(care: PortalCare, testInfo: TestInfo, name: string): Promise<void> {
  expect(await care.seriousA11yViolations(), `${name}: axe`).toEqual([]);
  expect(await care.horizontalOverflow(), `${name}: overflow`).toBeLessThanOrEqual(0);
  expect(await care.smallTouchTargets(44), `${name}: touch targets`).toEqual([]);
  await shot(care.page, testInfo, `${name}-360x740.png`);
}

interface Slot {
  id: string;
  startsAt: string;
  free: boolean;
}

/** The duty doctor opens `count` slots of 20 min from `startsAt` (whole minutes). */
async function openSlots(duty: ApiUser, startsAt: Date, count: number): Promise<Slot[]> {
  startsAt.setUTCSeconds(0, 0);
  const r = await duty.call<{ items: Slot[] }>('POST', '/api/duty/slots', { startsAt: startsAt.toISOString(), durationMinutes: 20, count });
  return r.items.filter((s) => Date.parse(s.startsAt) >= startsAt.getTime()).sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
}

test('a patient applies to a centre by themselves: fields are checked, a double tap is one application, and it lands in the centre’s queue', async ({ page, system }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const dataDir = tempDir('api');
  const api = await system.api(dataDir);
  const { care } = await newPatient(page, api.url, dataDir);

  await care.goto('apply');
  await expect(page.getByTestId('care-apply-patient')).toContainText('Игорь Петрович');
  // Nothing filled: every field says what is missing, and focus goes to the first.
  await care.submitApplication();
  await expect(care.applyError).toContainText('Проверьте отмеченные поля');
  await expect(care.applyForm).toContainText('Выберите центр.');
  await expect(care.applyForm).toContainText('Укажите текущий диагноз');
  await checkPage(care, testInfo, 'care-apply-errors');

  // Pregnancy weeks are asked only for the profiles that need them.
  await care.fillApplication({ centre: 'kulakov', profile: 'Врождённые пороки развития у плода' });
  await expect(page.getByTestId('care-apply-weeks')).toBeVisible();
  await care.fillApplication({ centre: 'bakulev', profile: 'Ишемическая болезнь сердца' });
  await expect(page.getByTestId('care-apply-weeks')).toBeHidden();

  const diagnosis = `ИБС, стенокардия напряжения ${crypto.randomInt(1000, 9999)}`;
  await care.fillApplication({ diagnosis, complaints: 'Давящие боли за грудиной при ходьбе, одышка.' });
  // A double tap: both presses carry the same application id.
  await page.getByTestId('care-apply-submit').dblclick();
  await expect(care.applyDone).toBeVisible();
  await expect(care.applyDone).toContainText('ответит в течение 1–3 дней');
  await expect(page.getByTestId('care-apply-documents')).toContainText('ЭКГ');
  const requestId = (await care.applyDone.getAttribute('data-request-id')) ?? '';
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  await checkPage(care, testInfo, 'care-apply-done');

  // The centre's doctor sees exactly one self-application with that diagnosis.
  const doctor = await ApiUser.signIn(api.url, 'demo-doctor-bakulev');
  const queue = await doctor.call<{ items: { id: string; source: string; status: string; diagnosis: string | null; profile: string }[] }>('GET', '/api/requests?source=self_application&limit=500');
  const mine = queue.items.filter((r) => r.diagnosis === diagnosis);
  expect(mine).toHaveLength(1);
  expect(mine[0]).toMatchObject({ id: requestId, source: 'self_application', status: 'new' });
});

test('the duty doctor: book a slot (a taken one is explained), chat both ways, join placeholder, cancel with a reason, the booking notice', async ({ page, system }, testInfo) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 360, height: 740 });
  const dataDir = tempDir('api');
  const api = await system.api(dataDir);
  const duty = await ApiUser.signIn(api.url, 'demo-duty');
  // One slot in a few minutes (the call button shows 10 min before), two tomorrow.
  const [soon] = await openSlots(duty, new Date(Date.now() + 5 * 60_000), 1);
  const tomorrow = await openSlots(duty, new Date(Date.now() + 26 * 3_600_000), 2);
  expect(soon).toBeTruthy();
  expect(tomorrow).toHaveLength(2);
  const [taken, later] = tomorrow as [Slot, Slot];

  const { care, token } = await newPatient(page, api.url, dataDir);
  // One document of the patient's own, to attach in the chat.
  const me = await apiCall<{ patientId: string }>(api.url, token, 'GET', '/api/me');
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
  const upload = await fetch(`${api.url}/api/patients/${me.patientId}/documents?type=ecg&fileName=${encodeURIComponent('ЭКГ ноябрь.pdf')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: pdf,
  });
  expect(upload.status, await upload.clone().text()).toBe(200);
  await care.goto('duty');
  await expect(care.slotAt(soon!.startsAt)).toBeVisible();
  await checkPage(care, testInfo, 'care-duty-schedule');

  // Someone else takes a slot while this patient is typing the question (picked by keyboard).
  await care.slotAt(taken.startsAt).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('care-duty-question')).toBeFocused();
  await page.keyboard.type('Можно ли мне заниматься плаванием?');
  const other = await ApiUser.signIn(api.url, 'demo-patient');
  await giveConsent(api.url, other.token);
  await other.call('POST', `/api/duty/slots/${taken.id}/book`, { question: 'Вопрос о профилактике' });
  await page.getByTestId('care-duty-book').click();
  await expect(care.dutyError).toContainText('Это время уже заняли');
  await expect(care.slotAt(taken.startsAt)).toHaveCount(0);
  await expect(care.slotAt(later.startsAt)).toBeVisible();

  // The slot in a few minutes: booked, then the chat is right there.
  await care.book(care.slotAt(soon!.startsAt), 'Какие анализы сдать перед консультацией?');
  await expect(care.dutyNotice).toContainText('Вы записаны');
  const booked = page.getByTestId('care-duty-mine').getByTestId('care-consultation');
  await expect(booked).toHaveCount(1);
  const requestId = (await booked.getAttribute('data-request-id')) ?? '';
  const consultationId = (await booked.getAttribute('data-consultation-id')) ?? '';
  const chat = care.chat(requestId);
  await care.sendMessage(chat, 'Здравствуйте! Принимаю бисопролол 5 мг.', 'ЭКГ ноябрь.pdf');
  await expect(chat.getByTestId('chat-attachment')).toContainText('ЭКГ ноябрь.pdf');

  // The doctor answers; the open chat gets it live (a WebSocket poke; the fallback poll is 30 s).
  await duty.call('POST', `/api/requests/${requestId}/messages`, { id: crypto.randomUUID(), body: 'Добрый день! Продолжайте приём, обсудим на консультации.' });
  await expect(chat.getByTestId('chat-body').filter({ hasText: 'Продолжайте приём' })).toBeVisible({ timeout: 15_000 });
  const messages = await care.messages(chat);
  expect(messages.map((m) => [m.mine, m.body])).toEqual([
    [true, 'Здравствуйте! Принимаю бисопролол 5 мг.'],
    [false, 'Добрый день! Продолжайте приём, обсудим на консультации.'],
  ]);
  expect(messages[0]?.sender).toBe('Вы');
  expect(messages[1]?.sender).toContain('Волков');
  await checkPage(care, testInfo, 'care-duty-chat');

  // A second reply while the chat is folded: the unread badge counts it.
  await chat.getByTestId('care-chat-toggle').click();
  await duty.call('POST', `/api/requests/${requestId}/messages`, { id: crypto.randomUUID(), body: 'Возьмите с собой список лекарств.' });
  await expect(chat.getByTestId('care-chat-unread')).toHaveAttribute('data-count', '1', { timeout: 15_000 });
  await care.openChat(chat);
  await expect(chat.getByTestId('chat-body').filter({ hasText: 'список лекарств' })).toBeVisible();
  await expect(chat.getByTestId('care-chat-unread')).toBeHidden();
  const unreadForPatient = await apiCall<{ unread: number }>(api.url, token, 'GET', `/api/requests/${requestId}/messages`);
  expect(unreadForPatient.unread).toBe(0);

  // Consultations: the booking is listed; it starts within 10 minutes, so the call button shows.
  await care.goto('consultations');
  const list = await care.consultations();
  expect(list.find((c) => c.id === consultationId)).toMatchObject({ kind: 'duty', status: 'scheduled', statusText: 'Назначена' });
  expect(list.find((c) => c.id === consultationId)?.when).toMatch(/Сегодня, \d{1,2} [а-я]+, \d{2}:\d{2} МСК/);
  const card = care.consultation(consultationId);
  await card.getByTestId('care-consultation-join').click();
  // The call opens with its check (the call itself: e2e/video-call.spec.ts); cancelling closes it.
  await expect(page.getByTestId('call-check')).toBeVisible();
  await page.getByTestId('call-check-cancel').click();
  await expect(page.getByRole('dialog')).toBeHidden();
  // The chat is here too.
  await expect(care.chat(requestId)).toBeVisible();
  await checkPage(care, testInfo, 'care-consultations');

  // Cancel: a reason is required.
  await card.getByTestId('care-consultation-cancel').click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.getByTestId('care-cancel-confirm').click();
  await expect(page.getByRole('dialog')).toContainText('не короче 3 символов');
  expect(await care.seriousA11yViolations(), 'cancel dialog: axe').toEqual([]);
  await shot(page, testInfo, 'care-cancel-dialog-360x740.png');
  await page.getByTestId('care-cancel-keep').click();
  await care.cancelConsultation(card, 'Не смогу быть на связи, уезжаю.');
  await expect(card.getByTestId('care-consultation-cancelled')).toContainText('Не смогу быть на связи');
  await expect(card.getByTestId('care-consultation-join')).toHaveCount(0);
  const server = await apiCall<{ items: { id: string; status: string; cancelReason: string | null; cancelledBy: string | null }[] }>(api.url, token, 'GET', '/api/consultations');
  expect(server.items.find((c) => c.id === consultationId)).toMatchObject({ status: 'cancelled', cancelReason: 'Не смогу быть на связи, уезжаю.', cancelledBy: 'patient' });

  // Notifications: the booking notice, unread, highlighted; then all marked read.
  await care.goto('notifications');
  const notes = await care.notifications();
  expect(notes.length).toBeGreaterThan(0);
  expect(notes.some((n) => n.kind === 'consultation.scheduled' && n.unread)).toBe(true);
  await expect(care.unreadBadge).toBeVisible();
  await checkPage(care, testInfo, 'care-notifications');
  await care.markAllRead();
  expect((await care.notifications()).every((n) => !n.unread)).toBe(true);
  const after = await apiCall<{ unread: number }>(api.url, token, 'GET', '/api/notifications');
  expect(after.unread).toBe(0);
});

test('conclusions: the corrected version is current, the earlier one is marked «исправлено», the invitation shows its dates, the PDF downloads', async ({ page, system }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const dataDir = tempDir('api');
  const api = await system.api(dataDir);
  const { care, token } = await newPatient(page, api.url, dataDir);
  const requests = await apiCall<{ items: { id: string }[] }>(api.url, token, 'GET', '/api/requests');
  const requestId = requests.items[0]?.id ?? '';
  expect(requestId).not.toBe('');

  // The centre's doctor issues a conclusion, then corrects it into an invitation (as the desktop pushes).
  const doctor = await ApiUser.signIn(api.url, 'demo-doctor-bakulev');
  const content = {
    complaints: 'Перебои в работе сердца.',
    anamnesis: 'ФП с 2020 года.',
    documentsReviewed: [],
    mainDiagnosis: { icd10: 'I48', text: 'Фибрилляция предсердий' },
    secondaryDiagnoses: [],
    conclusion: 'Показана катетерная аблация.',
    recommendations: 'Антикоагулянты.',
    outcome: 'conclusion',
    proposedDates: [],
  };
  const v1 = crypto.randomUUID();
  const v2 = crypto.randomUUID();
  const push = (id: string, args: unknown) => doctor.call<{ results: { status: string }[] }>('POST', '/api/sync/push', { clientId: crypto.randomUUID(), mutations: [{ id: 1, name: 'conclusion.issue', args: { id, ...(args as object) } }] });
  expect((await push(v1, { requestId, consultationId: null, content, correctsId: null })).results[0]?.status).toBe('applied');
  const invitation = { ...content, outcome: 'invitation', proposedDates: ['2026-12-14', '2026-12-16'] };
  expect((await push(v2, { requestId, consultationId: null, content: invitation, correctsId: v1 })).results[0]?.status).toBe('applied');

  await care.goto('consultations');
  await expect(care.conclusions).toHaveCount(1);
  const card = care.conclusions.first();
  await expect(card).toHaveAttribute('data-conclusion-id', v2);
  await expect(card).toHaveAttribute('data-version', '2');
  await expect(card.getByTestId('care-conclusion-invitation')).toContainText('Вас приглашают на очный приём');
  await expect(card.getByTestId('care-conclusion-dates')).toContainText('14 декабря 2026');
  await expect(card.getByTestId('care-conclusion-dates')).toContainText('16 декабря 2026');
  await expect(card.getByTestId('care-conclusion-old')).toHaveCount(1);
  await expect(card.getByTestId('care-conclusion-old')).toContainText('Версия 1');
  await expect(card.getByTestId('care-conclusion-old')).toContainText('исправлено');
  await checkPage(care, testInfo, 'care-conclusions');

  const file = await care.downloadConclusion(card.getByTestId('care-conclusion-download'));
  expect(file.name).toMatch(/^заключение-\d{4}-\d{2}-\d{2}-v2\.pdf$/);
  expect(file.head).toBe('%PDF-');
});
