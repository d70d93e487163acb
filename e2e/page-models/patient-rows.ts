import { expect, type Locator, type Page } from '@playwright/test';

/** A table of patients (or requests) whose rows show the patient's full name. */
export class PatientRows {
  readonly all: Locator;

  constructor(
    readonly page: Page,
    rowTestId: 'patient-row' | 'queue-row',
  ) {
    this.all = page.getByTestId(rowTestId);
  }

  /** The row of one patient, matched on the exact full name («Иванов Иван Иванович»). */
  row(fullName: string): Locator {
    return this.all.filter({ has: this.page.getByTestId('patient-name').getByText(fullName, { exact: true }) });
  }

  async names(): Promise<string[]> {
    return this.all.getByTestId('patient-name').allTextContents();
  }

  async expectRow(fullName: string, opts: { pending?: boolean; status?: string } = {}): Promise<Locator> {
    const row = this.row(fullName);
    await expect(row).toHaveCount(1);
    if (opts.pending !== undefined) await expect(row).toHaveAttribute('data-pending', String(opts.pending));
    if (opts.status !== undefined) await expect(row).toHaveAttribute('data-status', opts.status);
    return row;
  }

  async expectNoRow(fullName: string): Promise<void> {
    await expect(this.row(fullName)).toHaveCount(0);
  }

  async expectCount(n: number): Promise<void> {
    await expect(this.all).toHaveCount(n);
  }
}
