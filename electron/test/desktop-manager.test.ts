import { describe, expect, it } from 'vitest';
import type { PipelineFilter } from '../../shared/domain/pipeline.js';
import type { RpcError } from '../../shared/rpc/messages.js';
import { call } from '../../server/test/harness.js';
import { batchInput, PASSWORD, referral, referralBatch, type World } from '../../server/test/world.js';
import { MANAGER_OFFLINE_MESSAGE } from '../services/manager-handlers.js';
import { desktopTestFrame, type Central, startDesktop, tempDataDir, waitFor, type Desktop } from './helpers.js';

/** The manager's pipeline dashboard and SMS outbox through the desktop services, against a real central API. */
let central: Central;
let world: World;

const open = desktopTestFrame({ restartAfterEach: true }, async (c, w) => {
  central = c;
  world = w;
  // A third patient at Bakulev, so a centre has more than one.
  await referral(central.server, world.physicianB.actor, 'bakulev');
  // Two more by the manager's bulk import: patient accounts and credentials SMS in the outbox.
  const batch = await referralBatch(central.server, world.physicianA.actor, batchInput(2));
  const started = await call(central.url, 'POST', `/api/referral-batches/${batch.id}/commit`, { token: world.manager.token });
  expect(started.status).toBe(200);
  await waitFor(async () => {
    const res = await call<{ running: boolean; status: string; error: string | null }>(central.url, 'GET', `/api/referral-batches/${batch.id}/import`, { token: world.manager.token });
    if (res.body.error) throw new Error(res.body.error);
    return !res.body.running && res.body.status === 'imported';
  }, 'the batch import');
});

async function signedIn(login: string): Promise<Desktop> {
  const dir = tempDataDir();
  const desktop = await startDesktop(dir.dir);
  open.push({ desktop, cleanup: dir.cleanup });
  await desktop.rpc.call('session.signIn', { serverUrl: central.url, login, password: PASSWORD });
  await waitFor(async () => {
    const s = await desktop.rpc.call('sync.status');
    return s.state === 'online' && s.lastSyncedAt !== null;
  }, `${login} to sync`);
  return desktop;
}

async function failure(p: Promise<unknown>): Promise<RpcError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as RpcError,
  );
}

describe('the manager’s pipeline dashboard on the desktop', () => {
  it('every number of the summary is the total of the list behind it', async () => {
    const manager = await signedIn('manager');
    const summary = await manager.rpc.call('pipeline.summary');
    expect(summary.totalPatients).toBe(5);
    expect(summary.totalRequests).toBe(5);
    expect(summary.byCentre.find((c) => c.centre === 'bakulev')?.count).toBeGreaterThanOrEqual(2);
    expect(summary.byCentre.find((c) => c.centre === 'kulakov')?.count).toBeGreaterThanOrEqual(1);
    expect(summary.byStage.reduce((a, s) => a + s.count, 0)).toBe(5);
    expect(summary.trend.reduce((a, d) => a + d.count, 0)).toBe(5);

    const filters: [PipelineFilter, number][] = [
      ...summary.byStage.map((s): [PipelineFilter, number] => [{ stage: s.stage }, s.count]),
      ...summary.byRegion.map((r): [PipelineFilter, number] => [{ region: r.region }, r.count]),
      ...summary.byCentre.map((c): [PipelineFilter, number] => [{ centre: c.centre }, c.count]),
      ...summary.byOrganization.map((o): [PipelineFilter, number] => [{ organization: o.organization }, o.count]),
      ...summary.trend.filter((d) => d.count > 0).map((d): [PipelineFilter, number] => [{ day: d.day }, d.count]),
      [{ overdue: true }, summary.overdue],
      [{}, summary.totalPatients],
    ];
    for (const [filter, count] of filters) {
      const list = await manager.rpc.call('pipeline.list', { ...filter, limit: 500 });
      expect({ filter, total: list.total }).toEqual({ filter, total: count });
      expect(list.items).toHaveLength(count);
    }

    const bakulev = await manager.rpc.call('pipeline.list', { centre: 'bakulev' });
    expect(bakulev.items.map((r) => r.patientId)).toContain(world.pA.patientId);
    expect(bakulev.items.every((r) => r.centre === 'bakulev')).toBe(true);
    // Paging: the total stays, the page is cut.
    const all = await manager.rpc.call('pipeline.list', {});
    const page = await manager.rpc.call('pipeline.list', { limit: 2, offset: 2 });
    expect(page.total).toBe(5);
    expect(page.items.map((r) => r.patientId)).toEqual(all.items.slice(2, 4).map((r) => r.patientId));
  });

  it('lists the SMS outbox, filtered by status, and resends credentials', async () => {
    const manager = await signedIn('manager');
    const all = await manager.rpc.call('sms.list', {});
    expect(all.total).toBe(2);
    expect(all.items).toHaveLength(2);
    expect(all.items.every((m) => m.kind === 'credentials' && m.masked)).toBe(true);
    for (const item of all.items) {
      const byStatus = await manager.rpc.call('sms.list', { status: item.status });
      expect(byStatus.items.every((m) => m.status === item.status)).toBe(true);
      expect(byStatus.items.map((m) => m.id)).toContain(item.id);
    }
    const firstPage = await manager.rpc.call('sms.list', { limit: 1 });
    expect(firstPage).toMatchObject({ total: 2, items: [{ id: all.items[0]?.id }] });

    // Queued (no provider in the test server): a resend is refused while it is on its way.
    const target = all.items[0];
    if (!target) throw new Error('no SMS');
    expect((await failure(manager.rpc.call('sms.resend', { id: target.id }))).code).toBe('INVALID_STATE');
    // Given up by the dispatcher: the manager resends, with a new one-time password.
    await central.server.api.ctx.db.kysely.updateTable('sms_outbox').set({ status: 'failed', error: 'Сбой провайдера.' }).where('id', '=', target.id).execute();
    expect((await manager.rpc.call('sms.list', { status: 'failed' })).items.map((m) => m.id)).toEqual([target.id]);
    const resent = await manager.rpc.call('sms.resend', { id: target.id });
    expect(resent.status).toBe('queued');
    expect(resent.patientId).toBe(target.patientId);
    expect((await manager.rpc.call('sms.list', { status: 'failed' })).total).toBe(0);
  });

  it('is online only: offline the calls fail with SERVER_UNREACHABLE and a message that says so', async () => {
    const manager = await signedIn('manager');
    await central.stop();
    for (const call of [
      manager.rpc.call('pipeline.summary'),
      manager.rpc.call('pipeline.list', { overdue: true }),
      manager.rpc.call('sms.list', {}),
      manager.rpc.call('sms.resend', { id: '00000000-0000-4000-8000-000000000000' }),
    ]) {
      const err = await failure(call);
      expect(err.code).toBe('SERVER_UNREACHABLE');
      expect(err.message).toBe(MANAGER_OFFLINE_MESSAGE);
    }
    await central.restart();
    expect((await manager.rpc.call('pipeline.summary')).totalPatients).toBe(5);
  });

  it('is the manager’s alone', async () => {
    const physician = await signedIn('phys-a');
    expect((await failure(physician.rpc.call('pipeline.summary'))).code).toBe('FORBIDDEN');
    expect((await failure(physician.rpc.call('sms.list', {}))).code).toBe('FORBIDDEN');
  });
});
