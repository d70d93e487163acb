import { expect, type Locator, type Page } from '@playwright/test';
import type { SmsStatus } from '../../shared/domain/sms.js';

const STATUS_LABELS: Record<SmsStatus | 'all', string> = {
  all: 'Все статусы',
  queued: 'В очереди',
  sending: 'Отправляется',
  sent: 'Отправлено',
  delivered: 'Доставлено',
  undelivered: 'Не доставлено',
  failed: 'Ошибка отправки',
  superseded: 'Заменено новым',
};

/** «Очередь SMS» (the manager's): rows carry `data-status`, `data-kind`, `data-patient-id`. */
export class SmsOutbox {
  readonly view: Locator;
  readonly root: Locator;
  readonly rows: Locator;
  readonly statusFilter: Locator;
  readonly refreshButton: Locator;
  readonly empty: Locator;
  readonly offline: Locator;
  readonly resendDialog: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('view-sms-outbox');
    this.root = page.getByTestId('sms-outbox');
    this.rows = page.getByTestId('sms-row');
    this.statusFilter = page.getByTestId('sms-status-filter');
    this.refreshButton = page.getByTestId('sms-refresh');
    this.empty = page.getByTestId('sms-empty');
    this.offline = page.getByTestId('sms-offline');
    this.resendDialog = page.getByTestId('sms-resend-dialog');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.root).toBeVisible();
    await expect(this.page.getByTestId('sms-table').or(this.empty).or(this.offline)).toBeVisible();
    return this;
  }

  /** The rows of a patient's messages (newest first, as the server lists them). */
  rowsOf(patientId: string): Locator {
    return this.rows.and(this.page.locator(`[data-patient-id="${patientId}"]`));
  }

  /** Rows whose phone cell contains `phone` (as the server shows it). */
  rowsTo(phone: string): Locator {
    return this.rows.filter({ has: this.page.getByTestId('sms-phone').getByText(phone) });
  }

  text(row: Locator): Locator {
    return row.getByTestId('sms-text');
  }

  async expectStatus(row: Locator, status: SmsStatus): Promise<void> {
    await expect(row).toHaveAttribute('data-status', status);
  }

  async filterBy(status: SmsStatus | 'all'): Promise<void> {
    await this.statusFilter.click();
    await this.page.getByRole('option', { name: STATUS_LABELS[status], exact: true }).click();
    await expect(this.statusFilter).toHaveValue(STATUS_LABELS[status]);
    if (status !== 'all') await expect(this.rows.and(this.page.locator(`:not([data-status="${status}"])`))).toHaveCount(0);
  }

  async refresh(): Promise<void> {
    await this.refreshButton.click();
    await expect(this.refreshButton).not.toHaveAttribute('data-loading', 'true');
  }

  /** «Отправить повторно» on the row, confirmed in the dialog; waits for the success toast. */
  async resend(row: Locator): Promise<void> {
    await row.getByTestId('sms-resend').click();
    await expect(this.resendDialog).toBeVisible();
    await this.page.getByTestId('sms-resend-confirm').click();
    await expect(this.resendDialog).toBeHidden();
    await expect(this.page.getByTestId('toast-success').last()).toBeVisible();
  }
}
