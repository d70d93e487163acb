import { expect, type Locator, type Page } from '@playwright/test';

/** One consultation request as the patient sees it on the portal's home. */
export interface PortalRequest {
  status: string;
  statusText: string;
  centre: string;
  profile: string;
  due: string;
}

export type PortalRule = 'length' | 'differs' | 'login' | 'repeat';

export type PortalTab = 'home' | 'documents' | 'apply' | 'duty' | 'consultations' | 'notifications';

export interface Registration {
  code: string;
  lastName: string;
  firstName: string;
  middleName?: string;
  sex: 'male' | 'female';
  /** YYYY-MM-DD */
  birthDate: string;
  password: string;
}

export type UploadPhase = 'starting' | 'uploading' | 'paused' | 'interrupted' | 'completing' | 'done' | 'failed' | 'cancelled';

/** The patient portal (served by the central API at its root): sign-in, forced password change, home. */
export class PortalPage {
  readonly signInForm: Locator;
  readonly login: Locator;
  readonly password: Locator;
  readonly signInError: Locator;
  readonly notice: Locator;
  readonly changeForm: Locator;
  readonly currentPassword: Locator;
  readonly newPassword: Locator;
  readonly repeatPassword: Locator;
  readonly changeError: Locator;
  readonly home: Locator;
  readonly greeting: Locator;

  constructor(readonly page: Page) {
    this.signInForm = page.getByTestId('portal-signin-form');
    this.login = page.getByTestId('portal-login');
    this.password = page.getByTestId('portal-password');
    this.signInError = page.getByTestId('portal-signin-error');
    this.notice = page.getByTestId('portal-notice');
    this.changeForm = page.getByTestId('portal-change-form');
    this.currentPassword = page.getByTestId('portal-current-password');
    this.newPassword = page.getByTestId('portal-new-password');
    this.repeatPassword = page.getByTestId('portal-repeat-password');
    this.changeError = page.getByTestId('portal-change-error');
    this.home = page.getByTestId('portal-home');
    this.greeting = page.getByTestId('portal-greeting');
  }

  /** Opens the portal at the API's root (the address in the credentials SMS). */
  async open(baseUrl: string): Promise<this> {
    await this.page.goto(new URL('/', baseUrl).toString());
    await expect(this.signInForm).toBeVisible();
    return this;
  }

  /** Types the credentials and submits with Enter; what follows is for the expect* methods. */
  async signIn(login: string, password: string): Promise<void> {
    await expect(this.signInForm).toBeVisible();
    await this.login.fill(login);
    await this.password.fill(password);
    await this.password.press('Enter');
  }

  async expectSignInError(code: string, text?: string | RegExp): Promise<void> {
    await expect(this.signInError).toBeVisible();
    await expect(this.signInError).toHaveAttribute('data-code', code);
    if (text !== undefined) await expect(this.signInError).toContainText(text);
  }

  /** The forced change after a one-time password; `prefilled` is the password the page should carry over. */
  async expectPasswordChangeRequired(prefilled?: string): Promise<void> {
    await expect(this.changeForm).toBeVisible();
    if (prefilled !== undefined) await expect(this.currentPassword).toHaveValue(prefilled);
  }

  async expectRule(rule: PortalRule, ok: boolean): Promise<void> {
    await expect(this.page.getByTestId(`portal-rule-${rule}`)).toHaveAttribute('data-ok', ok ? 'true' : 'false');
  }

  /** Fills the change form (current, new, repeat), submits, and waits for the home page. */
  async changePassword(current: string, next: string): Promise<void> {
    await this.expectPasswordChangeRequired();
    await this.currentPassword.fill(current);
    await this.newPassword.fill(next);
    await this.repeatPassword.fill(next);
    for (const rule of ['length', 'differs', 'login', 'repeat'] as const) await this.expectRule(rule, true);
    await this.repeatPassword.press('Enter');
    await expect(this.home).toBeVisible();
  }

  /** The home page greets the patient by `name` (first name and patronymic). */
  async expectHome(name: string | RegExp): Promise<void> {
    await expect(this.home).toBeVisible();
    await expect(this.greeting).toContainText(name);
    await expect(this.page.getByTestId('portal-requests').or(this.page.getByTestId('portal-requests-empty'))).toBeVisible();
  }

  /** The requests listed on the home page, in order (waits for the list or its empty state). */
  async requests(): Promise<PortalRequest[]> {
    await expect(this.page.getByTestId('portal-requests').or(this.page.getByTestId('portal-requests-empty'))).toBeVisible();
    const cards = this.page.getByTestId('portal-request');
    const out: PortalRequest[] = [];
    for (const card of await cards.all()) {
      out.push({
        status: (await card.getAttribute('data-status')) ?? '',
        statusText: (await card.getByTestId('portal-request-status').innerText()).trim(),
        centre: (await card.getByTestId('portal-request-centre').innerText()).trim(),
        profile: (await card.getByTestId('portal-request-profile').innerText()).trim(),
        due: (await card.getByTestId('portal-request-due').innerText()).trim(),
      });
    }
    return out;
  }

  /** Signs out and waits for the sign-in form with its "you signed out" notice. */
  async signOut(): Promise<void> {
    await this.page.getByTestId('portal-signout').click();
    await expect(this.signInForm).toBeVisible();
    await expect(this.notice).toBeVisible();
  }

  /** The page's full width (document.documentElement.scrollWidth). */
  async scrollWidth(): Promise<number> {
    return this.page.locator('html').evaluate((el) => el.scrollWidth);
  }

  /** Buttons, inputs and links shorter than `min` px: touch targets too small for a finger. */
  async smallTouchTargets(min = 44): Promise<{ id: string; height: number }[]> {
    const all = await this.page
      .locator('button, input, a[href]')
      .evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-testid') ?? e.tagName, height: e.getBoundingClientRect().height })));
    return all.filter((x) => x.height > 0 && x.height < min);
  }

  /** The session token the portal keeps for this tab. */
  async sessionToken(): Promise<string> {
    const raw = await this.page.evaluate('sessionStorage.getItem("oblako.portal.session")');
    return typeof raw === 'string' ? ((JSON.parse(raw) as { token?: string }).token ?? '') : '';
  }

  /** Width the page needs beyond the viewport (0 when nothing overflows horizontally). */
  async horizontalOverflow(): Promise<number> {
    return this.page.locator('html').evaluate((el) => el.scrollWidth - el.clientWidth);
  }

  // ── access: registration, reset ──

  /** From the sign-in page to registration; types the phone and asks for the code. */
  async registerRequestCode(phone: string): Promise<void> {
    await this.page.getByTestId('portal-register-link').click();
    await expect(this.page.getByTestId('portal-register-phone-form')).toBeVisible();
    await this.page.getByTestId('portal-register-phone').fill(phone);
    await this.page.getByTestId('portal-register-send-code').click();
    await expect(this.page.getByTestId('portal-register-form')).toBeVisible();
    await expect(this.page.getByTestId('portal-register-code-sent')).toBeVisible();
  }

  /** Fills the second step and submits; what follows is for the expect* methods. */
  async registerComplete(r: Registration): Promise<void> {
    await this.page.getByTestId('portal-register-code').fill(r.code);
    await this.page.getByTestId('portal-register-lastName').fill(r.lastName);
    await this.page.getByTestId('portal-register-firstName').fill(r.firstName);
    if (r.middleName) await this.page.getByTestId('portal-register-middleName').fill(r.middleName);
    await this.page.getByTestId(`portal-register-sex-${r.sex}`).check();
    await this.page.getByTestId('portal-register-birthDate').fill(r.birthDate);
    await this.page.getByTestId('portal-register-password').fill(r.password);
    await this.page.getByTestId('portal-register-repeat').fill(r.password);
    await this.page.getByTestId('portal-register-submit').click();
  }

  async expectRegisterError(code: string, text?: string | RegExp): Promise<void> {
    const e = this.page.getByTestId('portal-register-error');
    await expect(e).toBeVisible();
    await expect(e).toHaveAttribute('data-code', code);
    if (text !== undefined) await expect(e).toContainText(text);
  }

  /** From the sign-in page to «Забыли пароль?»; types the phone and asks for the code. */
  async resetRequestCode(phone: string): Promise<void> {
    await this.page.getByTestId('portal-forgot').click();
    await this.page.getByTestId('portal-reset-phone').fill(phone);
    await this.page.getByTestId('portal-reset-send-code').click();
    await expect(this.page.getByTestId('portal-reset-form')).toBeVisible();
  }

  /** Code and new password; on success the sign-in page shows «Пароль изменён». */
  async resetComplete(code: string, password: string): Promise<void> {
    await this.page.getByTestId('portal-reset-code').fill(code);
    await this.page.getByTestId('portal-reset-password').fill(password);
    await this.page.getByTestId('portal-reset-repeat').fill(password);
    await this.page.getByTestId('portal-reset-submit').click();
  }

  // ── shell ──

  /** Opens the menu and goes to a section. */
  async nav(tab: PortalTab): Promise<void> {
    await this.page.getByTestId('portal-menu').click();
    await this.page.getByTestId(`portal-nav-${tab}`).click();
    await expect(this.page.getByTestId('portal-nav')).toBeHidden();
  }

  /** The unread count on the menu button (0 without a badge). */
  async unread(): Promise<number> {
    const b = this.page.getByTestId('portal-menu-unread');
    return (await b.count()) === 0 ? 0 : Number((await b.innerText()).trim());
  }

  // ── consent and documents ──

  async openDocuments(): Promise<void> {
    await this.nav('documents');
    await expect(this.page.getByTestId('portal-documents')).toBeVisible();
    await expect(this.page.getByTestId('portal-consent-needed').or(this.page.getByTestId('portal-consent-summary'))).toBeVisible();
  }

  /** From the documents page: read the consent, tick, agree; back on the documents page. */
  async giveConsent(): Promise<void> {
    await this.page.getByTestId('portal-consent-read').click();
    await expect(this.page.getByTestId('portal-consent-text')).toBeVisible();
    await this.page.getByTestId('portal-consent-agree').check();
    await this.page.getByTestId('portal-consent-submit').click();
    await expect(this.page.getByTestId('portal-consent-summary')).toBeVisible();
  }

  /** A checklist item (first occurrence) by document type. */
  docItem(type: string): Locator {
    return this.page.getByTestId('portal-doc-item').and(this.page.locator(`[data-type="${type}"]`)).first();
  }

  /** The first required type on the checklist of the first open request. */
  async firstRequiredType(): Promise<string> {
    const item = this.page.getByTestId('portal-doc-request').first().locator('[data-testid="portal-doc-item"][data-required="true"]').first();
    await expect(item).toBeVisible();
    return (await item.getAttribute('data-type')) ?? '';
  }

  /** «Загружено N из M обязательных» of the first open request. */
  async completeness(): Promise<{ done: number; total: number; text: string }> {
    const p = this.page.getByTestId('portal-doc-progress').first();
    return { done: Number(await p.getAttribute('data-done')), total: Number(await p.getAttribute('data-total')), text: (await p.innerText()).trim() };
  }

  /** Chooses a file for a checklist item (the file input behind «Выбрать файл»). */
  async chooseFile(type: string, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
    await this.docItem(type).getByTestId('portal-doc-input').setInputFiles(file);
  }

  /** The upload row of a file (the newest one with that name). */
  upload(fileName: string): Locator {
    return this.page.getByTestId('portal-upload').and(this.page.locator(`[data-file="${fileName}"]`)).last();
  }

  async expectUploadPhase(fileName: string, phase: UploadPhase, timeout = 30_000): Promise<void> {
    await expect(this.upload(fileName)).toHaveAttribute('data-phase', phase, { timeout });
  }

  /** The uploaded files listed under a checklist item: name, size in bytes and document id. */
  async uploadedFiles(type: string): Promise<{ id: string; size: number; text: string }[]> {
    const out: { id: string; size: number; text: string }[] = [];
    for (const f of await this.docItem(type).getByTestId('portal-doc-file').all()) {
      out.push({ id: (await f.getAttribute('data-document-id')) ?? '', size: Number(await f.getAttribute('data-size')), text: (await f.innerText()).trim() });
    }
    return out;
  }
}
