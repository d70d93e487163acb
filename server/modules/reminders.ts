import { REMINDER_HOURS_BEFORE } from '../../shared/domain/consultations.js';
import { writeTransaction, type AppContext } from '../context.js';
import { createLogger } from '../logger.js';
import { notifyScheduling } from './notifications.js';

const log = createLogger('reminders');

export interface ReminderJobOptions {
  /** How often to look for consultations to remind about (default: OBLAKO_REMINDER_INTERVAL_MS, else 5 minutes). */
  intervalMs?: number | undefined;
  /** How long before the start the reminder goes out. */
  hoursBefore?: number | undefined;
  /** The clock (tests move it). */
  now?: (() => number) | undefined;
  /** Consultations reminded per pass (the rest go in the next one). */
  batchSize?: number | undefined;
}

/**
 * Reminds the patient (portal + SMS) of each scheduled consultation once, when it is less than
 * `hoursBefore` hours away. Each consultation is claimed and notified in one transaction that
 * sets `reminder_sent_at` only where it is still null, so two server processes on one database,
 * or a pass that overlaps a slow one, never remind twice. A consultation booked closer to its
 * start than `hoursBefore` is reminded too: the booking SMS and the reminder say different things.
 */
export class ReminderJob {
  private readonly intervalMs: number;
  private readonly hoursBefore: number;
  private readonly now: () => number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly ctx: AppContext,
    opts: ReminderJobOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? (Number(process.env.OBLAKO_REMINDER_INTERVAL_MS) || 5 * 60_000);
    this.hoursBefore = opts.hoursBefore ?? REMINDER_HOURS_BEFORE;
    this.now = opts.now ?? Date.now;
    this.batchSize = opts.batchSize ?? 100;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      void this.runOnce().catch((err: unknown) => log.error({ err }, 'reminder pass failed'));
    };
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    tick();
  }

  /** Stops the timer and waits for a pass in progress (before the database closes). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass; resolves to how many reminders went out. A pass already running is joined, not doubled. */
  runOnce(): Promise<number> {
    if (!this.running) {
      this.running = this.pass().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async pass(): Promise<number> {
    const nowMs = this.now();
    const nowIso = new Date(nowMs).toISOString();
    const horizon = new Date(nowMs + this.hoursBefore * 3_600_000).toISOString();
    let sent = 0;
    for (;;) {
      const due = await this.ctx.db.kysely
        .selectFrom('consultations as c')
        .innerJoin('consultation_requests as r', 'r.id', 'c.request_id')
        .select(['c.id', 'c.request_id', 'c.doctor_id', 'c.starts_at', 'r.patient_id'])
        .where('c.status', '=', 'scheduled')
        .where('c.reminder_sent_at', 'is', null)
        .where('c.starts_at', '>', nowIso)
        .where('c.starts_at', '<=', horizon)
        .orderBy('c.starts_at')
        .limit(this.batchSize)
        .execute();
      let claimedInPass = 0;
      for (const c of due) {
        const claimed = await writeTransaction(this.ctx, async (w) => {
          const res = await w.tx
            .updateTable('consultations')
            .set({ reminder_sent_at: nowIso })
            .where('id', '=', c.id)
            .where('status', '=', 'scheduled')
            .where('reminder_sent_at', 'is', null)
            .executeTakeFirst();
          if (Number(res.numUpdatedRows) === 0) return false;
          await notifyScheduling(w, { kind: 'consultation.reminder' }, { consultationId: c.id, requestId: c.request_id, patientId: c.patient_id, startsAt: c.starts_at, doctorId: c.doctor_id });
          return true;
        });
        if (claimed) claimedInPass += 1;
      }
      sent += claimedInPass;
      if (due.length < this.batchSize || claimedInPass === 0) break;
    }
    if (sent > 0) log.info({ sent }, 'consultation reminders sent');
    return sent;
  }
}
