import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { createLogger } from '../logger.js';
import { maskSecrets } from './gateway.js';
import type { SmsProvider } from './provider.js';
import { realTiming, TokenBucket, type Timing } from './rate-limit.js';

const log = createLogger('sms.dispatcher');

export interface DispatcherOptions {
  /** Sends per second (the provider's limit). */
  ratePerSecond?: number;
  /** Attempts before a message is `failed` (a permanent error fails it at once). */
  maxAttempts?: number;
  /** First retry delay; each next one is `backoffFactor` times longer, up to `backoffCapMs`. */
  backoffBaseMs?: number;
  backoffFactor?: number;
  backoffCapMs?: number;
  /** A `sending` row older than this was abandoned by a process that died mid-call. */
  staleSendingMs?: number;
  /** Rows claimed per step. */
  batchSize?: number;
  /** How often a `sent` message's delivery report is asked for. */
  statusPollMs?: number;
  /** After this long without a final report, stop asking (the row stays `sent`). */
  statusGiveUpMs?: number;
  /** Longest idle wait of the loop when nothing is due (a wake ends it earlier). */
  idleMs?: number;
  timing?: Timing;
  /** 0 ≤ x < 1, for the backoff jitter. */
  random?: () => number;
}

export interface StepResult {
  sent: number;
  retried: number;
  failed: number;
  recovered: number;
  reports: number;
}

const DEFAULTS = {
  ratePerSecond: 5,
  maxAttempts: 6,
  backoffBaseMs: 5_000,
  backoffFactor: 3,
  backoffCapMs: 30 * 60_000,
  staleSendingMs: 2 * 60_000,
  batchSize: 20,
  statusPollMs: 60_000,
  statusGiveUpMs: 72 * 3_600_000,
  idleMs: 10_000,
} as const;

/**
 * Drains `sms_outbox` through a provider. Each row is marked `sending` (attempts + 1) before the
 * call, so a crash mid-call leaves evidence: a stale `sending` row is counted as a failed attempt
 * and retried (the provider may have sent it; a rare duplicate SMS beats a lost password). Then
 * `sent` (the body's password masked: the provider has it now, the database need not), back to
 * `queued` with an exponential, jittered `next_attempt_at`, or `failed` with a Russian reason.
 * For `sent` rows `next_attempt_at` is when to ask for the delivery report.
 *
 * Claims are conditional updates (`WHERE status = 'queued'`), so two processes on one database
 * never send the same row twice.
 */
export class SmsDispatcher {
  private readonly o: Required<Omit<DispatcherOptions, 'timing' | 'random'>>;
  private readonly timing: Timing;
  private readonly random: () => number;
  private readonly limiter: TokenBucket;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private woken = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly provider: SmsProvider,
    opts: DispatcherOptions = {},
  ) {
    const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
    this.o = { ...DEFAULTS, ...defined };
    this.timing = opts.timing ?? realTiming;
    this.random = opts.random ?? Math.random;
    this.limiter = new TokenBucket(this.o.ratePerSecond, this.timing);
  }

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops the loop after the step in progress; resolves once it has finished. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    this.loop = null;
  }

  /** Ends the idle wait now (new messages were committed). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.step();
      } catch (err) {
        // A database hiccup must not kill the loop: log it and try again after the idle wait.
        log.error({ err }, 'SMS dispatch step failed');
      }
      if (this.stopping) break;
      await this.idle(await this.msUntilDue().catch(() => this.o.idleMs));
    }
  }

  private async idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    const ac = new AbortController();
    this.wakeUp = () => ac.abort();
    await this.timing.sleep(ms, ac.signal);
    this.wakeUp = null;
    this.woken = false;
  }

  /** The wait until the next row is due, at most the idle interval. */
  private async msUntilDue(): Promise<number> {
    const next = await this.db
      .selectFrom('sms_outbox')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('status', 'in', ['queued', 'sent'])
      .where('next_attempt_at', 'is not', null)
      .executeTakeFirst();
    const at = next?.at ? Date.parse(String(next.at)) : NaN;
    const ms = Number.isFinite(at) ? at - this.timing.now() : this.o.idleMs;
    return Math.max(0, Math.min(this.o.idleMs, ms));
  }

  /** One pass: recover abandoned sends, send what is due, ask for due delivery reports. */
  async step(): Promise<StepResult> {
    const result: StepResult = { sent: 0, retried: 0, failed: 0, recovered: 0, reports: 0 };
    result.recovered = await this.recoverStale();
    for (;;) {
      const due = await this.dueRows();
      if (due.length === 0) break;
      for (const row of due) {
        if (this.stopping) return result;
        const outcome = await this.sendOne(row.id);
        if (outcome) result[outcome] += 1;
      }
      if (due.length < this.o.batchSize) break;
    }
    result.reports = await this.pollReports();
    return result;
  }

  private iso(ms = this.timing.now()): string {
    return new Date(ms).toISOString();
  }

  /** Delay before attempt `attempts + 1`: base·factor^(attempts−1), capped, ±25 % jitter. */
  backoffMs(attempts: number): number {
    const raw = Math.min(this.o.backoffCapMs, this.o.backoffBaseMs * this.o.backoffFactor ** Math.max(0, attempts - 1));
    // Jitter spreads a burst of failures (a provider outage) so they do not all return at once.
    return Math.round(raw * (0.75 + 0.5 * this.random()));
  }

  private dueRows(): Promise<{ id: string }[]> {
    const now = this.iso();
    return this.db
      .selectFrom('sms_outbox')
      .select('id')
      .where('status', '=', 'queued')
      .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
      .orderBy('created_at')
      .orderBy('id')
      .limit(this.o.batchSize)
      .execute();
  }

  private async recoverStale(): Promise<number> {
    const cutoff = this.iso(this.timing.now() - this.o.staleSendingMs);
    const stale = await this.db
      .selectFrom('sms_outbox')
      .select(['id', 'attempts', 'updated_at'])
      .where('status', '=', 'sending')
      .where((eb) => eb.or([eb('updated_at', 'is', null), eb('updated_at', '<', cutoff)]))
      .execute();
    for (const row of stale) {
      log.warn({ smsId: row.id }, 'SMS left in `sending` (process stopped mid-call): counted as a failed attempt');
      await this.settleFailure(row.id, Number(row.attempts), 'sending', {
        kind: 'retry',
        error: 'Отправка прервалась (сервер остановился во время обращения к провайдеру): повторим отправку.',
      });
    }
    return stale.length;
  }

  private async sendOne(id: string): Promise<'sent' | 'retried' | 'failed' | null> {
    await this.limiter.acquire();
    const now = this.iso();
    const claimed = await this.db
      .updateTable('sms_outbox')
      .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .returning(['phone', 'body', 'attempts'])
      .executeTakeFirst();
    // Another process took it, or a resend changed it, between the select and here.
    if (!claimed) return null;
    const attempts = Number(claimed.attempts);
    let outcome;
    try {
      outcome = await this.provider.send(claimed.phone, claimed.body);
    } catch (err) {
      // Adapters return outcomes; a throw is a bug in one, still counted as a retryable attempt.
      log.error({ err, smsId: id }, 'SMS provider threw');
      outcome = { kind: 'retry' as const, error: 'Внутренняя ошибка при отправке SMS: повторим отправку.' };
    }
    if (outcome.kind === 'sent') {
      const at = this.iso();
      await this.db
        .updateTable('sms_outbox')
        .set({
          status: 'sent',
          provider_message_id: outcome.providerMessageId,
          sent_at: at,
          error: null,
          body: maskSecrets(claimed.body),
          next_attempt_at: this.iso(this.timing.now() + this.o.statusPollMs),
          updated_at: at,
        })
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .execute();
      log.info({ smsId: id, attempts }, 'SMS handed to the provider');
      return 'sent';
    }
    return (await this.settleFailure(id, attempts, 'sending', outcome)) ? 'failed' : 'retried';
  }

  /** Back to `queued` with a backoff, or `failed`; true when it failed for good. */
  private async settleFailure(id: string, attempts: number, from: string, outcome: { kind: 'retry' | 'failed'; error: string }): Promise<boolean> {
    const giveUp = outcome.kind === 'failed' || attempts >= this.o.maxAttempts;
    const now = this.timing.now();
    const error =
      outcome.kind === 'retry' && giveUp ? `${outcome.error.replace(/:? ?повторим отправку\.?$/u, '.')} Попыток: ${attempts}, отправка остановлена.` : outcome.error;
    await this.db
      .updateTable('sms_outbox')
      .set({
        status: giveUp ? 'failed' : 'queued',
        error,
        next_attempt_at: giveUp ? null : this.iso(now + this.backoffMs(attempts)),
        updated_at: this.iso(now),
      })
      .where('id', '=', id)
      .where('status', '=', from)
      .execute();
    if (giveUp) log.warn({ smsId: id, attempts, permanent: outcome.kind === 'failed' }, 'SMS failed');
    else log.info({ smsId: id, attempts }, 'SMS send will be retried');
    return giveUp;
  }

  private async pollReports(): Promise<number> {
    const nowMs = this.timing.now();
    const rows = await this.db
      .selectFrom('sms_outbox')
      .select(['id', 'provider_message_id', 'sent_at'])
      .where('status', '=', 'sent')
      .where('next_attempt_at', 'is not', null)
      .where('next_attempt_at', '<=', this.iso(nowMs))
      .orderBy('next_attempt_at')
      .limit(100)
      .execute();
    if (rows.length === 0) return 0;
    let reports;
    try {
      reports = await this.provider.status(rows.flatMap((r) => (r.provider_message_id ? [r.provider_message_id] : [])));
    } catch (err) {
      log.warn({ errName: err instanceof Error ? err.name : typeof err, rows: rows.length }, 'delivery reports unavailable; will ask again');
      reports = new Map();
    }
    let final = 0;
    const at = this.iso(nowMs);
    for (const row of rows) {
      const report = row.provider_message_id ? reports.get(row.provider_message_id) : undefined;
      if (report && report.state !== 'pending') {
        // delivered_at: when the final report arrived (for `undelivered` too: the report's time).
        await this.db
          .updateTable('sms_outbox')
          .set({
            status: report.state,
            delivered_at: at,
            error: report.state === 'undelivered' ? report.error : null,
            next_attempt_at: null,
            updated_at: at,
          })
          .where('id', '=', row.id)
          .where('status', '=', 'sent')
          .execute();
        final += 1;
        continue;
      }
      const sentAt = row.sent_at ? Date.parse(row.sent_at) : nowMs;
      const giveUp = nowMs - sentAt >= this.o.statusGiveUpMs;
      await this.db
        .updateTable('sms_outbox')
        .set({ next_attempt_at: giveUp ? null : this.iso(nowMs + this.o.statusPollMs), updated_at: at })
        .where('id', '=', row.id)
        .where('status', '=', 'sent')
        .execute();
    }
    return final;
  }
}
