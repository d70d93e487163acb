import { expect, type Locator } from '@playwright/test';

export interface ChatLine {
  id: string;
  mine: boolean;
  pending: boolean;
  read: boolean;
  sender: string;
  body: string;
  attachment: string | null;
}

/**
 * The shared chat panel (renderer/common/chat), the same in the portal and on the desktop:
 * `root` is any element that holds one panel (the portal's chat card, the card's «Переписка»).
 */
export class ChatPanelModel {
  readonly panel: Locator;

  constructor(readonly root: Locator) {
    this.panel = root.getByTestId('chat-panel');
  }

  /** Types the message and sends it with Enter (Shift+Enter would be a new line). */
  async send(text: string, opts: { attach?: string } = {}): Promise<void> {
    const input = this.panel.getByTestId('chat-input');
    if (opts.attach) await this.panel.getByTestId('chat-attach').selectOption({ label: opts.attach });
    await input.fill(text);
    await input.press('Enter');
    await expect(this.body(text)).toBeVisible();
    await expect(input).toHaveValue('');
  }

  body(text: string): Locator {
    return this.panel.getByTestId('chat-body').filter({ hasText: text });
  }

  message(text: string): Locator {
    // `has` is relative to each message, so the inner locator starts from the page, not the panel.
    return this.panel.getByTestId('chat-message').filter({ has: this.panel.page().getByTestId('chat-body').filter({ hasText: text }) });
  }

  async expectPending(text: string, pending: boolean): Promise<void> {
    await expect(this.message(text)).toHaveAttribute('data-pending', String(pending));
  }

  async lines(): Promise<ChatLine[]> {
    const out: ChatLine[] = [];
    for (const m of await this.panel.getByTestId('chat-message').all()) {
      const attachment = m.getByTestId('chat-attachment');
      out.push({
        id: (await m.getAttribute('data-message-id')) ?? '',
        mine: (await m.getAttribute('data-mine')) === 'true',
        pending: (await m.getAttribute('data-pending')) === 'true',
        read: (await m.getAttribute('data-read')) === 'true',
        sender: (await m.getByTestId('chat-sender').innerText()).trim(),
        body: (await m.getByTestId('chat-body').innerText()).trim(),
        attachment: (await attachment.count()) > 0 ? (await attachment.innerText()).trim() : null,
      });
    }
    return out;
  }
}
