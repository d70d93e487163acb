import { expect, type Locator, type Page } from '@playwright/test';
import { PatientRows } from './patient-rows.js';

export interface NewPatient {
  lastName: string;
  firstName: string;
  middleName?: string;
  sex: 'male' | 'female';
  /** YYYY-MM-DD */
  birthDate: string;
  snils?: string;
  enp?: string;
  phone?: string;
  /** Region name as in the reference list («Республика Татарстан»). */
  region?: string;
}

/** «Мои пациенты» — the regional physician's home. */
export class PhysicianHome {
  readonly view: Locator;
  readonly rows: PatientRows;
  readonly search: Locator;
  readonly emptyState: Locator;
  readonly addButton: Locator;
  readonly form: Locator;
  readonly formError: Locator;
  readonly submit: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('view-my-patients');
    this.rows = new PatientRows(page, 'patient-row');
    this.search = page.getByTestId('patients-search');
    this.emptyState = page.getByTestId('patients-empty');
    this.addButton = page.getByTestId('add-patient');
    this.form = page.getByTestId('add-patient-form');
    this.formError = page.getByTestId('add-patient-error');
    this.submit = page.getByTestId('add-patient-submit');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.view).toBeVisible();
    await expect(this.page.getByTestId('patients-table').or(this.emptyState)).toBeVisible();
    return this;
  }

  row(fullName: string): Locator {
    return this.rows.row(fullName);
  }

  async searchFor(q: string): Promise<void> {
    await this.search.fill(q);
  }

  /** Opens the form and fills it; does not submit. */
  async fillAddPatient(data: NewPatient): Promise<void> {
    await this.addButton.click();
    await expect(this.form).toBeVisible();
    const field = (name: string) => this.form.getByTestId(`add-patient-${name}`);
    await field('lastName').fill(data.lastName);
    await field('firstName').fill(data.firstName);
    if (data.middleName !== undefined) await field('middleName').fill(data.middleName);
    await this.form.getByTestId(`add-patient-sex-${data.sex}`).check();
    await field('birthDate').fill(data.birthDate);
    if (data.snils !== undefined) await field('snils').fill(data.snils);
    if (data.enp !== undefined) await field('enp').fill(data.enp);
    if (data.phone !== undefined) await field('phone').fill(data.phone);
    if (data.region !== undefined) {
      await field('region').fill(data.region);
      await this.page.getByRole('option', { name: data.region, exact: true }).click();
      await expect(field('region')).toHaveValue(data.region);
    }
  }

  /** Adds a patient through the form and waits for the row to appear (pending until synced). */
  async addPatient(data: NewPatient): Promise<Locator> {
    await this.fillAddPatient(data);
    await this.submit.click();
    await expect(this.form).toBeHidden();
    const name = [data.lastName, data.firstName, data.middleName].filter(Boolean).join(' ');
    const row = this.row(name);
    await expect(row).toBeVisible();
    return row;
  }

  /** Submits the open form and waits for the services' refusal, shown in the form. */
  async submitExpectingError(text?: string | RegExp): Promise<void> {
    await this.submit.click();
    await expect(this.formError).toBeVisible();
    if (text !== undefined) await expect(this.form).toContainText(text);
  }

  /** Waits for the message under one field of the add-patient form. */
  async expectFieldError(field: keyof NewPatient, text: string | RegExp): Promise<void> {
    const input = this.form.getByTestId(`add-patient-${field}`);
    if (field !== 'sex') await expect(input).toHaveAttribute('aria-invalid', 'true');
    await expect(this.form).toContainText(text);
  }
}
