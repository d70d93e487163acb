import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { credentialsText } from '../modules/batch-import.js';
import { SmsDispatcher, type DispatcherOptions } from '../sms/dispatcher.js';
import { maskSecrets, newSmsId, type SmsMessage } from '../sms/gateway.js';
import { HttpSmsGateway } from '../sms/http-gateway.js';
import { realTiming, type Timing } from '../sms/rate-limit.js';
import { SmsRuProvider } from '../sms/smsru.js';
import { startSmsRuStub, type SmsRuStub } from '../sms/smsru-stub.js';
import { startTestServer, type TestServer } from './harness.js';

/**
 * The SMS dispatcher against the local SMS.ru stub and a real test database: statuses, retries
 * with backoff, timeouts, permanent errors, the rate limit, recovery of an abandoned send and the
 * delivery reports. Most tests drive `step()` on a fake clock (its sleep advances the clock), so
 * backoff and rate waits cost nothing and the schedule is exact.
 */
let server: TestServer;
let stub: SmsRuStub;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());
beforeEach(async () => {
  await db().deleteFrom('sms_outbox').execute();
  stub = await startSmsRuStub({ apiId: 'test-api-id' });
});
afterEach(async () => stub?.close());

const db = () => server.api.ctx.db.kysely;

class FakeClock implements Timing {
  t = Date.parse('2026-11-22T10:00:00.000Z');
  now = () => this.t;
  sleep = async (ms: number) => {
    this.t += ms;
  };
  advance(ms: number) {
    this.t += ms;
  }
}

function provider(overrides: { apiId?: string; timeoutMs?: number } = {}) {
  return new SmsRuProvider({ url: stub.url, apiId: overrides.apiId ?? 'test-api-id', sender: 'Oblako', timeoutMs: overrides.timeoutMs ?? 2_000 });
}

function dispatcher(clock: Timing, opts: DispatcherOptions & { apiId?: string; timeoutMs?: number } = {}) {
  const { apiId, timeoutMs, ...rest } = opts;
  // random 0.5 → no jitter: the backoff is exactly 5 s, 15 s, 45 s …
  return new SmsDispatcher(db(), provider({ ...(apiId ? { apiId } : {}), ...(timeoutMs ? { timeoutMs } : {}) }), { timing: clock, random: () => 0.5, ...rest });
}

function message(phone = '+79161234567', secret = 'abcdefghjkmnpqrs'): SmsMessage {
  return { id: newSmsId(), phone, body: credentialsText('https://oblako.example/', 'p12345678', secret), kind: 'credentials', patientId: null };
}

async function queue(messages: SmsMessage[], gateway = new HttpSmsGateway({ wake: () => undefined })) {
  await db().transaction().execute((tx) => gateway.queue(tx, messages));
  await gateway.afterCommit(messages);
}

const row = (id: string) => db().selectFrom('sms_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SMS dispatcher with SMS.ru', () => {
  it('sends a queued message, masks the stored password, and records the delivery report', async () => {
    const clock = new FakeClock();
    const d = dispatcher(clock);
    const m = message();
    await queue([m]);
    expect(await row(m.id)).toMatchObject({ status: 'queued', attempts: 0, next_attempt_at: null });

    expect(await d.step()).toMatchObject({ sent: 1, retried: 0, failed: 0 });
    const sent = await row(m.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, error: null, delivered_at: null });
    expect(sent.provider_message_id).toMatch(/^000000-\d+$/);
    expect(sent.sent_at).toBe(new Date(clock.t).toISOString());
    // The provider got the plaintext; the database keeps only the masked text from now on.
    expect(sent.body).toBe(maskSecrets(m.body));
    expect(sent.body).not.toContain('abcdefghjkmnpqrs');
    const [req] = stub.sendRequests();
    expect(req).toMatchObject({ apiId: 'test-api-id', to: '79161234567', from: 'Oblako', msg: m.body });

    // Not delivered yet: the report is asked for after the poll interval, and stays `sent`.
    stub.setStatus(sent.provider_message_id ?? '', 102);
    clock.advance(60_000);
    expect(await d.step()).toMatchObject({ reports: 0 });
    expect((await row(m.id)).status).toBe('sent');

    stub.setStatus(sent.provider_message_id ?? '', 103);
    clock.advance(60_000);
    expect(await d.step()).toMatchObject({ reports: 1 });
    const delivered = await row(m.id);
    expect(delivered).toMatchObject({ status: 'delivered', error: null, next_attempt_at: null });
    expect(delivered.delivered_at).toBe(new Date(clock.t).toISOString());
  });

  it('records an undelivered report with a Russian reason', async () => {
    const clock = new FakeClock();
    const d = dispatcher(clock);
    const m = message();
    await queue([m]);
    await d.step();
    stub.setStatus((await row(m.id)).provider_message_id ?? '', 104);
    clock.advance(60_000);
    await d.step();
    const r = await row(m.id);
    expect(r.status).toBe('undelivered');
    expect(r.error).toMatch(/не доставлено: истёк срок жизни.*код 104/i);
    expect(r.delivered_at).not.toBeNull();
  });

  it('retries HTTP 5xx with exponential backoff, counting attempts', async () => {
    const clock = new FakeClock();
    const d = dispatcher(clock);
    const m = message();
    await queue([m]);
    stub.failNext(2, 'http500');

    expect(await d.step()).toMatchObject({ sent: 0, retried: 1 });
    let r = await row(m.id);
    expect(r).toMatchObject({ status: 'queued', attempts: 1 });
    expect(r.error).toContain('HTTP 500');
    expect(Date.parse(r.next_attempt_at ?? '')).toBe(clock.t + 5_000);

    // Not due yet: nothing is sent.
    clock.advance(4_000);
    expect(await d.step()).toMatchObject({ sent: 0, retried: 0 });
    expect(stub.sendRequests()).toHaveLength(1);

    clock.advance(1_000);
    expect(await d.step()).toMatchObject({ retried: 1 });
    r = await row(m.id);
    expect(r.attempts).toBe(2);
    expect(Date.parse(r.next_attempt_at ?? '')).toBe(clock.t + 15_000);

    clock.advance(15_000);
    expect(await d.step()).toMatchObject({ sent: 1 });
    r = await row(m.id);
    expect(r).toMatchObject({ status: 'sent', attempts: 3, error: null });
    expect(stub.sendRequests().map((q) => q.answered)).toEqual(['http500', 'http500', 'ok']);
  });

  it('backoff grows by the factor, is capped, and jitters within ±25 %', () => {
    const d = new SmsDispatcher(db(), provider(), { random: () => 0.5, backoffCapMs: 60_000 });
    expect([1, 2, 3, 4].map((a) => d.backoffMs(a))).toEqual([5_000, 15_000, 45_000, 60_000]);
    expect(new SmsDispatcher(db(), provider(), { random: () => 0 }).backoffMs(1)).toBe(3_750);
    expect(new SmsDispatcher(db(), provider(), { random: () => 0.999999 }).backoffMs(1)).toBe(6_250);
  });

  it('retries after a timeout, a 220 "temporarily unavailable" and an HTTP 429', async () => {
    const clock = new FakeClock();
    const d = dispatcher(clock, { timeoutMs: 300 });
    const m = message();
    await queue([m]);
    stub.failNext(1, 'hang');
    stub.failNext(1, 'code220');
    stub.failNext(1, 'http429');

    await d.step();
    expect((await row(m.id)).error).toMatch(/не ответил за 300 мс/);
    clock.advance(5_000);
    await d.step();
    expect((await row(m.id)).error).toMatch(/временно недоступен.*код 220/);
    clock.advance(15_000);
    await d.step();
    expect((await row(m.id)).error).toMatch(/HTTP 429/);
    clock.advance(45_000);
    await d.step();
    expect(await row(m.id)).toMatchObject({ status: 'sent', attempts: 4, error: null });
  });

  it('gives up after maxAttempts with the reason and the count', async () => {
    const clock = new FakeClock();
    const d = dispatcher(clock, { maxAttempts: 3 });
    const m = message();
    await queue([m]);
    stub.failNext(10, 'http500');
    for (let i = 0; i < 3; i++) {
      await d.step();
      clock.advance(60_000);
    }
    const r = await row(m.id);
    expect(r).toMatchObject({ status: 'failed', attempts: 3, next_attempt_at: null });
    expect(r.error).toMatch(/HTTP 500.*Попыток: 3, отправка остановлена/);
    await d.step();
    expect(stub.sendRequests()).toHaveLength(3);
  });

  it('fails at once on permanent errors: wrong api_id, bad number, number rejected by the provider', async () => {
    const clock = new FakeClock();
    const wrongKey = dispatcher(clock, { apiId: 'wrong' });
    const a = message();
    await queue([a]);
    expect(await wrongKey.step()).toMatchObject({ failed: 1 });
    expect(await row(a.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await row(a.id)).error).toMatch(/неверный api_id.*OBLAKO_SMS_API_ID.*код 200/i);

    const d = dispatcher(clock);
    const b = message('+7 123');
    stub.rejectNumber('79990000000', 202, 'Неправильно указан номер телефона получателя, либо на него нет маршрута');
    const c = message('+79990000000');
    await queue([b, c]);
    expect(await d.step()).toMatchObject({ failed: 2 });
    expect((await row(b.id)).error).toMatch(/не похож на российский/);
    expect((await row(c.id)).error).toMatch(/неверный номер телефона.*код 202/i);
    // The malformed number never reached the provider.
    expect(stub.sendRequests().map((q) => q.to)).toEqual(['79161234567', '79990000000']);
  });

  it('treats a stale `sending` row (process died mid-call) as a failed attempt and retries it', async () => {
    const clock = new FakeClock();
    const d = dispatcher(clock);
    const stale = message();
    const fresh = message('+79160000001');
    await queue([stale, fresh]);
    await db().updateTable('sms_outbox').set({ status: 'sending', attempts: 1, updated_at: new Date(clock.t - 3 * 60_000).toISOString() }).where('id', '=', stale.id).execute();
    // Another process is sending this one right now: it is left alone.
    await db().updateTable('sms_outbox').set({ status: 'sending', attempts: 1, updated_at: new Date(clock.t - 10_000).toISOString() }).where('id', '=', fresh.id).execute();

    expect(await d.step()).toMatchObject({ recovered: 1, sent: 0 });
    const r = await row(stale.id);
    expect(r).toMatchObject({ status: 'queued', attempts: 1 });
    expect(r.error).toMatch(/прервалась/);
    expect((await row(fresh.id)).status).toBe('sending');

    clock.advance(5_000);
    expect(await d.step()).toMatchObject({ sent: 1 });
    expect(await row(stale.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('never sends more than the rate per second (real clock, arrival times at the stub)', async () => {
    const rate = 5;
    const d = new SmsDispatcher(db(), provider(), { ratePerSecond: rate, timing: realTiming });
    const messages = Array.from({ length: 12 }, (_, i) => message(`+7916000${String(1000 + i)}`));
    await queue(messages);
    const started = Date.now();
    expect(await d.step()).toMatchObject({ sent: 12 });
    const at = stub.sendRequests().map((q) => q.at);
    expect(at).toHaveLength(12);
    // No window of one second holds more than `rate` arrivals: the (rate+1)-th after any arrival
    // comes at least a second later (less a little for network jitter).
    for (let i = 0; i + rate < at.length; i++) expect((at[i + rate] ?? 0) - (at[i] ?? 0)).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(((12 - 1) / rate) * 1000 - 50);
  });

  it('runs as a loop woken by the gateway after commit, and stops cleanly', async () => {
    // A long idle wait: only the wake can make it send promptly.
    const d = new SmsDispatcher(db(), provider(), { timing: realTiming, idleMs: 60_000 });
    const gateway = new HttpSmsGateway(d);
    d.start();
    try {
      const m = message();
      await queue([m], gateway);
      await waitFor('the message to be sent', async () => (await row(m.id)).status === 'sent');
    } finally {
      await d.stop();
    }
    // Stopped: a new message stays queued.
    const later = message();
    await queue([later], gateway);
    await new Promise((r) => setTimeout(r, 100));
    expect((await row(later.id)).status).toBe('queued');
  });
});
