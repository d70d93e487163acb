import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page, Request, TestInfo } from '@playwright/test';
import { DOCUMENT_MAX_BYTES } from '../shared/domain/documents.js';
import { UPLOAD_CHUNK_BYTES } from '../shared/domain/portal.js';
import { PortalPage } from './page-models/portal.js';
import { expect, test } from './support/fixtures.js';
import { uniqueSurname } from './support/names.js';
import { ApiUser, tempDir } from './support/processes.js';

/** A full-page screenshot kept with the test's artefacts (outputDir) and attached to the report. */
async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** axe-core on the page as it is: no serious or critical violations. */
async function expectAccessible(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  await testInfo.attach(`axe-${name}.json`, { body: JSON.stringify(result.violations, null, 2), contentType: 'application/json' });
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), name).toEqual([]);
}

async function expectFits360(portal: PortalPage): Promise<void> {
  expect(await portal.horizontalOverflow()).toBeLessThanOrEqual(0);
}

/** The last code SMS to `phone`, read as demo-manager (demo mode shows the text). */
async function smsCode(apiUrl: string, phone: string, after = ''): Promise<string> {
  const manager = await ApiUser.signIn(apiUrl, 'demo-manager');
  let code = '';
  await expect
    .poll(async () => {
      const outbox = await manager.call<{ items: { phone: string; kind: string | null; text: string; createdAt: string }[] }>('GET', '/api/sms-outbox?limit=500');
      const sms = outbox.items.filter((m) => m.phone === phone && m.kind === 'code').sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      code = /\b(\d{6})\b/.exec(sms?.text ?? '')?.[1] ?? '';
      return code !== '' && code !== after;
    }, { message: `a code SMS to ${phone}` })
    .toBe(true);
  return code;
}

const newPhone = () => `+79${String(crypto.randomInt(0, 1_000_000_000)).padStart(9, '0')}`;

/** A real PDF head (the server sniffs the content) padded to `size` bytes. */
function pdfBytes(size: number): Buffer {
  const head = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n', 'latin1');
  const tail = Buffer.from('\n%%EOF\n');
  const body = Buffer.alloc(Math.max(0, size - head.length - tail.length), 0x20);
  for (let i = 0; i < body.length; i += 97) body[i] = 0x0a;
  return Buffer.concat([head, body, tail]);
}

test('a patient registers with an SMS code, then resets a forgotten password the same way', async ({ page, system }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const api = await system.api();
  const portal = new PortalPage(page);
  await portal.open(api.url);
  await expectAccessible(page, testInfo, 'sign-in');
  await expectFits360(portal);

  const phone = newPhone();
  const lastName = uniqueSurname('Самозаписев');
  await portal.registerRequestCode(phone);
  // The resend button waits out its timer, in words.
  await expect(page.getByTestId('portal-register-resend')).toBeDisabled();
  await expect(page.getByTestId('portal-register-resend')).toContainText(/через \d+:\d\d/);
  await expectAccessible(page, testInfo, 'registration');
  await expectFits360(portal);
  await shot(page, testInfo, 'portal-register-360x740.png');
  const code = await smsCode(api.url, phone);

  // A wrong code is explained in plain words, next to the field.
  const wrong = code === '000000' ? '111111' : '000000';
  const password = 'Мой-пароль-2026';
  await portal.registerComplete({ code: wrong, lastName, firstName: 'Анна', middleName: 'Сергеевна', sex: 'female', birthDate: '1975-03-14', password });
  await portal.expectRegisterError('VALIDATION_FAILED');
  await expect(page.getByTestId('portal-register-code')).toHaveAttribute('aria-invalid', 'true');

  await portal.registerComplete({ code, lastName, firstName: 'Анна', middleName: 'Сергеевна', sex: 'female', birthDate: '1975-03-14', password });
  await portal.expectHome('Анна Сергеевна');
  await expect(portal.notice).toContainText('Вы зарегистрированы');
  await expectFits360(portal);
  const token = await portal.sessionToken();
  const me = (await (await fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { login: string; role: string };
  expect(me.role).toBe('patient');
  await shot(page, testInfo, 'portal-registered-home-360x740.png');

  // The same number cannot register twice (the answer comes only with a valid code).
  await portal.signOut();

  // Forgot the password: phone → code → new password → sign-in with a notice → sign in.
  await portal.resetRequestCode(phone);
  const resetCode = await smsCode(api.url, phone, code);
  const next = 'Новый-пароль-2027';
  await portal.resetComplete(resetCode, next);
  await expect(portal.signInForm).toBeVisible();
  await expect(portal.notice).toContainText('Пароль изменён');
  await portal.signIn(me.login, password);
  await portal.expectSignInError('INVALID_CREDENTIALS');
  await portal.signIn(me.login, next);
  await portal.expectHome('Анна Сергеевна');
});

test('consent, then a checklist upload that survives a broken connection; a renamed program and an oversized file are refused', async ({ page, system }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const api = await system.api();
  const portal = new PortalPage(page);
  await portal.open(api.url);
  await portal.signIn('demo-patient', 'oblako-demo');
  await portal.expectHome('Сергей');

  // The menu works at 360 px and marks where we are.
  await page.getByTestId('portal-menu').click();
  await expect(page.getByTestId('portal-nav-home')).toHaveAttribute('aria-current', 'page');
  await expectFits360(portal);
  await shot(page, testInfo, 'portal-menu-360x740.png');
  await page.keyboard.press('Escape');

  await portal.openDocuments();
  // No upload before consent.
  await expect(page.getByTestId('portal-consent-needed')).toBeVisible();
  await expect(page.getByTestId('portal-doc-choose')).toHaveCount(0);
  await expectAccessible(page, testInfo, 'documents-before-consent');
  await page.getByTestId('portal-consent-read').click();
  await expect(page.getByTestId('portal-consent-text')).toBeVisible();
  await expectAccessible(page, testInfo, 'consent');
  await expectFits360(portal);
  await shot(page, testInfo, 'portal-consent-360x740.png');
  // Agreeing without the tick is explained.
  await page.getByTestId('portal-consent-submit').click();
  await expect(page.getByText('Поставьте отметку')).toBeVisible();
  await page.getByTestId('portal-consent-agree').check();
  await page.getByTestId('portal-consent-submit').click();
  await expect(page.getByTestId('portal-consent-summary')).toBeVisible();
  await expect(page.getByTestId('portal-consent-summary')).toContainText('Согласие дано');

  // What was agreed to opens from the documents page at any time.
  await page.getByTestId('portal-consent-open').click();
  await expect(page.getByTestId('portal-consent-given')).toHaveAttribute('data-current', 'true');
  await expect(page.getByTestId('portal-consent-form')).toHaveCount(0);
  await page.getByTestId('portal-consent-back').click();

  const type = await portal.firstRequiredType();
  const before = await portal.completeness();
  expect(before.text).toMatch(/Загружено \d+ из \d+ обязательных|Все обязательные/);

  // A three-chunk PDF; after the first chunk the connection drops and stays down.
  const dir = tempDir('portal-upload');
  const size = UPLOAD_CHUNK_BYTES * 2 + 12_345;
  const bytes = pdfBytes(size);
  const pdf = path.join(dir, 'выписка-кардиология.pdf');
  fs.writeFileSync(pdf, bytes);
  let offline = false;
  let aborted = 0;
  await page.route(
    (url) => url.pathname.startsWith('/api/uploads/') && url.searchParams.has('offset'),
    async (route) => {
      const offset = Number(new URL(route.request().url()).searchParams.get('offset'));
      if (offset > 0 && !offline && aborted === 0) offline = true;
      if (offline) {
        aborted++;
        await route.abort('internetdisconnected');
        return;
      }
      await route.continue();
    },
  );
  await portal.chooseFile(type, pdf);
  await portal.expectUploadPhase('выписка-кардиология.pdf', 'interrupted');
  const row = portal.upload('выписка-кардиология.pdf');
  await expect(row.getByTestId('portal-upload-error')).toContainText('Продолжить');
  expect(Number(await row.getAttribute('data-sent'))).toBe(UPLOAD_CHUNK_BYTES);
  await expectFits360(portal);
  await shot(page, testInfo, 'portal-upload-interrupted-360x740.png');
  // Back online: «Продолжить» goes on from what the server has.
  offline = false;
  await page.unroute((url) => url.pathname.startsWith('/api/uploads/') && url.searchParams.has('offset'));
  await row.getByTestId('portal-upload-resume').click();
  await portal.expectUploadPhase('выписка-кардиология.pdf', 'done');
  expect(aborted).toBeGreaterThan(0);
  const files = await portal.uploadedFiles(type);
  const doc = files.find((f) => f.text.includes('выписка-кардиология.pdf'));
  expect(doc?.size).toBe(size);
  // The server has the whole file, byte for byte.
  const token = await portal.sessionToken();
  const content = await fetch(`${api.url}/api/documents/${doc?.id ?? ''}/content`, { headers: { authorization: `Bearer ${token}` } });
  expect(content.status).toBe(200);
  expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);
  await expect(portal.docItem(type)).toHaveAttribute('data-done', 'true');
  const after = await portal.completeness();
  if (before.done < before.total) expect(after.done).toBe(before.done + 1);
  await expectAccessible(page, testInfo, 'documents');
  await expectFits360(portal);
  await shot(page, testInfo, 'portal-documents-360x740.png');

  // A program renamed to .pdf: the server looks inside and says why.
  const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(4096, 0x41)]);
  await portal.chooseFile(type, { name: 'справка.pdf', mimeType: 'application/pdf', buffer: exe });
  await portal.expectUploadPhase('справка.pdf', 'failed');
  await expect(portal.upload('справка.pdf').getByTestId('portal-upload-error')).toContainText('Файл этого типа не принимается');

  // Over the limit: refused on the device, no upload request at all.
  const big = path.join(dir, 'кт-исследование.pdf');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, DOCUMENT_MAX_BYTES + 1);
  const uploadRequests: Request[] = [];
  page.on('request', (r) => {
    if (/\/api\/(patients\/[^/]+\/uploads|uploads\/)/.test(new URL(r.url()).pathname)) uploadRequests.push(r);
  });
  await portal.chooseFile(type, big);
  const refused = portal.docItem(type).getByTestId('portal-doc-refused');
  await expect(refused).toBeVisible();
  await expect(refused).toHaveAttribute('data-code', 'TOO_LARGE');
  await expect(refused).toContainText('не больше 50 МБ');
  await page.waitForTimeout(500);
  expect(uploadRequests).toEqual([]);
  await shot(page, testInfo, 'portal-upload-too-large-360x740.png');
});
