import { expect, type Locator, type Page } from '@playwright/test';
import type { Role } from '../../shared/domain/roles.js';
import { DOCUMENT_TYPES, type DocumentTypeCode } from '../../shared/reference/centres.js';
import { PatientRows } from './patient-rows.js';

export interface AttachDocument {
  type: DocumentTypeCode;
  /** A file on disk, handed to the file picker. */
  filePath: string;
  /** «Основание» of the patient's consent; the consent box is ticked unless `consent: false`. */
  basis: string;
  consent?: boolean;
}

/**
 * «Документы» of a patient, opened from «Мои пациенты»: the profile checklist, the attached
 * documents and «Прикрепить документ» on the patient's behalf (with consent).
 */
export class PatientDocuments {
  readonly drawer: Locator;
  readonly checklist: Locator;
  readonly documents: Locator;
  readonly emptyState: Locator;
  readonly form: Locator;
  readonly error: Locator;
  readonly submit: Locator;
  private readonly rows: PatientRows;

  constructor(readonly page: Page) {
    this.drawer = page.getByTestId('patient-documents-panel');
    this.checklist = page.getByTestId('documents-checklist');
    this.documents = page.getByTestId('document-row');
    this.emptyState = page.getByTestId('documents-empty');
    this.form = page.getByTestId('documents-attach-form');
    this.error = page.getByTestId('documents-error');
    this.submit = page.getByTestId('documents-submit');
    this.rows = new PatientRows(page, 'patient-row');
  }

  /** «Документы» in the patient's row of «Мои пациенты»; waits until the list has loaded. */
  async open(fullName: string): Promise<this> {
    await this.rows.row(fullName).getByTestId('patient-documents-open').click();
    await expect(this.drawer).toBeVisible();
    await expect(this.page.getByTestId('documents-table').or(this.emptyState)).toBeVisible();
    return this;
  }

  async close(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await expect(this.drawer).toBeHidden();
  }

  checklistItem(type: DocumentTypeCode): Locator {
    return this.checklist.locator(`[data-testid="documents-checklist-item"][data-type="${type}"]`);
  }

  /** The checklist item of the latest request's profile, marked present (✓) or missing. */
  async expectChecklist(type: DocumentTypeCode, present: boolean, opts: { required?: boolean } = {}): Promise<void> {
    const item = this.checklistItem(type);
    await expect(item).toHaveCount(1);
    await expect(item).toHaveAttribute('data-present', String(present));
    if (opts.required !== undefined) await expect(item).toHaveAttribute('data-required', String(opts.required));
  }

  /** Fills «Прикрепить документ» and submits; waits until the upload is done or refused
   * (check with `expectDocument` or `expectError`). */
  async attach(doc: AttachDocument): Promise<void> {
    await expect(this.form).toBeVisible();
    await this.form.getByTestId('documents-type').click();
    await this.page.getByRole('option', { name: DOCUMENT_TYPES[doc.type], exact: true }).click();
    await expect(this.form.getByTestId('documents-type')).toHaveValue(DOCUMENT_TYPES[doc.type]);
    await this.form.getByTestId('documents-file-input').setInputFiles(doc.filePath);
    const consent = this.form.getByTestId('documents-consent');
    if (doc.consent === false) await consent.uncheck();
    else await consent.check();
    await this.form.getByTestId('documents-basis').fill(doc.basis);
    await this.submit.click();
    await expect(this.form).toHaveAttribute('data-result', /^(ok|error|invalid)$/, { timeout: 30_000 });
  }

  document(fileName: string): Locator {
    return this.documents.filter({ has: this.page.getByTestId('document-file-name').getByText(fileName, { exact: true }) });
  }

  async expectDocument(fileName: string, opts: { uploadedByRole?: Role; type?: DocumentTypeCode; consentBasis?: string } = {}): Promise<Locator> {
    const row = this.document(fileName);
    await expect(row).toHaveCount(1);
    if (opts.uploadedByRole !== undefined) await expect(row).toHaveAttribute('data-uploaded-by-role', opts.uploadedByRole);
    if (opts.type !== undefined) await expect(row).toHaveAttribute('data-type', opts.type);
    if (opts.consentBasis !== undefined) await expect(row.getByTestId('document-consent')).toContainText(opts.consentBasis);
    return row;
  }

  async expectNoDocument(fileName: string): Promise<void> {
    await expect(this.document(fileName)).toHaveCount(0);
  }

  async expectDocumentCount(n: number): Promise<void> {
    await expect(this.documents).toHaveCount(n);
  }

  /** The refusal shown in the form (the services' or the server's message), optionally its code. */
  async expectError(text: string | RegExp, code?: string): Promise<void> {
    await expect(this.error).toBeVisible();
    await expect(this.error).toContainText(text);
    if (code !== undefined) await expect(this.error).toHaveAttribute('data-code', code);
  }
}
