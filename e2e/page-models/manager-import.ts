import { expect, type Download, type Locator, type Page } from '@playwright/test';
import type { ImportDecisionKind, ImportOutcome } from '../../shared/domain/batch-import.js';
import { MappingConfirm } from './mapping-confirm.js';

export interface IntakeOrigin {
  title?: string;
  /** The region's name as listed (e.g. «Республика Татарстан»). */
  region?: string;
  organization?: string;
  referrer?: string;
  /** yyyy-mm-dd */
  receivedOn?: string;
}

export interface ImportCounts {
  created?: number;
  linked?: number;
  skipped?: number;
  rejected?: number;
}

/**
 * The manager's intake and import: dropping received files into «Входящие таблицы», the mapping
 * and check screens, the review of duplicates with bulk actions, the import's progress, stop and
 * resume, the result and the report.
 */
export class ManagerImport {
  readonly inbox: Locator;
  readonly fileInput: Locator;
  readonly readProgress: Locator;
  readonly check: Locator;
  readonly review: Locator;
  readonly progress: Locator;
  readonly result: Locator;

  constructor(readonly page: Page) {
    this.inbox = page.getByTestId('import-inbox');
    this.fileInput = page.getByTestId('import-file-input');
    this.readProgress = page.getByTestId('import-read-progress-bar');
    this.check = page.getByTestId('intake-check');
    this.review = page.getByTestId('batch-review');
    this.progress = page.getByTestId('import-progress');
    this.result = page.getByTestId('import-result');
  }

  async waitForInbox(): Promise<this> {
    await expect(this.inbox).toBeVisible();
    await expect(this.page.getByTestId('batches-table').or(this.page.getByTestId('batches-empty'))).toBeVisible();
    return this;
  }

  batchRow(title: string): Locator {
    return this.page.getByTestId('batch-row').filter({ has: this.page.getByTestId('batch-title').getByText(title, { exact: true }) });
  }

  /** Drops files from disk (through the file picker, which takes several at once). */
  async dropFiles(paths: readonly string[]): Promise<void> {
    await this.fileInput.setInputFiles([...paths]);
  }

  /** Waits for the mapping screen of the file being taken in. */
  async expectMapping(): Promise<MappingConfirm> {
    return new MappingConfirm(this.page).waitForVisible();
  }

  /** The mapping screen: applies pending corrections, then «Подтвердить» → the check screen. */
  async confirmMapping(title?: string): Promise<void> {
    const mapping = await this.expectMapping();
    if ((await mapping.root.getAttribute('data-dirty')) === 'true') await mapping.apply();
    if (title !== undefined) await mapping.titleInput.fill(title);
    await mapping.confirmButton.click();
    await expect(this.check).toHaveAttribute('data-state', 'ready');
  }

  async expectCheck(counts: { valid?: number; rejected?: number }): Promise<void> {
    await expect(this.check).toHaveAttribute('data-state', 'ready');
    if (counts.valid !== undefined) await expect(this.check).toHaveAttribute('data-valid', String(counts.valid));
    if (counts.rejected !== undefined) await expect(this.check).toHaveAttribute('data-rejected', String(counts.rejected));
  }

  /** The check screen: fills the origin where given, then «Принять в работу»; waits until the screen is gone. */
  async acceptFile(origin: IntakeOrigin = {}): Promise<void> {
    await expect(this.check).toHaveAttribute('data-state', 'ready');
    if (origin.title !== undefined) await this.page.getByTestId('origin-title').fill(origin.title);
    if (origin.region !== undefined) {
      const region = this.page.getByTestId('origin-region');
      await region.fill(origin.region);
      await this.page.getByRole('option', { name: origin.region, exact: true }).click();
    }
    if (origin.organization !== undefined) await this.page.getByTestId('origin-organization').fill(origin.organization);
    if (origin.referrer !== undefined) await this.page.getByTestId('origin-referrer').fill(origin.referrer);
    if (origin.receivedOn !== undefined) await this.page.getByTestId('origin-received').fill(origin.receivedOn);
    await this.page.getByTestId('import-accept').click();
    // The next queued file (if any) follows with its own mapping screen; the toast confirms this one.
    const toast = this.page.getByTestId('toast-success').filter({ hasText: 'принята в работу' }).first();
    await expect(toast).toBeVisible();
    // The toast sits over the next file's buttons (bottom right): close it.
    await toast.locator('button').click();
    await expect(toast).toBeHidden();
  }

  /** «Этот файл уже получен…»: the dialog for a file whose SHA-256 matches a received batch. */
  async expectAlreadyReceived(title: string): Promise<Locator> {
    const text = this.page.getByTestId('import-duplicate-text');
    await expect(text).toContainText('Этот файл уже получен');
    await expect(text).toContainText(`«${title}»`);
    return text;
  }

  async openAlreadyReceived(): Promise<void> {
    await this.page.getByTestId('import-duplicate-open').click();
    await expect(this.review).toBeVisible();
  }

  async skipAlreadyReceived(): Promise<void> {
    await this.page.getByTestId('import-duplicate-skip').click();
  }

  /** Opens a batch from the inbox; waits for its review (or its offline state). */
  async openBatch(title: string): Promise<void> {
    await this.batchRow(title).getByTestId('batch-open').click();
    await expect(this.review).toHaveAttribute('data-state', /ready|error/);
  }

  async expectOffline(): Promise<void> {
    await expect(this.page.getByTestId('import-offline')).toBeVisible();
  }

  async retry(): Promise<void> {
    await this.page.getByTestId('import-retry').click();
    await expect(this.review).toHaveAttribute('data-state', /ready|error/);
  }

  async expectNeedsDecision(count: number): Promise<void> {
    await expect(this.review).toHaveAttribute('data-needs', String(count));
  }

  reviewRow(row: number): Locator {
    return this.page.locator(`[data-testid="review-row"][data-row="${row}"]`);
  }

  /** Shows the page that holds the row («Перейти к строке»). */
  async goToRow(row: number): Promise<Locator> {
    const r = this.reviewRow(row);
    if (!(await r.isVisible())) {
      await this.page.getByTestId('review-goto').fill(String(row));
      await this.page.getByTestId('review-goto-submit').click();
    }
    await expect(r).toBeVisible();
    return r;
  }

  /** One row's choice: create, skip, or link to its candidate number `candidateIndex` (0-based). */
  async decideRow(row: number, decision: ImportDecisionKind, candidateIndex = 0): Promise<void> {
    await this.goToRow(row);
    const value = decision === 'link' ? `link:${candidateIndex}` : decision;
    await this.page.getByTestId(`decision-${row}`).selectOption(value);
    await expect(this.reviewRow(row)).toHaveAttribute('data-decision', decision);
  }

  async expectDecision(row: number, decision: ImportDecisionKind | null): Promise<void> {
    await this.goToRow(row);
    await expect(this.reviewRow(row)).toHaveAttribute('data-decision', decision ?? '');
  }

  async decideAllSnilsMatchesLink(): Promise<void> {
    await this.page.getByTestId('bulk-link-snils').click();
  }

  async decideAllUndecidedSkip(): Promise<void> {
    await this.page.getByTestId('bulk-skip-undecided').click();
    await this.expectNeedsDecision(0);
  }

  async decideAllUnmatchedCreate(): Promise<void> {
    await this.page.getByTestId('bulk-create-unmatched').click();
  }

  /** Ticks the rows, then «Выбранные — создать» / «— пропустить». */
  async decideSelected(rows: readonly number[], decision: 'create' | 'skip'): Promise<void> {
    for (const row of rows) {
      await this.goToRow(row);
      await this.page.getByTestId(`row-select-${row}`).check();
    }
    await this.page.getByTestId(decision === 'create' ? 'bulk-selected-create' : 'bulk-selected-skip').click();
  }

  async onlyNeedingDecision(): Promise<void> {
    await this.page.getByTestId('review-filter').getByText('Только требующие решения').click();
  }

  /** «Сохранить решения»; waits until nothing is left unsaved. */
  async saveDecisions(): Promise<void> {
    await this.page.getByTestId('decisions-save').click();
    await expect(this.review).toHaveAttribute('data-unsaved', '0');
    // «Сохранено N решений» sits over «Импортировать» (bottom right) until it fades: close it.
    const toast = this.page.getByTestId('toast-success').filter({ hasText: 'Сохранен' }).first();
    await expect(toast).toBeVisible();
    await toast.locator('button').click();
    await expect(toast).toBeHidden();
  }

  /** «Импортировать» (saves unsaved decisions first); waits for the progress to show. */
  async commit(): Promise<void> {
    await this.page.getByTestId('import-commit').click();
    await expect(this.progress.or(this.result)).toBeVisible();
  }

  async progressCounts(): Promise<{ done: number; total: number }> {
    const el = this.progress;
    return { done: Number(await el.getAttribute('data-done')), total: Number(await el.getAttribute('data-total')) };
  }

  /** Waits (by the screen's state, no sleeps) for the import to finish, then checks the counts. */
  async waitForImportDone(counts: ImportCounts = {}, timeout = 60_000): Promise<void> {
    await expect(this.result).toHaveAttribute('data-status', 'imported', { timeout });
    await this.expectOutcomeCounts(counts);
  }

  async expectOutcomeCounts(counts: ImportCounts): Promise<void> {
    for (const k of ['created', 'linked', 'skipped', 'rejected'] as const) {
      if (counts[k] !== undefined) await expect(this.page.getByTestId(`outcome-${k}`)).toHaveAttribute('data-count', String(counts[k]));
    }
  }

  async expectRowOutcome(row: number, outcome: ImportOutcome): Promise<void> {
    await expect(this.page.locator(`[data-testid="outcome-row"][data-row="${row}"]`)).toHaveAttribute('data-outcome', outcome);
  }

  /** «Остановить» while the import runs; waits until it has stopped (after its current chunk). */
  async cancel(): Promise<void> {
    await this.page.getByTestId('import-cancel').click();
    await expect(this.progress).toHaveAttribute('data-running', 'false', { timeout: 60_000 });
  }

  /** «Продолжить импорт» after a stop or an error. */
  async continueImport(): Promise<void> {
    await this.page.getByTestId('import-continue').click();
    await expect(this.progress.or(this.result)).toBeVisible();
  }

  async downloadReport(): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.page.getByTestId('import-report').click();
    return download;
  }

  async backToInbox(): Promise<void> {
    await this.page.getByTestId('review-back').click();
    await this.waitForInbox();
  }
}
