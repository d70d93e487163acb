import { expect, test } from '@playwright/test';
import { DoctorQueue, SignInPage } from './page-models/index.js';
import { startCentralApi, startDesktopHost, tempDir, type CentralApi, type DesktopHost } from './support/processes.js';

/**
 * The centre doctor's workspace in the real UI (browser mode, real central API with demo data):
 * the queue's filters, the patient card, and a conclusion written, autosaved, checked and issued.
 */
let api: CentralApi;
let host: DesktopHost;

test.beforeAll(async () => {
  api = await startCentralApi(tempDir('api'));
});
test.afterAll(async () => {
  await api?.stop();
});
test.beforeEach(async () => {
  host = await startDesktopHost(tempDir('desktop'), api.url);
});
test.afterEach(async () => {
  await host?.stop();
});

test('a doctor filters the queue, opens a card, and writes, checks and issues a conclusion', async ({ page }) => {
  await page.goto(host.url);
  await new SignInPage(page).signIn({ login: 'demo-doctor-bakulev', password: 'oblako-demo' });
  const queue = await new DoctorQueue(page).waitForVisible();
  // The first sync brings the centre's queue: wait for it rather than read an empty list.
  await expect(queue.rows.all.first()).toBeVisible({ timeout: 30_000 });

  await queue.filter({ source: 'self_application' });
  for (const source of await queue.rows.all.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-source')))) expect(source).toBe('self_application');
  await queue.resetFilters();

  await queue.filter({ status: 'new' });
  await expect(queue.rows.all.first()).toBeVisible();
  const name = (await queue.rows.names())[0];
  expect(name).toBeTruthy();
  const card = await queue.openCard(name!);
  await expect(card.name).toHaveText(name!);
  await expect(card.request().getByTestId('card-checklist')).toBeVisible();

  let editor = await card.writeConclusion();
  await editor.fill({ complaints: 'Одышка при подъёме на 2 этаж', mainDiagnosis: { icd10: 'i25,1', text: 'Атеросклеротическая болезнь сердца' } });
  // The code is normalised on leaving the field.
  await expect(page.getByTestId('field-main-icd10')).toHaveValue('I25.1');
  await editor.field('conclusion').fill('');
  await editor.expectSaved();
  await editor.close();

  // Reopened: the draft is back as it was saved.
  editor = await card.writeConclusion();
  await editor.expectValue('complaints', 'Одышка при подъёме на 2 этаж');
  await editor.issueExpectingErrors();
  await expect(page.getByTestId('field-conclusion')).toHaveAttribute('aria-invalid', 'true');

  await editor.fill({ conclusion: 'Показано плановое оперативное лечение в НМИЦ ССХ им. А.Н. Бакулева.' });
  await editor.issue();
  await editor.expectIssued(false);
  await editor.close();
  await card.expectConclusion(1, { pending: false, current: true });
});
