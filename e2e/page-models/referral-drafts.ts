import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { MappingConfirm } from './mapping-confirm.js';
import { ReferralGrid } from './referral-grid.js';

/** «Таблицы направлений»: the physician's drafts, new table, XLSX upload, template. */
export class ReferralDrafts {
  readonly view: Locator;
  readonly rows: Locator;
  readonly emptyState: Locator;
  readonly fileInput: Locator;
  readonly progress: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('view-referral-drafts');
    this.rows = page.getByTestId('draft-row');
    this.emptyState = page.getByTestId('drafts-empty');
    this.fileInput = page.getByTestId('drafts-file-input');
    this.progress = page.getByTestId('read-progress-bar');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.view).toBeVisible();
    await expect(this.page.getByTestId('drafts-table').or(this.emptyState)).toBeVisible();
    return this;
  }

  row(title: string): Locator {
    return this.rows.filter({ has: this.page.getByTestId('draft-open').getByText(title, { exact: true }) });
  }

  async expectDraft(title: string, opts: { rows?: number; sent?: boolean } = {}): Promise<void> {
    const row = this.row(title);
    await expect(row).toHaveCount(1);
    if (opts.rows !== undefined) await expect(row.getByTestId('draft-rows')).toHaveText(String(opts.rows));
    if (opts.sent !== undefined) await expect(row).toHaveAttribute('data-sent', String(opts.sent));
  }

  /** «Новая таблица» → title → the empty grid. */
  async create(title: string): Promise<ReferralGrid> {
    await this.page.getByTestId('drafts-new').click();
    await this.page.getByTestId('drafts-new-title').fill(title);
    await this.page.getByTestId('drafts-new-submit').click();
    return new ReferralGrid(this.page).waitForVisible();
  }

  async open(title: string): Promise<ReferralGrid> {
    await this.row(title).getByTestId('draft-open').click();
    return new ReferralGrid(this.page).waitForVisible();
  }

  /** «Загрузить XLSX» with a file from disk; waits for the mapping screen. */
  async uploadFile(path: string): Promise<MappingConfirm> {
    await this.fileInput.setInputFiles(path);
    return new MappingConfirm(this.page).waitForVisible();
  }

  /** Starts reading a file and presses «Отмена» while the progress bar shows. Use a file big
   * enough to take a few seconds to read, or the read may finish before the click. */
  async uploadAndCancel(path: string): Promise<void> {
    await this.fileInput.setInputFiles(path);
    await expect(this.progress).toBeVisible();
    await this.page.getByTestId('read-cancel').click();
    await expect(this.progress).toBeHidden();
    await expect(this.page.getByTestId('mapping-confirm')).toBeHidden();
  }

  async downloadTemplate(): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.page.getByTestId('drafts-template').click();
    return download;
  }

  async delete(title: string): Promise<void> {
    await this.row(title).getByTestId('draft-delete').click();
    await this.page.getByTestId('drafts-delete-submit').click();
    await expect(this.row(title)).toHaveCount(0);
  }
}
