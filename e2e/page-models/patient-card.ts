import { expect, type Locator, type Page } from '@playwright/test';
import type { DocumentTypeCode } from '../../shared/reference/centres.js';
import { ChatPanelModel } from './chat.js';
import { ConclusionEditorPage } from './conclusion-editor.js';

export type CacheIndicator = 'cached' | 'pinned' | 'downloading' | 'queued' | 'absent' | 'failed';

/**
 * The centre doctor's patient card (opened from the queue): identity, requests with their
 * checklists, documents with their cache state, consultations and conclusions.
 */
export class PatientCardPage {
  readonly root: Locator;
  readonly name: Locator;
  readonly requests: Locator;
  readonly documents: Locator;
  readonly consultations: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('patient-card');
    this.name = page.getByTestId('card-patient-name');
    this.requests = page.getByTestId('card-request');
    this.documents = page.getByTestId('document-row');
    this.consultations = page.getByTestId('consultation-row');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.root).toHaveAttribute('data-loaded', 'true');
    return this;
  }

  /** «Переписка»: the section (with its unread badge). */
  get chatSection(): Locator {
    return this.root.getByTestId('card-chat');
  }

  /** The chat of a request: picks its tab when the patient has several requests. */
  async chat(requestId: string): Promise<ChatPanelModel> {
    const tab = this.chatSection.locator(`[data-testid="card-chat-tab"][data-request-id="${requestId}"]`);
    if ((await tab.count()) > 0) await tab.click();
    await expect(this.chatSection.locator(`[data-testid="chat-panel"][data-request-id="${requestId}"]`)).toBeVisible();
    return new ChatPanelModel(this.chatSection);
  }

  async expectChatUnread(count: number): Promise<void> {
    await expect(this.chatSection).toHaveAttribute('data-unread', String(count));
  }

  async back(): Promise<void> {
    await this.page.getByTestId('card-back').click();
    await expect(this.root).toHaveCount(0);
  }

  /** A request panel: by id, or the only/first one. */
  request(requestId?: string): Locator {
    return requestId ? this.root.locator(`[data-testid="card-request"][data-request-id="${requestId}"]`) : this.requests.first();
  }

  checklistItem(type: DocumentTypeCode, requestId?: string): Locator {
    return this.request(requestId).locator(`[data-testid="checklist-item"][data-type="${type}"]`);
  }

  async expectChecklist(type: DocumentTypeCode, present: boolean, opts: { required?: boolean; requestId?: string } = {}): Promise<void> {
    const item = this.checklistItem(type, opts.requestId);
    await expect(item).toHaveAttribute('data-present', String(present));
    if (opts.required !== undefined) await expect(item).toHaveAttribute('data-required', String(opts.required));
  }

  async expectChecklistComplete(complete: boolean, requestId?: string): Promise<void> {
    await expect(this.request(requestId).getByTestId('card-checklist')).toHaveAttribute('data-complete', String(complete));
  }

  document(fileName: string): Locator {
    return this.documents.filter({ has: this.page.getByTestId('document-file-name').getByText(fileName, { exact: true }) });
  }

  async expectCache(fileName: string, state: CacheIndicator): Promise<void> {
    await expect(this.document(fileName).getByTestId('document-cache')).toHaveAttribute('data-state', state);
  }

  /** «Открыть» on a document: the viewer opens (see DocumentViewer's page model). */
  async openDocument(fileName: string): Promise<void> {
    await this.document(fileName).getByTestId('document-open').click();
  }

  /** «Назначить консультацию»: the schedule dialog opens (see its page model). */
  async schedule(requestId?: string): Promise<void> {
    await this.request(requestId).getByTestId('card-schedule').click();
  }

  async writeConclusion(requestId?: string): Promise<ConclusionEditorPage> {
    await this.request(requestId).getByTestId('card-write-conclusion').click();
    return new ConclusionEditorPage(this.page).waitForVisible();
  }

  conclusion(version: number, requestId?: string): Locator {
    return this.request(requestId).locator(`[data-testid="conclusion-row"][data-version="${version}"]`);
  }

  /** The version's row: pending until the server's signed version has synced back. */
  async expectConclusion(version: number, opts: { pending?: boolean; current?: boolean; requestId?: string } = {}): Promise<void> {
    const row = this.conclusion(version, opts.requestId);
    await expect(row).toHaveCount(1);
    if (opts.pending !== undefined) await expect(row).toHaveAttribute('data-pending', String(opts.pending));
    if (opts.current !== undefined) await expect(row).toHaveAttribute('data-current', String(opts.current));
  }

  /** «Скачать PDF» of a version; resolves with the suggested file name. */
  async downloadConclusion(version: number, requestId?: string): Promise<string> {
    const download = this.page.waitForEvent('download');
    await this.conclusion(version, requestId).getByTestId('conclusion-pdf').click();
    return (await download).suggestedFilename();
  }

  /** «Исправить» on the version in force: the editor opens in correction mode. */
  async correct(version: number, requestId?: string): Promise<ConclusionEditorPage> {
    await this.conclusion(version, requestId).getByTestId('conclusion-correct').click();
    const editor = await new ConclusionEditorPage(this.page).waitForVisible();
    await expect(editor.body).toHaveAttribute('data-correction', 'true');
    return editor;
  }
}
