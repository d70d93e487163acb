import { expect, type Locator, type Page } from '@playwright/test';
import type { BatchStatus } from '../../shared/domain/referrals.js';

/** «Входящие таблицы»: the referral tables physicians sent, for the project manager. */
export class ManagerBatches {
  readonly view: Locator;
  readonly rows: Locator;
  readonly emptyState: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('view-incoming-batches');
    this.rows = page.getByTestId('batch-row');
    this.emptyState = page.getByTestId('batches-empty');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.view).toBeVisible();
    await expect(this.page.getByTestId('batches-table').or(this.emptyState)).toBeVisible();
    return this;
  }

  row(title: string): Locator {
    return this.rows.filter({ has: this.page.getByTestId('batch-title').getByText(title, { exact: true }) });
  }

  /** Waits (no reload) for the batch to be listed, optionally with its status, rows and sender. */
  async expectBatch(title: string, opts: { status?: BatchStatus; rows?: number; physician?: string } = {}): Promise<Locator> {
    const row = this.row(title);
    await expect(row).toHaveCount(1);
    if (opts.status !== undefined) await expect(row).toHaveAttribute('data-status', opts.status);
    if (opts.rows !== undefined) await expect(row.getByTestId('batch-rows')).toHaveText(String(opts.rows));
    if (opts.physician !== undefined) await expect(row.getByTestId('batch-physician')).toHaveText(opts.physician);
    return row;
  }
}
