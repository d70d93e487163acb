import { expect, type Locator, type Page } from '@playwright/test';
import { SignInPage } from './sign-in-page.js';

export type SyncState = 'online' | 'offline' | 'syncing' | 'signed_out';
export type NavItem = 'my-patients' | 'referral-drafts' | 'referral-status' | 'patients-by-status' | 'incoming-batches' | 'pipeline' | 'sms-outbox' | 'centre-queues' | 'centre-queue' | 'calendar' | 'audit';

/** The signed-in frame: header (user, sync state, sign out), navigation, toasts, connection screen. */
export class AppShell {
  readonly title: Locator;
  readonly userName: Locator;
  readonly userRole: Locator;
  readonly syncBadge: Locator;
  readonly pending: Locator;
  readonly lastSynced: Locator;
  readonly syncNowButton: Locator;
  readonly syncError: Locator;
  readonly syncErrorToggle: Locator;
  readonly signOutButton: Locator;
  readonly lockButton: Locator;
  readonly idleLockSelect: Locator;
  readonly errorToasts: Locator;
  readonly rejectionToasts: Locator;
  readonly successToasts: Locator;
  readonly connectionLost: Locator;

  constructor(readonly page: Page) {
    this.title = page.getByTestId('app-title');
    this.userName = page.getByTestId('current-user-name');
    this.userRole = page.getByTestId('current-user-role');
    this.syncBadge = page.getByTestId('sync-badge');
    this.pending = page.getByTestId('sync-pending');
    this.lastSynced = page.getByTestId('sync-last');
    this.syncNowButton = page.getByTestId('sync-now');
    this.syncError = page.getByTestId('sync-error');
    this.syncErrorToggle = page.getByTestId('sync-error-toggle');
    this.signOutButton = page.getByTestId('sign-out');
    this.lockButton = page.getByTestId('lock-now');
    this.idleLockSelect = page.getByTestId('idle-lock-select');
    this.errorToasts = page.getByTestId('toast-error');
    this.rejectionToasts = page.getByTestId('toast-rejected');
    this.successToasts = page.getByTestId('toast-success');
    this.connectionLost = page.getByTestId('connection-lost');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.userName).toBeVisible();
    await expect(this.syncBadge).toBeVisible();
    return this;
  }

  async expectUser(fullName: string, roleLabel?: string | RegExp): Promise<void> {
    await expect(this.userName).toHaveText(fullName);
    if (roleLabel !== undefined) await expect(this.userRole).toContainText(roleLabel);
  }

  async expectSyncState(state: SyncState): Promise<void> {
    await expect(this.syncBadge).toHaveAttribute('data-state', state);
  }

  /** Local changes not yet acknowledged by the server, as the header shows them. */
  async expectPending(count: number): Promise<void> {
    await expect(this.pending).toHaveAttribute('data-count', String(count));
  }

  async pendingCount(): Promise<number> {
    return Number(await this.pending.getAttribute('data-count'));
  }

  /** Presses «Синхронизировать»; with `waitFor`, waits until the badge reaches that state. */
  async syncNow(waitFor: SyncState | null = 'online'): Promise<void> {
    await this.syncNowButton.click();
    if (waitFor) await this.expectSyncState(waitFor);
  }

  /** Opens the last sync error and waits for its text (message plus what to do). */
  async expectSyncError(text: string | RegExp): Promise<void> {
    await this.syncErrorToggle.click();
    await expect(this.syncError).toContainText(text);
  }

  async navigate(item: NavItem): Promise<void> {
    await this.page.getByTestId(`nav-${item}`).click();
    await expect(this.page.getByTestId(`view-${item}`)).toBeVisible();
  }

  async signOut(): Promise<SignInPage> {
    await this.signOutButton.click();
    return new SignInPage(this.page).waitForVisible();
  }

  /** «Заблокировать»: the lock screen replaces the shell. */
  async lock(): Promise<void> {
    await this.lockButton.click();
    await expect(this.page.getByTestId('lock-screen')).toBeVisible();
  }

  /** Chooses this user's idle time in the header, by its label («Блокировка через 30 мин»). */
  async setIdleLock(label: string): Promise<void> {
    await this.idleLockSelect.selectOption({ label });
    await expect(this.successToasts.filter({ hasText: 'бездействия' }).first()).toBeVisible();
  }

  async expectErrorToast(text: string | RegExp): Promise<void> {
    await expect(this.errorToasts.filter({ hasText: text }).first()).toBeVisible();
  }

  async expectRejectionToast(text: string | RegExp): Promise<void> {
    await expect(this.rejectionToasts.filter({ hasText: text }).first()).toBeVisible();
  }

  /** Browser mode only: the full-screen «Связь со службами приложения потеряна…». */
  async expectConnectionLost(): Promise<void> {
    await expect(this.connectionLost).toBeVisible();
  }

  async expectConnected(): Promise<void> {
    await expect(this.connectionLost).toBeHidden();
  }
}
