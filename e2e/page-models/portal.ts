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
}
