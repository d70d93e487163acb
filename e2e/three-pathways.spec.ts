import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { makeSnilsNumber } from '../shared/referral/fixtures/generate.js';
import { makeXlsx } from '../shared/referral/fixtures/make-xlsx.js';
import { Calendar, DoctorQueue, ManagerImport, PortalPage, ReferralDrafts, ReferralStatus, SignInPage, SmsOutbox } from './page-models/index.js';
import { PortalCare } from './page-models/portal-care.js';
import { smallPng } from './support/documents.js';
import { expect, test } from './support/fixtures.js';
import { uniqueSurname } from './support/names.js';
import { ApiUser, tempDir, type DesktopHost } from './support/processes.js';

/**
 * Issue #7's acceptance: the three pathways into one queue, across every role, in browser mode
 * against the real central API.
 * 1. Referral: the physician sends a table from the desktop → the manager imports it → the
 *    credentials SMS → the patient signs in, sets a password, consents, uploads the checklist →
 *    the doctor schedules → the patient sees it and the notification → the conclusion →
 *    the patient downloads the PDF, and the physician's status view says «conclusion issued».
 * 2. Self-application → the centre's queue → scheduled.
 * 3. Duty booking + chat → the consultation.
 */
const tomorrow = () => {
  const d = new Date(Date.now() + 24 * 3600_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
const PASSWORD = 'Мой-пароль-2026';

// A click that cannot happen fails in seconds with its locator, not at the test's end.
test.use({ actionTimeout: 15_000 });

async function desktopAs(browser: Browser, host: DesktopHost, login: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(host.url);
  await new SignInPage(page).signIn({ login, password: 'oblako-demo' });
  return { page, close: () => context.close() };
}

test('three pathways, one queue: referral, self-application and duty booking, across all roles', async ({ browser, system }) => {
  test.setTimeout(360_000);
  const central = await system.api(tempDir('paths-api'));
  const physicianHost = await system.desktop(central.url);
  const managerHost = await system.desktop(central.url);
  const doctorHost = await system.desktop(central.url);

  // ── 1. Referral ──────────────────────────────────────────────────────────────────────────
  const lastName = uniqueSurname('Путев');
  const fullName = `${lastName} Игорь Петрович`;
  const phone = `+7 9${String(crypto.randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
  const file = path.join(tempDir('paths-xlsx'), 'Направления.xlsx');
  fs.writeFileSync(
    file,
    makeXlsx([
      {
        name: 'Лист1',
        rows: [
          ['№', 'Ф.И.О. пациента', 'Пол', 'Дата рожд.', 'СНИЛС', 'Телефон', 'Регион', 'МО', 'Лечащий врач', 'Центр', 'Профиль', 'МКБ-10', 'Диагноз', 'Срочность'],
          [1, fullName, 'муж', '01.02.1980', makeSnilsNumber(Math.random), phone, 'Республика Татарстан', 'ГАУЗ «РКБ»', 'Петрова А. С.', 'Бакулева', 'Нарушения ритма сердца', 'I48', 'ФП', 'плановая'],
        ],
      },
    ]),
  );
  const physician = await desktopAs(browser, physicianHost, 'demo-physician');
  const physicianNav = async (item: 'referral-drafts' | 'referral-status') => {
    await physician.page.getByTestId(`nav-${item}`).click();
    await expect(physician.page.getByTestId(`view-${item}`)).toBeVisible();
  };
  await physicianNav('referral-drafts');
  const drafts = await new ReferralDrafts(physician.page).waitForVisible();
  const mapping = await drafts.uploadFile(file);
  const grid = await mapping.confirm(`Путевой лист ${lastName}`);
  await grid.expectProblemCount(0);
  await grid.send();

  const manager = await desktopAs(browser, managerHost, 'demo-manager');
  await manager.page.getByTestId('nav-incoming-batches').click();
  const im = await new ManagerImport(manager.page).waitForInbox();
  await expect(im.batchRow(`Путевой лист ${lastName}`)).toBeVisible({ timeout: 30_000 });
  await im.openBatch(`Путевой лист ${lastName}`);
  await im.commit();
  await im.waitForImportDone({ created: 1 });
  await manager.page.getByTestId('nav-sms-outbox').click();
  const outbox = await new SmsOutbox(manager.page).waitForVisible();
  const smsText = (await outbox.text(outbox.rowsTo(phone.replace(/\s/g, ''))).innerText()).trim();
  const creds = /логин (\S+) пароль (\S+)/.exec(smsText);
  expect(creds, smsText).not.toBeNull();

  const patientContext = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const portalPage = await patientContext.newPage();
  const portal = await new PortalPage(portalPage).open(central.url);
  await portal.signIn(creds![1]!, creds![2]!);
  await portal.changePassword(creds![2]!, PASSWORD);
  await portal.expectHome(/Игорь Петрович/);
  await portal.openDocuments();
  await portal.giveConsent();
  await portal.openDocuments();
  // The checklist of «Нарушения ритма сердца»: every required document, by the portal's uploader.
  const required = await portalPage.locator('[data-testid="portal-doc-item"][data-required="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-type') ?? ''));
  expect(required.length).toBeGreaterThan(0);
  for (const type of required) {
    const name = `${type}.png`;
    await portal.chooseFile(type, { name, mimeType: 'image/png', buffer: smallPng() });
    await portal.expectUploadPhase(name, 'done');
  }
  const done = await portal.completeness();
  expect(done.done).toBe(done.total);

  const doctor = await desktopAs(browser, doctorHost, 'demo-doctor-bakulev');
  const queue = await new DoctorQueue(doctor.page).waitForVisible();
  await queue.searchFor(lastName);
  await queue.take(fullName);
  const card = await queue.openCard(fullName);
  await card.expectChecklistComplete(true);
  await card.schedule();
  await new Calendar(doctor.page).schedule({ date: tomorrow(), time: '11:00', duration: 30 });

  // The patient sees the consultation and the notification.
  const care = new PortalCare(portalPage);
  await care.goto('consultations');
  await expect(portalPage.getByTestId('care-consultation').first()).toHaveAttribute('data-status', 'scheduled', { timeout: 30_000 });
  await care.goto('notifications');
  const notes = await care.notifications();
  expect(notes.some((n) => n.kind === 'consultation.scheduled' && n.unread)).toBe(true);

  // The conclusion, then the patient's PDF and the physician's status view.
  const editor = await card.writeConclusion();
  await editor.fill({
    complaints: 'Перебои в работе сердца',
    mainDiagnosis: { icd10: 'I48', text: 'Фибрилляция предсердий' },
    conclusion: 'Показана катетерная аблация в плановом порядке.',
    recommendations: 'Контроль ЭКГ через месяц.',
  });
  await editor.issue();
  await editor.expectIssued(false);
  await editor.close();
  await care.goto('consultations');
  const pdfButton = portalPage.getByTestId('care-conclusion-download').first();
  await expect(pdfButton).toBeVisible({ timeout: 30_000 });
  const pdf = await care.downloadConclusion(pdfButton);
  expect(pdf.head).toBe('%PDF-');
  await physicianNav('referral-status');
  const status = await new ReferralStatus(physician.page).waitForVisible();
  await status.searchFor(lastName);
  await status.expectStage(fullName, 'conclusion_issued');

  // ── 2. Self-application → the queue → scheduled ─────────────────────────────────────────
  await care.goto('apply');
  const requestId = await care.apply({ centre: 'bakulev', profile: 'Ишемическая болезнь сердца', diagnosis: 'ИБС, стенокардия напряжения', complaints: 'Давящие боли за грудиной при ходьбе' });
  await card.back();
  await queue.filter({ source: 'self_application' });
  await queue.searchFor(lastName);
  await expect(doctor.page.locator(`[data-testid="queue-row"][data-request-id="${requestId}"]`)).toHaveCount(1, { timeout: 30_000 });
  const card2 = await queue.openCard(fullName);
  await card2.schedule(requestId);
  await new Calendar(doctor.page).schedule({ date: tomorrow(), time: '14:00', duration: 30 });
  await care.goto('consultations');
  await expect(portalPage.locator(`[data-testid="care-consultation"][data-request-id="${requestId}"]`)).toHaveAttribute('data-status', 'scheduled', { timeout: 30_000 });

  // ── 3. Duty booking + chat → the consultation ───────────────────────────────────────────
  const duty = await ApiUser.signIn(central.url, 'demo-duty');
  const starts = new Date(Date.now() + 2 * 24 * 3600_000);
  starts.setUTCMinutes(0, 0, 0);
  await duty.call('POST', '/api/duty/slots', { startsAt: starts.toISOString(), durationMinutes: 20, count: 2 });
  await care.goto('duty');
  const slot = care.slotAt(starts.toISOString());
  await care.book(slot, 'Можно ли мне заниматься плаванием?');
  const chat = care.chat();
  await care.openChat(chat);
  await care.sendMessage(chat, 'Здравствуйте! Я принимаю антикоагулянты.');
  const booked = await duty.call<{ items: { id: string; patientId: string; kind: string; requestId: string }[] }>('GET', '/api/consultations');
  const mine = booked.items.filter((c) => c.kind === 'duty');
  expect(mine.length).toBeGreaterThan(0);
  const dutyRequest = mine[0]!.requestId;
  const messages = await duty.call<{ items: { body: string; senderRole: string }[] }>('GET', `/api/requests/${dutyRequest}/messages`);
  expect(messages.items.map((m) => m.body)).toContain('Здравствуйте! Я принимаю антикоагулянты.');
  await duty.call('POST', `/api/requests/${dutyRequest}/messages`, { id: crypto.randomUUID(), body: 'Здравствуйте! Обсудим на консультации.' });
  // The chat is live: the doctor's reply arrives without a reload.
  await expect(chat.getByTestId('chat-body').filter({ hasText: 'Обсудим на консультации' })).toHaveCount(1, { timeout: 20_000 });
  expect((await care.messages(chat)).filter((m) => !m.mine).map((m) => m.body)).toContain('Здравствуйте! Обсудим на консультации.');
  await care.goto('consultations');
  await expect(portalPage.locator('[data-testid="care-consultation"][data-kind="duty"]')).toHaveAttribute('data-status', 'scheduled');

  await patientContext.close();
  await physician.close();
  await manager.close();
  await doctor.close();
});
