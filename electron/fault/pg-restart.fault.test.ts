import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Patient } from '../../shared/domain/patients.js';
import { createUser } from '../../server/auth/accounts.js';
import { loginAs, TEST_DB } from '../../server/test/harness.js';
import { ApiClient } from '../services/api/http-client.js';
import { EventBus } from '../services/rpc/events.js';
import { LocalStore } from '../services/store/local-store.js';
import { testStoreKey } from '../services/store/test-fixtures.js';
import { SyncEngine } from '../services/sync/engine.js';
import { Central } from '../test/helpers.js';

/**
 * PostgreSQL restarted while desktops sync (#9 fault tests). Runs alone (`npm test -- fault`),
 * after the server suites, because restarting the shared PostgreSQL would break any other test
 * running at the same time. Three desktops keep writing; PostgreSQL goes down and comes back;
 * the central API stays up, the desktops retry, and once all is quiet every write is on the
 * server exactly once and every desktop agrees with it.
 */
const PASSWORD = 'Пароль-для-проверки-1';
let central: Central;
let token = '';
let physicianId = '';

function pgctl(action: 'restart' | 'stop' | 'start'): void {
  const version = fs.readdirSync('/etc/postgresql')[0];
  if (!version) throw new Error('no PostgreSQL cluster under /etc/postgresql: this test needs the local PostgreSQL it restarts');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'ignore' });
}

beforeAll(async () => {
  if (TEST_DB !== 'postgres') throw new Error('run with OBLAKO_TEST_DB=postgres (npm test -- fault does)');
  central = await Central.start();
  const u = await createUser(central.server.api.ctx.db.kysely, { login: 'pg-fault-phys', password: PASSWORD, role: 'physician', fullName: 'Отказов П. П.' }, null);
  physicianId = u.id;
  token = await loginAs(central.url, 'pg-fault-phys', PASSWORD);
});
afterAll(async () => central?.destroy());

it('desktops writing through a PostgreSQL restart lose nothing and double nothing', async () => {
  const desktops = Array.from({ length: 3 }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-pgfault-'));
    const store = LocalStore.open(path.join(dir, 'store.sqlite'), testStoreKey());
    const api = new ApiClient({ baseUrl: central.url, timeoutMs: 5_000, token: () => token });
    // Short retries: the outage is seconds long.
    const engine = new SyncEngine({ store, api, bus: new EventBus(), token: () => token, onUnauthenticated: () => undefined, pokes: false, retryBaseMs: 100, retryMaxMs: 1_000 });
    engine.start();
    return { dir, store, engine, made: [] as string[] };
  });
  const write = (d: (typeof desktops)[number], n: number) => {
    const id = crypto.randomUUID();
    const now = new Date().toISOString();
    const args = { id, lastName: 'Сбоева', firstName: `Анна${n}`.replace(/\d/g, 'а'), middleName: null, sex: 'female' as const, birthDate: '1980-01-01', snils: null, enp: null, phone: null, region: null, referringOrganization: null, attendingPhysician: null };
    const data: Patient = { ...args, referredBy: physicianId, stage: 'imported', batchId: null, batchRow: null, createdAt: now, updatedAt: now };
    d.engine.mutate({ name: 'patient.create', args, summary: 'создание', entity: 'patient', entityId: id, optimistic: { entity: 'patient', data } });
    d.made.push(id);
  };
  try {
    for (let i = 0; i < 10; i++) for (const d of desktops) write(d, i);
    pgctl('stop');
    try {
      // Writes while the database is down: local first, queued.
      for (let i = 10; i < 20; i++) for (const d of desktops) write(d, i);
      for (const d of desktops) await d.engine.syncNow();
      expect(desktops.some((d) => d.store.pendingCount() > 0)).toBe(true);
    } finally {
      pgctl('start');
    }
    for (let i = 20; i < 30; i++) for (const d of desktops) write(d, i);
    // Quiet again: each desktop syncs until nothing is pending.
    for (const d of desktops) {
      for (let round = 0; round < 20 && d.store.pendingCount() > 0; round++) await d.engine.syncNow();
      expect(d.store.pendingCount(), 'pending after recovery').toBe(0);
      expect(d.store.rejections()).toEqual([]);
    }
    const health = await fetch(`${central.url}/api/health`);
    expect(health.status).toBe(200);
    const db = central.server.api.ctx.db.kysely;
    const made = desktops.flatMap((d) => d.made);
    const onServer = await db.selectFrom('patients').select('id').where('referred_by', '=', physicianId).execute();
    expect(onServer.map((r) => r.id).sort()).toEqual([...made].sort());
    for (const d of desktops) await d.engine.syncNow();
    for (const d of desktops) for (const id of made) expect(d.store.getPatient(id), `desktop sees ${id}`).not.toBeNull();
  } finally {
    for (const d of desktops) {
      await d.engine.stop();
      d.store.close();
      fs.rmSync(d.dir, { recursive: true, force: true });
    }
  }
}, 120_000);
