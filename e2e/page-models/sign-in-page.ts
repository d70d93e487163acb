import { expect, type Locator, type Page } from '@playwright/test';
import { AppShell } from './app-shell.js';

export interface Credentials {
  login: string;
  password: string;
  /** Left as prefilled (the services' default server) when not given. */
  serverUrl?: string;
}

export type SignInField = 'server' | 'login' | 'password';

/** The sign-in screen of the desktop app. */
export class SignInPage {
  readonly form: Locator;
  readonly serverUrl: Locator;
  readonly login: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByTestId('sign-in-form');
    this.serverUrl = page.getByTestId('sign-in-server');
    this.login = page.getByTestId('sign-in-login');
    this.password = page.getByTestId('sign-in-password');
    this.submit = page.getByTestId('sign-in-submit');
    this.error = page.getByTestId('sign-in-error');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.form).toBeVisible();
    return this;
  }

  /** Fills the form and submits it with Enter, as a keyboard user would. */
  async submitCredentials(c: Credentials): Promise<void> {
    await this.waitForVisible();
    if (c.serverUrl !== undefined) await this.serverUrl.fill(c.serverUrl);
    await this.login.fill(c.login);
    await this.password.fill(c.password);
    await this.password.press('Enter');
  }

  /** Signs in and waits for the shell to show the signed-in user. */
  async signIn(c: Credentials): Promise<AppShell> {
    await this.submitCredentials(c);
    const shell = new AppShell(this.page);
    await shell.waitForVisible();
    return shell;
  }

  /** Waits for the error above the button; `code` is the RPC error code (INVALID_CREDENTIALS …). */
  async expectError(code: string, text?: string | RegExp): Promise<void> {
    await expect(this.error).toBeVisible();
    await expect(this.error).toHaveAttribute('data-code', code);
    if (text !== undefined) await expect(this.error).toContainText(text);
  }

  /** Waits for a message under one field (the input is linked to it by aria-describedby). */
  async expectFieldError(field: SignInField, text: string | RegExp): Promise<void> {
    const input = field === 'server' ? this.serverUrl : field === 'login' ? this.login : this.password;
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    await expect(this.form).toContainText(text);
  }

  async expectPrefilledServer(url: string): Promise<void> {
    await expect(this.serverUrl).toHaveValue(url);
  }
}
