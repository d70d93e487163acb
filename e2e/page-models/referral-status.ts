import { expect, type Locator, type Page } from '@playwright/test';
import type { PatientStage } from '../../shared/domain/patients.js';

export type StageFilter = PatientStage | 'all';

/** «Статусы пациентов»: the physician's referred patients by stage, live. */
export class ReferralStatus {
  readonly view: Locator;
  readonly rows: Locator;
  readonly search: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('view-referral-status');
    this.rows = page.getByTestId('status-row');
    this.search = page.getByTestId('status-search');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.view).toBeVisible();
    await expect(this.page.getByTestId('status-table').or(this.page.getByTestId('status-empty'))).toBeVisible();
    return this;
  }

  row(fullName: string): Locator {
    return this.rows.filter({ has: this.page.getByTestId('status-name').getByText(fullName, { exact: true }) });
  }

  /** Waits (no reload) until the patient's row shows the stage. */
  async expectStage(fullName: string, stage: PatientStage): Promise<void> {
    await expect(this.row(fullName)).toHaveAttribute('data-stage', stage);
  }

  card(stage: StageFilter): Locator {
    return this.page.getByTestId(`stage-card-${stage}`);
  }

  async expectCount(stage: StageFilter, n: number): Promise<void> {
    await expect(this.card(stage)).toHaveAttribute('data-count', String(n));
  }

  async counts(): Promise<Partial<Record<StageFilter, number>>> {
    const cards = this.page.getByTestId('stage-cards').locator('[data-testid^="stage-card-"][data-count]');
    const pairs = await cards.evaluateAll((els) => els.map((e) => [e.getAttribute('data-testid')!.slice('stage-card-'.length), Number(e.getAttribute('data-count'))] as const));
    return Object.fromEntries(pairs);
  }

  async filterBy(stage: StageFilter): Promise<void> {
    await this.card(stage).click();
    await expect(this.card(stage)).toHaveAttribute('aria-pressed', 'true');
    if (stage !== 'all') await expect(this.rows.and(this.page.locator(`:not([data-stage="${stage}"])`))).toHaveCount(0);
  }

  async searchFor(q: string): Promise<void> {
    await this.search.fill(q);
  }
}
