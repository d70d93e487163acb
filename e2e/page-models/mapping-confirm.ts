import { expect, type Locator, type Page } from '@playwright/test';
import type { ReferralFieldKey } from '../../shared/referral/columns.js';
import { ReferralGrid } from './referral-grid.js';

/** What a file column can feed: a field, the full name split in three, the row number, or nothing. */
export type MappingTarget = ReferralFieldKey | 'fullName' | 'rowNumber' | null;

export interface MappingSummary {
  total?: number;
  valid?: number;
  invalid?: number;
  skipped?: number;
}

/** The screen after a file is read: sheet, header row, column → field, preview, skipped rows. */
export class MappingConfirm {
  readonly root: Locator;
  readonly summary: Locator;
  readonly columns: Locator;
  readonly skipped: Locator;
  readonly applyButton: Locator;
  readonly confirmButton: Locator;
  readonly titleInput: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('mapping-confirm');
    this.summary = page.getByTestId('mapping-summary');
    this.columns = page.getByTestId('mapping-column');
    this.skipped = page.getByTestId('mapping-skipped-row');
    this.applyButton = page.getByTestId('mapping-apply');
    this.confirmButton = page.getByTestId('mapping-confirm-button');
    this.titleInput = page.getByTestId('mapping-title');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.root).toBeVisible();
    await expect(this.root).toHaveAttribute('data-busy', 'false');
    return this;
  }

  async expectSummary(s: MappingSummary): Promise<void> {
    for (const key of ['total', 'valid', 'invalid', 'skipped'] as const) {
      if (s[key] !== undefined) await expect(this.summary).toHaveAttribute(`data-${key}`, String(s[key]));
    }
  }

  async expectSheet(name: string, headerRow?: number): Promise<void> {
    const sheet = this.page.getByTestId('mapping-sheet');
    await expect(sheet).toHaveAttribute('data-sheet', name);
    if (headerRow !== undefined) await expect(sheet).toHaveAttribute('data-header-row', String(headerRow));
  }

  /** A file column by its header text (as in the file) or its 0-based index. */
  column(column: string | number): Locator {
    return typeof column === 'number'
      ? this.columns.and(this.page.locator(`[data-index="${column}"]`))
      : this.columns.and(this.page.locator(`[data-header="${column.replace(/(["\\])/g, '\\$1')}"]`));
  }

  async expectTarget(column: string | number, target: MappingTarget): Promise<void> {
    await expect(this.column(column)).toHaveAttribute('data-target', target ?? '');
  }

  async expectLowConfidence(column: string | number, low = true): Promise<void> {
    await expect(this.column(column)).toHaveAttribute('data-low', String(low));
  }

  async setTarget(column: string | number, target: MappingTarget): Promise<void> {
    await this.column(column).locator('select').selectOption(target ?? '');
    await this.expectTarget(column, target);
  }

  /** Rows the reader did not take, with why (title, blank, totals, header). */
  async skippedRows(): Promise<{ row: number; reason: string }[]> {
    return this.skipped.evaluateAll((els) => els.map((e) => ({ row: Number(e.getAttribute('data-row')), reason: e.getAttribute('data-reason') ?? '' })));
  }

  /** «Применить»: reads the file again with the corrected mapping. */
  async apply(): Promise<void> {
    await this.applyButton.click();
    await expect(this.root).toHaveAttribute('data-dirty', 'false');
    await this.waitForVisible();
  }

  /** Applies pending corrections if any, then «Подтвердить»: the draft opens in the grid. */
  async confirm(title?: string): Promise<ReferralGrid> {
    if ((await this.root.getAttribute('data-dirty')) === 'true') await this.apply();
    if (title !== undefined) await this.titleInput.fill(title);
    await this.confirmButton.click();
    return new ReferralGrid(this.page).waitForVisible();
  }

  async cancel(): Promise<void> {
    await this.page.getByTestId('mapping-cancel').click();
    await expect(this.root).toBeHidden();
  }
}
