import { expect, type Locator, type Page } from '@playwright/test';

/** What the quality indicator reports from getStats (the figures behind it, once a second). */
export interface CallFigures {
  quality: string;
  level: string;
  inFrames: number;
  inFps: number;
  inVideoBps: number;
  inAudioBytes: number;
  inAudioLevel: number;
  outVideoBps: number;
  outWidth: number | null;
  availableBps: number;
}

export type CallPhase = 'connecting' | 'waiting' | 'lobby' | 'joining-media' | 'in-call' | 'reconnecting' | 'ended' | 'failed';

/** The video call screen, the same on the desktop and in the portal: the check, then the call. */
export class VideoCallPage {
  readonly check: Locator;
  readonly view: Locator;
  readonly status: Locator;
  readonly quality: Locator;

  constructor(readonly page: Page) {
    this.check = page.getByTestId('call-check');
    this.view = page.getByTestId('call-view');
    this.status = page.getByTestId('call-status');
    this.quality = page.getByTestId('call-quality');
  }

  /** Waits for the camera preview to play and the link check to finish, then joins. */
  async passCheckAndJoin(): Promise<void> {
    await expect(this.check).toBeVisible();
    await expect.poll(() => this.page.getByTestId('call-check-preview').evaluate((v) => { const video = v as unknown as { readyState: number; videoWidth: number }; return video.readyState >= 2 && video.videoWidth > 0; }), { timeout: 20_000 }).toBe(true);
    await expect(this.page.getByTestId('call-check-link')).not.toHaveAttribute('data-state', 'measuring', { timeout: 30_000 });
    await this.page.getByTestId('call-join').click();
    await expect(this.view).toBeVisible();
  }

  async expectPhase(phase: CallPhase, timeout = 30_000): Promise<void> {
    await expect(this.view).toHaveAttribute('data-phase', phase, { timeout });
  }

  async figures(): Promise<CallFigures> {
    const q = this.quality;
    const n = async (name: string) => Number((await q.getAttribute(name)) ?? '0');
    const width = await q.getAttribute('data-out-width');
    return {
      quality: (await q.getAttribute('data-quality')) ?? '',
      level: (await q.getAttribute('data-level')) ?? '',
      inFrames: await n('data-in-frames'),
      inFps: await n('data-in-fps'),
      inVideoBps: await n('data-in-video-bps'),
      inAudioBytes: await n('data-in-audio-bytes'),
      inAudioLevel: await n('data-in-audio-level'),
      outVideoBps: await n('data-out-video-bps'),
      outWidth: width ? Number(width) : null,
      availableBps: await n('data-available-bps'),
    };
  }

  /** Decoded frames and received sound both keep rising (media arrives from the other side). */
  async expectMediaArriving(timeout = 30_000): Promise<void> {
    const start = await this.figures();
    await expect
      .poll(
        async () => {
          const now = await this.figures();
          return now.inFrames > start.inFrames + 5 && now.inAudioBytes > start.inAudioBytes;
        },
        { timeout, intervals: [500] },
      )
      .toBe(true);
  }

  async admit(): Promise<void> {
    await this.page.getByTestId('call-admit').click();
  }

  async setMic(on: boolean): Promise<void> {
    const mic = this.page.getByTestId('call-mic');
    if ((await mic.getAttribute('data-on')) !== String(on)) await mic.click();
    await expect(mic).toHaveAttribute('data-on', String(on));
  }

  async end(): Promise<void> {
    await this.page.getByTestId('call-end').click();
  }

  /** The chat beside the call. */
  get chat(): Locator {
    return this.page.getByTestId('call-chat');
  }
}
