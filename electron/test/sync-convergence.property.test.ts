import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Patient } from '../../shared/domain/patients.js';
import { loginAs } from '../../server/test/harness.js';
import { createUser } from '../../server/auth/accounts.js';
import { ApiClient, RequestTimeoutError } from '../services/api/http-client.js';
import { ServiceError } from '../services/errors.js';
import { EventBus } from '../services/rpc/events.js';
import { LocalStore } from '../services/store/local-store.js';
import { testStoreKey } from '../services/store/test-fixtures.js';
import { SyncEngine } from '../services/sync/engine.js';
import { Central } from './helpers.js';

/**
 * Sync convergence, property-based (#9): a physician's desktop makes random writes while the link
 * misbehaves at random — requests lost before reaching the server, answers lost after the server
 * applied them (timeouts), requests delivered twice, stale pull answers — and the desktop itself
 * crashes and restarts from its store file. Once the link is healthy again and a sync settles:
 * every write the desktop made is on the server exactly once with its latest value, the desktop
 * shows exactly the server's rows, and nothing was refused.
 */
let central: Central;
let token = '';
let physicianId = '';
const PASSWORD = 'Пароль-для-проверки-1';

beforeAll(async () => {
  central = await Central.start();
  const u = await createUser(central.server.api.ctx.db.kysely, { login: 'prop-phys', password: PASSWORD, role: 'physician', fullName: 'Свойствов П. П.' }, null);
  physicianId = u.id;
  token = await loginAs(central.url, 'prop-phys', PASSWORD);
});
afterAll(async () => central?.destroy());

type Fault = 'none' | 'lostRequest' | 'lostAnswer' | 'twice' | 'stalePull';
type Op = { kind: 'create' } | { kind: 'update'; which: number; name: string } | { kind: 'sync'; fault: Fault } | { kind: 'crash' };

const NAMES = ['Антонова', 'Борисова', 'Власова', 'Громова', 'Дёмина', 'Ершова'];
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'create' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('update' as const), which: fc.nat(20), name: fc.constantFrom(...NAMES) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), fault: fc.constantFrom<Fault>('none', 'lostRequest', 'lostAnswer', 'twice', 'stalePull') }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

/** The real client to the real server, with the next request's fault chosen by the test. */
class FaultyApi {
  fault: Fault = 'none';
  private lastPull: unknown = null;
  constructor(private readonly real: ApiClient) {}
  get baseUrl(): string {
    return this.real.baseUrl;
  }
  async call(name: string, body?: unknown, opts?: unknown): Promise<unknown> {
    const fault = this.fault;
    const send = () => (this.real.call as (n: string, b?: unknown, o?: unknown) => Promise<unknown>)(name, body, opts);
    if (name !== 'syncPush' && name !== 'syncPull') return send();
    switch (fault) {
      case 'lostRequest':
        throw new ServiceError('SERVER_UNREACHABLE', 'link down (test)');
      case 'lostAnswer':
        await send();
        throw new RequestTimeoutError();
      case 'twice':
        await send();
        return send();
      case 'stalePull':
        if (name === 'syncPull' && this.lastPull) return this.lastPull;
        return send();
      default: {
        const answer = await send();
        if (name === 'syncPull') this.lastPull = answer;
        return answer;
      }
    }
  }
}

function patientArgs(id: string, n: number) {
  return {
    id,
    lastName: NAMES[n % NAMES.length]!,
    firstName: 'Анна',
    middleName: null,
    sex: 'female' as const,
    birthDate: '1980-01-01',
    snils: null,
    enp: null,
    phone: null,
    region: null,
    referringOrganization: null,
    attendingPhysician: null,
  };
}

it('converges after any interleaving of writes, lost and repeated messages, stale pulls and crashes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 25 }), async (ops) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-prop-'));
      const file = path.join(dir, 'store.sqlite');
      const api = new FaultyApi(new ApiClient({ baseUrl: central.url, timeoutMs: 10_000, token: () => token }));
      const open = () => {
        const store = LocalStore.open(file, testStoreKey());
        // No pokes and long retry delays: besides the push a write triggers, syncs happen when the test says.
        const engine = new SyncEngine({ store, api: api as unknown as ApiClient, bus: new EventBus(), token: () => token, onUnauthenticated: () => undefined, pokes: false, retryBaseMs: 60_000, retryMaxMs: 60_000 });
        engine.start();
        return { store, engine };
      };
      let { store, engine } = open();
      const mine: string[] = [];
      const latest = new Map<string, string>();
      try {
        for (const o of ops) {
          if (o.kind === 'create') {
            const id = crypto.randomUUID();
            const args = patientArgs(id, mine.length);
            const now = new Date().toISOString();
            const data: Patient = { ...args, referredBy: physicianId, stage: 'imported', batchId: null, batchRow: null, createdAt: now, updatedAt: now };
            engine.mutate({ name: 'patient.create', args, summary: 'создание', entity: 'patient', entityId: id, optimistic: { entity: 'patient', data } });
            mine.push(id);
            latest.set(id, args.lastName);
          } else if (o.kind === 'update' && mine.length > 0) {
            const id = mine[o.which % mine.length]!;
            const current = store.getPatient(id);
            if (!current) continue;
            engine.mutate({ name: 'patient.update', args: { id, patch: { lastName: o.name } }, summary: 'правка', entity: 'patient', entityId: id, optimistic: { entity: 'patient', data: { ...current, lastName: o.name } } });
            latest.set(id, o.name);
          } else if (o.kind === 'sync') {
            api.fault = o.fault;
            await engine.syncNow();
            api.fault = 'none';
          } else if (o.kind === 'crash') {
            // Killed: no goodbye to the engine, the store file is all that survives.
            void engine.stop();
            store.close();
            ({ store, engine } = open());
          }
        }
        // The link heals: sync until nothing is pending (a bounded number of rounds).
        api.fault = 'none';
        for (let round = 0; round < 10 && (store.pendingCount() > 0 || round < 2); round++) await engine.syncNow();
        expect(store.pendingCount()).toBe(0);
        expect(store.rejections()).toEqual([]);

        const db = central.server.api.ctx.db.kysely;
        for (const id of mine) {
          const rows = await db.selectFrom('patients').select(['id', 'last_name']).where('id', '=', id).execute();
          expect(rows, `patient ${id} on the server`).toHaveLength(1);
          expect(rows[0]?.last_name).toBe(latest.get(id));
          expect(store.getPatient(id)?.lastName).toBe(latest.get(id));
        }
      } finally {
        await engine.stop();
        store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 25 },
  );
}, 180_000);
