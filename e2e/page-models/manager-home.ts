import { expect, type Locator, type Page } from '@playwright/test';
import { PatientRows } from './patient-rows.js';

export type StatusFilter = 'all' | 'new' | 'under_review' | 'scheduled' | 'consulted' | 'conclusion_issued' | 'invited' | 'cancelled';

/** «Пациенты по статусам» — the project manager's home (status cards filter the table). */
export class ManagerHome {
  readonly view: Locator;
  readonly rows: PatientRows;
  readonly search: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('view-patients-by-status');
    this.rows = new PatientRows(page, 'patient-row');
    this.search = page.getByTestId('patients-search');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.view).toBeVisible();
    await expect(this.page.getByTestId('status-cards')).toBeVisible();
    return this;
  }

  statusCard(status: StatusFilter): Locator {
    return this.page.getByTestId(`status-card-${status}`);
  }

  row(fullName: string): Locator {
    return this.rows.row(fullName);
  }

  async expectCount(status: StatusFilter, n: number): Promise<void> {
    await expect(this.statusCard(status)).toHaveAttribute('data-count', String(n));
  }

  /** Selects a status card and waits until every listed row has that status. */
  async filterBy(status: StatusFilter): Promise<void> {
    const card = this.statusCard(status);
    await card.click();
    await expect(card).toHaveAttribute('aria-pressed', 'true');
    if (status !== 'all') {
      await expect(this.rows.all.and(this.page.locator(`:not([data-status="${status}"])`))).toHaveCount(0);
    }
  }
}
