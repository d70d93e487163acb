import { expect, type Locator, type Page } from '@playwright/test';
import { AppShell } from './app-shell.js';
import { SignInPage } from './sign-in-page.js';

/** «Рабочее место заблокировано»: shown instead of the shell while the session is locked. */
export class LockScreen {
  readonly root: Locator;
  readonly user: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly signOutButton: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('lock-screen');
    this.user = page.getByTestId('lock-user');
    this.password = page.getByTestId('lock-password');
    this.submit = page.getByTestId('lock-submit');
    this.error = page.getByTestId('lock-error');
    this.signOutButton = page.getByTestId('lock-sign-out');
  }

  /** Waits for the lock screen, with the password field focused for typing at once. */
  async waitForVisible(timeout?: number): Promise<this> {
    await expect(this.root).toBeVisible(timeout === undefined ? {} : { timeout });
    await expect(this.password).toBeFocused();
    return this;
  }

  async expectUser(text: string | RegExp): Promise<void> {
    await expect(this.user).toContainText(text);
  }

  /** Types the password into the focused field and presses Enter, as a keyboard user would. */
  async enterPassword(password: string): Promise<void> {
    await this.page.keyboard.type(password);
    await this.page.keyboard.press('Enter');
  }

  /** Waits for the error under the field; `code` is the RPC error code. */
  async expectError(code: string, text?: string | RegExp): Promise<void> {
    await expect(this.error).toBeVisible();
    await expect(this.error).toHaveAttribute('data-code', code);
    if (text !== undefined) await expect(this.error).toContainText(text);
  }

  async unlock(password: string): Promise<AppShell> {
    await this.enterPassword(password);
    await expect(this.root).toBeHidden();
    return new AppShell(this.page).waitForVisible();
  }

  async signOut(): Promise<SignInPage> {
    await this.signOutButton.click();
    return new SignInPage(this.page).waitForVisible();
  }
}
