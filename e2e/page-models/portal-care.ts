import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

export type CareSection = 'apply' | 'duty' | 'consultations' | 'notifications';

const PAGE_ID: Record<CareSection, string> = {
  apply: 'care-apply',
  duty: 'care-duty',
  consultations: 'care-consultations',
  notifications: 'care-notifications',
};

export interface ApplicationInput {
  centre: string;
  /** The profile's visible name in the select. */
  profile: string;
  weeks?: string;
  diagnosis: string;
  complaints: string;
}

export interface CareChatMessage {
  mine: boolean;
  sender: string;
  body: string;
}

export interface CareNotification {
  kind: string;
  unread: boolean;
  title: string;
  body: string;
}

export interface CareConsultation {
  id: string;
  requestId: string;
  status: string;
  kind: string;
  statusText: string;
  when: string;
  doctor: string;
}

/**
 * The portal's care pages: self-application, the duty doctor (schedule, booking, chat),
 * consultations and conclusions, notifications. Locators are the `care-*` test ids.
 */
export class PortalCare {
  constructor(readonly page: Page) {}

  /** Opens a care page through the portal's menu (`portal-menu` → `portal-nav-<section>`). */
  async goto(section: CareSection): Promise<void> {
    const item = this.page.getByTestId(`portal-nav-${section}`);
    if (!(await item.isVisible())) await this.page.getByTestId('portal-menu').click();
    await item.click();
    await expect(this.page.getByTestId(PAGE_ID[section])).toBeVisible();
    await expect(this.page.getByRole('dialog')).toBeHidden();
  }

  // ── application ──

  get applyForm(): Locator {
    return this.page.getByTestId('care-apply-form');
  }

  get applyError(): Locator {
    return this.page.getByTestId('care-apply-error');
  }

  get applyDone(): Locator {
    return this.page.getByTestId('care-apply-done');
  }

  /** Fills the application (only the fields given) without submitting. */
  async fillApplication(a: Partial<ApplicationInput>): Promise<void> {
    await expect(this.applyForm).toBeVisible();
    if (a.centre) await this.page.getByTestId(`care-apply-centre-${a.centre}`).check();
    if (a.profile) await this.page.getByTestId('care-apply-profile').selectOption({ label: a.profile });
    if (a.weeks !== undefined) await this.page.getByTestId('care-apply-weeks').fill(a.weeks);
    if (a.diagnosis !== undefined) await this.page.getByTestId('care-apply-diagnosis').fill(a.diagnosis);
    if (a.complaints !== undefined) await this.page.getByTestId('care-apply-complaints').fill(a.complaints);
  }

  async submitApplication(): Promise<void> {
    await this.page.getByTestId('care-apply-submit').click();
  }

  /** Fills, submits, waits for the confirmation; returns the new request's id. */
  async apply(a: ApplicationInput): Promise<string> {
    await this.fillApplication(a);
    await this.submitApplication();
    await expect(this.applyDone).toBeVisible();
    return (await this.applyDone.getAttribute('data-request-id')) ?? '';
  }

  // ── duty doctor ──

  get dutySlots(): Locator {
    return this.page.getByTestId('care-duty-slot');
  }

  get dutyError(): Locator {
    return this.page.getByTestId('care-duty-error');
  }

  get dutyNotice(): Locator {
    return this.page.getByTestId('care-duty-notice');
  }

  /** The slot starting at that instant (ISO as the API gives it). */
  slotAt(startsAt: string): Locator {
    return this.page.locator(`[data-testid="care-duty-slot"][data-starts-at="${startsAt}"]`);
  }

  /** Picks a slot, types the question, books; the outcome is for expect* (notice or error). */
  async book(slot: Locator, question: string): Promise<void> {
    await slot.click();
    await expect(this.page.getByTestId('care-duty-form')).toBeVisible();
    await expect(this.page.getByTestId('care-duty-question')).toBeFocused();
    await this.page.getByTestId('care-duty-question').fill(question);
    await this.page.getByTestId('care-duty-book').click();
  }

  // ── chat ──

  /** The chat of a request (on the duty page or a consultation card). */
  chat(requestId?: string): Locator {
    return requestId ? this.page.locator(`[data-testid="care-chat"][data-request-id="${requestId}"]`) : this.page.getByTestId('care-chat').first();
  }

  async openChat(chat: Locator): Promise<void> {
    if ((await chat.getAttribute('data-open')) !== 'true') await chat.getByTestId('care-chat-toggle').click();
    await expect(chat.getByTestId('chat-form')).toBeVisible();
  }

  /** Sends a message (with one of the patient's documents, by file name, if given). */
  async sendMessage(chat: Locator, text: string, attach?: string): Promise<void> {
    await this.openChat(chat);
    await chat.getByTestId('chat-input').fill(text);
    if (attach) await chat.getByTestId('chat-attach').selectOption({ label: attach });
    await chat.getByTestId('chat-send').click();
    await expect(chat.getByTestId('chat-body').filter({ hasText: text })).toBeVisible();
    await expect(chat.getByTestId('chat-input')).toHaveValue('');
  }

  async messages(chat: Locator): Promise<CareChatMessage[]> {
    const out: CareChatMessage[] = [];
    for (const m of await chat.getByTestId('chat-message').all()) {
      out.push({
        mine: (await m.getAttribute('data-mine')) === 'true',
        sender: (await m.getByTestId('chat-sender').innerText()).trim(),
        body: (await m.getByTestId('chat-body').innerText()).trim(),
      });
    }
    return out;
  }

  // ── consultations ──

  consultation(id: string): Locator {
    return this.page.locator(`[data-testid="care-consultation"][data-consultation-id="${id}"]`);
  }

  async consultations(): Promise<CareConsultation[]> {
    await expect(this.page.getByTestId('care-consultations-list').or(this.page.getByTestId('care-consultations-empty'))).toBeVisible();
    const out: CareConsultation[] = [];
    for (const c of await this.page.getByTestId('care-consultations-list').getByTestId('care-consultation').all()) {
      out.push({
        id: (await c.getAttribute('data-consultation-id')) ?? '',
        requestId: (await c.getAttribute('data-request-id')) ?? '',
        status: (await c.getAttribute('data-status')) ?? '',
        kind: (await c.getAttribute('data-kind')) ?? '',
        statusText: (await c.getByTestId('care-consultation-status').innerText()).trim(),
        when: (await c.getByTestId('care-consultation-when').innerText()).trim(),
        doctor: (await c.getByTestId('care-consultation-doctor').innerText()).trim(),
      });
    }
    return out;
  }

  /** Cancel with a reason through the confirm dialog; waits for the card to say «Отменена». */
  async cancelConsultation(card: Locator, reason: string): Promise<void> {
    await card.getByTestId('care-consultation-cancel').click();
    const dialog = this.page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('care-cancel-reason').fill(reason);
    await dialog.getByTestId('care-cancel-confirm').click();
    await expect(dialog).toBeHidden();
    await expect(card).toHaveAttribute('data-status', 'cancelled');
  }

  // ── conclusions ──

  get conclusions(): Locator {
    return this.page.getByTestId('care-conclusion');
  }

  /** Clicks the download button and returns the saved file's name and first bytes. */
  async downloadConclusion(button: Locator): Promise<{ name: string; head: string }> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), button.click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return { name: download.suggestedFilename(), head: Buffer.concat(chunks).subarray(0, 5).toString('latin1') };
  }

  // ── notifications ──

  async notifications(): Promise<CareNotification[]> {
    await expect(this.page.getByTestId('care-notifications-list').or(this.page.getByTestId('care-notifications-empty'))).toBeVisible();
    const out: CareNotification[] = [];
    for (const n of await this.page.getByTestId('care-notification').all()) {
      out.push({
        kind: (await n.getAttribute('data-kind')) ?? '',
        unread: (await n.getAttribute('data-unread')) === 'true',
        title: (await n.getByTestId('care-notification-title').innerText()).trim(),
        body: (await n.getByTestId('care-notification-body').innerText()).trim(),
      });
    }
    return out;
  }

  get unreadBadge(): Locator {
    return this.page.getByTestId('care-notifications-unread');
  }

  async markAllRead(): Promise<void> {
    await this.page.getByTestId('care-notifications-mark-all').click();
    await expect(this.unreadBadge).toBeHidden();
  }

  // ── checks ──

  /**
   * axe-core violations of impact serious or critical (id: help, with the first offending nodes).
   * Every rule on the whole page except colour contrast, which is checked on the care page itself
   * (`main` and any open dialog): the portal's shell (header, menu) is the shared theme's business.
   */
  async seriousA11yViolations(): Promise<string[]> {
    const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
    const all = await new AxeBuilder({ page: this.page }).withTags(tags).disableRules(['color-contrast']).analyze();
    let contrast = new AxeBuilder({ page: this.page }).withRules(['color-contrast']).include('main');
    if (await this.page.locator('.mantine-Modal-content').count()) contrast = contrast.include('.mantine-Modal-content');
    const own = await contrast.analyze();
    return [...all.violations, ...own.violations]
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}${v.id === 'color-contrast' ? ` ${JSON.stringify(n.any[0]?.data ?? {})}` : ''}`).join(' | ')}`);
  }

  /** Width the page needs beyond the viewport (0 when nothing overflows horizontally). */
  async horizontalOverflow(): Promise<number> {
    return this.page.locator('html').evaluate((el) => el.scrollWidth - el.clientWidth);
  }

  /** Visible buttons, inputs, selects and links shorter than `min` px. */
  async smallTouchTargets(min = 44): Promise<{ id: string; height: number }[]> {
    const all = await this.page
      .locator('button, input:not([type=radio]):not([type=checkbox]), select, a[href]')
      .evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-testid') ?? `${e.tagName}:${e.textContent?.slice(0, 30) ?? ''}`, height: e.getBoundingClientRect().height })));
    return all.filter((x) => x.height > 0 && x.height < min);
  }
}
