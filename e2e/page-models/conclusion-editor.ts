import { expect, type Locator, type Page } from '@playwright/test';

export type ConclusionTextField = 'complaints' | 'anamnesis' | 'conclusion' | 'recommendations';

export interface ConclusionInput {
  complaints?: string;
  anamnesis?: string;
  mainDiagnosis?: { icd10: string; text?: string };
  secondaryDiagnoses?: { icd10: string; text: string }[];
  /** Free-text reviewed documents (the patient's own are ticked with `reviewDocument`). */
  reviewed?: string[];
  conclusion?: string;
  recommendations?: string;
  /** An invitation to an in-person visit with these dates (YYYY-MM-DD). */
  invitation?: string[];
}

/** The structured conclusion editor (a full-screen dialog). */
export class ConclusionEditorPage {
  readonly dialog: Locator;
  readonly body: Locator;
  readonly saveStatus: Locator;
  readonly errors: Locator;
  readonly issued: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByTestId('conclusion-editor');
    this.body = page.getByTestId('conclusion-editor-body');
    this.saveStatus = page.getByTestId('draft-status');
    this.errors = page.getByTestId('editor-errors');
    this.issued = page.getByTestId('editor-issued');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.page.getByTestId('conclusion-form')).toBeVisible();
    return this;
  }

  field(name: ConclusionTextField): Locator {
    return this.page.getByTestId(`field-${name}`);
  }

  async fill(input: ConclusionInput): Promise<void> {
    for (const k of ['complaints', 'anamnesis', 'conclusion', 'recommendations'] as const) {
      const v = input[k];
      if (v !== undefined) await this.field(k).fill(v);
    }
    if (input.mainDiagnosis) {
      await this.page.getByTestId('field-main-icd10').fill(input.mainDiagnosis.icd10);
      if (input.mainDiagnosis.text !== undefined) await this.page.getByTestId('field-main-text').fill(input.mainDiagnosis.text);
    }
    for (const d of input.secondaryDiagnoses ?? []) {
      await this.page.getByTestId('secondary-add').click();
      await this.page.getByTestId('field-secondary-icd10').last().fill(d.icd10);
      await this.page.getByTestId('field-secondary-text').last().fill(d.text);
    }
    for (const title of input.reviewed ?? []) {
      await this.page.getByTestId('reviewed-add').click();
      await this.page.getByTestId('reviewed-free').last().fill(title);
    }
    if (input.invitation) {
      await this.page.getByTestId('outcome-invitation').check();
      for (const date of input.invitation) {
        await this.page.getByTestId('proposed-new').fill(date);
        await this.page.getByTestId('proposed-add').click();
      }
    }
  }

  /** Ticks one of the patient's documents as reviewed. */
  async reviewDocument(documentId: string): Promise<void> {
    await this.page.locator(`[data-testid="reviewed-document"][data-document-id="${documentId}"]`).check();
  }

  async removeSecondary(index: number): Promise<void> {
    await this.page.getByTestId('secondary-remove').nth(index).click();
  }

  /** The autosave indicator says «Сохранено …». */
  async expectSaved(): Promise<void> {
    await expect(this.saveStatus).toHaveAttribute('data-state', 'saved');
  }

  async expectValue(name: ConclusionTextField, value: string): Promise<void> {
    await expect(this.field(name)).toHaveValue(value);
  }

  /** The error shown under a field after «Выдать» (or a live ICD-10 check). */
  fieldError(testId: string): Locator {
    return this.page.locator(`[data-testid="${testId}"]`).locator('xpath=ancestor::div[contains(@class,"mantine-InputWrapper-root")][1]').locator('.mantine-InputWrapper-error');
  }

  /** «Предпросмотр PDF»: resolves with the downloaded draft's file name. */
  async preview(): Promise<string> {
    const download = this.page.waitForEvent('download');
    await this.page.getByTestId('editor-preview').click();
    return (await download).suggestedFilename();
  }

  /** «Выдать заключение» and confirms; waits for the issued (pending) state. */
  async issue(): Promise<void> {
    await this.page.getByTestId('editor-issue').click();
    await expect(this.page.getByTestId('issue-confirm-submit')).toBeVisible();
    await this.page.getByTestId('issue-confirm-submit').click();
    await expect(this.issued).toBeVisible();
  }

  /** «Выдать» refused by the check: the form stays, with its errors. */
  async issueExpectingErrors(): Promise<void> {
    await this.page.getByTestId('editor-issue').click();
    await this.page.getByTestId('issue-confirm-submit').click();
    await expect(this.errors).toBeVisible();
  }

  /** Waits until the server's signed version has synced back. */
  async expectIssued(pending = false): Promise<void> {
    await expect(this.issued).toHaveAttribute('data-pending', String(pending));
  }

  async close(): Promise<void> {
    const done = this.page.getByTestId('editor-done');
    if (await done.isVisible()) await done.click();
    else await this.page.getByTestId('editor-close').click();
    await expect(this.dialog).toHaveCount(0);
  }
}
