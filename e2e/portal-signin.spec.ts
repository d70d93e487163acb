import type { Page, TestInfo } from '@playwright/test';
import { PortalPage } from './page-models/portal.js';
import { expect, test } from './support/fixtures.js';
import { uniqueSurname } from './support/names.js';
import { importPatient } from './support/patients.js';
import { tempDir } from './support/processes.js';

/** A full-page screenshot kept with the test's artefacts (outputDir) and attached to the report. */
async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

test('a patient signs in with the SMS credentials, is made to set a password, and sees their request', async ({ page, system }, testInfo) => {
  const dataDir = tempDir('api');
  const api = await system.api(dataDir);
  const lastName = uniqueSurname('Порталов');
  const sms = await importPatient(api.url, dataDir, lastName);

  const portal = new PortalPage(page);
  await portal.open(api.url);
  await portal.signIn(sms.login, sms.password);
  // The SMS password is carried over; the rules answer as the patient types.
  await portal.expectPasswordChangeRequired(sms.password);
  await portal.newPassword.fill('short');
  await portal.expectRule('length', false);
  await portal.newPassword.fill(`${sms.login}-и-ещё`);
  await portal.expectRule('login', false);
  await shot(page, testInfo, 'portal-change-password.png');

  const chosen = 'Мой-пароль-2026';
  await portal.changePassword(sms.password, chosen);
  await portal.expectHome('Здравствуйте, Игорь Петрович!');
  await expect(portal.notice).toContainText('Пароль сохранён');
  const requests = await portal.requests();
  expect(requests).toHaveLength(1);
  expect(requests[0]).toMatchObject({
    status: 'new',
    statusText: 'Заявка принята',
    centre: 'НМИЦ ССХ им. А.Н. Бакулева',
    profile: 'Нарушения ритма сердца',
  });
  expect(requests[0]?.due).toMatch(/^Ответ ожидается до \d{1,2} [а-я]+ \d{4}/);

  // A reload keeps the tab's session (sessionStorage) and goes straight home.
  await page.reload();
  await portal.expectHome('Игорь Петрович');

  await portal.signOut();
  await expect(portal.notice).toContainText('Вы вышли');
  // The one-time password opened exactly one session and is spent.
  await portal.signIn(sms.login, sms.password);
  await portal.expectSignInError('INVALID_CREDENTIALS', 'Неверный логин или пароль');
  await portal.signIn(sms.login, chosen);
  await portal.expectHome('Игорь Петрович');
  expect(await portal.requests()).toHaveLength(1);
});

test('at 360×740 nothing overflows sideways, it works by keyboard, and wrong, locked, expired and unreachable are explained', async ({ page, system }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const api = await system.api();
  const portal = new PortalPage(page);
  await portal.open(api.url);
  expect(await portal.horizontalOverflow()).toBeLessThanOrEqual(0);
  expect(await portal.smallTouchTargets(44)).toEqual([]);
  // Keyboard only: login → password → show/hide → sign in; the toggle reveals what was typed.
  await portal.login.focus();
  await page.keyboard.press('Tab');
  await expect(portal.password).toBeFocused();
  await page.keyboard.type('видно');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('portal-password-toggle')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(portal.password).toHaveAttribute('type', 'text');
  await expect(portal.password).toHaveValue('видно');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('portal-signin-submit')).toBeFocused();
  await portal.signIn('demo-patient', 'wrong-password');
  await portal.expectSignInError('INVALID_CREDENTIALS');
  expect(await portal.scrollWidth()).toBeLessThanOrEqual(360);
  await shot(page, testInfo, 'portal-signin-error-360x740.png');

  await portal.signIn('demo-patient', 'oblako-demo');
  await portal.expectHome('Сергей');
  const requests = await portal.requests();
  expect(await portal.scrollWidth()).toBeLessThanOrEqual(360);
  await shot(page, testInfo, 'portal-home-360x740.png');
  expect(requests.length).toBeGreaterThan(0);
  // Every touch target on the page is at least 44 px tall.
  const small = await portal.smallTouchTargets(44);
  expect(small).toEqual([]);

  // The session is revoked behind the portal's back (sign-out elsewhere): back to sign-in, with a word why.
  const token = await portal.sessionToken();
  expect(token).not.toBe('');
  await fetch(`${api.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  await page.reload();
  await expect(portal.signInForm).toBeVisible();
  await expect(portal.notice).toContainText('Сеанс завершён');

  // Five wrong passwords lock the account; the portal says for how long.
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'demo-patient', password: `wrong-${i}` }) });
    expect(res.status).toBe(401);
  }
  await portal.signIn('demo-patient', 'oblako-demo');
  await portal.expectSignInError('ACCOUNT_LOCKED', /Вход временно заблокирован.*через \d+ мин/s);

  await api.stop();
  await portal.signIn('demo-patient', 'oblako-demo');
  await portal.expectSignInError('SERVER_UNREACHABLE', 'Нет связи с сервером');
});
