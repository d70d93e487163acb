import { expect, type Locator, type Page } from '@playwright/test';
import { PatientCardPage } from './patient-card.js';
import { PatientRows } from './patient-rows.js';

/** The queue's filters; `documents`: complete | incomplete; '' means «Все». */
export interface QueueFilters {
  profile?: string;
  source?: 'referral' | 'self_application' | 'duty_booking' | '';
  region?: string;
  stage?: string;
  status?: string;
  documents?: 'complete' | 'incomplete' | '';
  overdue?: boolean;
  mine?: boolean;
}

/**
 * «Очередь центра» (doctor) and «Очередь центров» (manager, read-only): consultation requests
 * from all three sources with due dates.
 */
export class DoctorQueue {
  readonly view: Locator;
  readonly rows: PatientRows;
  readonly search: Locator;
  readonly emptyState: Locator;
  readonly nothingFiltered: Locator;
  readonly filters: Locator;
  readonly pages: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('view-centre-queue').or(page.getByTestId('view-centre-queues'));
    this.rows = new PatientRows(page, 'queue-row');
    this.search = page.getByTestId('queue-search');
    this.emptyState = page.getByTestId('queue-empty');
    this.nothingFiltered = page.getByTestId('queue-nothing-filtered');
    this.filters = page.getByTestId('queue-filters');
    this.pages = page.getByTestId('queue-pages');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.view).toBeVisible();
    await expect(this.page.getByTestId('queue-table').or(this.emptyState)).toBeVisible();
    return this;
  }

  row(fullName: string): Locator {
    return this.rows.row(fullName);
  }

  takeButton(fullName: string): Locator {
    return this.row(fullName).getByTestId('take-request');
  }

  /** «Взять в работу» on the patient's request; waits until the row shows it is now yours. */
  async take(fullName: string): Promise<void> {
    await this.takeButton(fullName).click();
    await this.expectMine(fullName);
  }

  /** Presses «Взять в работу» and waits for the error toast (someone else was quicker, …). */
  async takeExpectingError(fullName: string, text: string | RegExp): Promise<void> {
    await this.takeButton(fullName).click();
    await expect(this.page.getByTestId('toast-error').filter({ hasText: text }).first()).toBeVisible();
  }

  async expectMine(fullName: string): Promise<void> {
    await expect(this.row(fullName).getByTestId('row-assigned')).toHaveAttribute('data-mine', 'true');
    await expect(this.takeButton(fullName)).toHaveCount(0);
  }

  async expectTakeable(fullName: string): Promise<void> {
    await expect(this.takeButton(fullName)).toBeEnabled();
  }

  async expectOverdue(fullName: string, overdue = true): Promise<void> {
    await expect(this.row(fullName)).toHaveAttribute('data-overdue', String(overdue));
  }

  /** `source`: referral | self_application | duty_booking. */
  async expectSource(fullName: string, source: string): Promise<void> {
    await expect(this.row(fullName)).toHaveAttribute('data-source', source);
  }

  /** Sets the given filters (others are left as they are) and waits for the list to settle. */
  async filter(f: QueueFilters): Promise<void> {
    const selects: [keyof QueueFilters, string][] = [
      ['profile', 'filter-profile'],
      ['source', 'filter-source'],
      ['region', 'filter-region'],
      ['stage', 'filter-stage'],
      ['status', 'filter-status'],
      ['documents', 'filter-documents'],
    ];
    for (const [key, testId] of selects) {
      const v = f[key];
      if (typeof v === 'string') await this.page.getByTestId(testId).selectOption(v);
    }
    if (f.overdue !== undefined) await this.page.getByTestId('filter-overdue').setChecked(f.overdue);
    if (f.mine !== undefined) await this.page.getByTestId('filter-mine').setChecked(f.mine);
    await expect(this.page.getByTestId('queue-table').or(this.emptyState).or(this.nothingFiltered)).toBeVisible();
  }

  async resetFilters(): Promise<void> {
    await this.page.getByTestId('filter-reset').click();
    await expect(this.page.getByTestId('filter-count')).toHaveCount(0);
  }

  /** Types into the search (name or СНИЛС). */
  async searchFor(text: string): Promise<void> {
    await this.search.fill(text);
  }

  /** Opens the patient's card from their row (the name is a button). */
  async openCard(fullName: string): Promise<PatientCardPage> {
    await this.row(fullName).getByTestId('queue-open-card').first().click();
    return new PatientCardPage(this.page).waitForVisible();
  }
}
