import { expect, type Locator, type Page } from '@playwright/test';
import { PatientRows } from './patient-rows.js';

/**
 * «Очередь центра» (doctor) and «Очередь центров» (manager, read-only): consultation requests
 * from all three sources with due dates.
 */
export class DoctorQueue {
  readonly view: Locator;
  readonly rows: PatientRows;
  readonly search: Locator;
  readonly emptyState: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('view-centre-queue').or(page.getByTestId('view-centre-queues'));
    this.rows = new PatientRows(page, 'queue-row');
    this.search = page.getByTestId('queue-search');
    this.emptyState = page.getByTestId('queue-empty');
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
}
