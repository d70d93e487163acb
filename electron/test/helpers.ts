import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RpcClient } from '../../shared/rpc/client.js';
import type { RpcEvent, RpcEventPayload } from '../../shared/rpc/contract.js';
import { buildCentralApi, type CentralApi } from '../../server/http/app.js';
import { createTestDatabase, testConfig, type TestDatabase, type TestServer } from '../../server/test/harness.js';
import { createDesktopServices, type DesktopServices } from '../services/app.js';
import { createMemoryTransport } from '../services/rpc/memory-transport.js';
import { FileSecretStore } from '../services/secrets.js';
import type { Clock } from '../services/session-lock.js';
export { ManualClock } from '../services/test-clock.js';
import { openEncryptedDatabase } from '../services/store/cipher.js';
import { storeKeyName } from '../services/store/store-key.js';

/**
 * Desktop integration helpers: a real central API that can be stopped and started again on the
 * same database and port (the desktop's data directory is keyed by the server URL), and the
 * desktop services driven through the in-memory RPC transport exactly as the renderer would.
 */
export class Central {
  private constructor(
    readonly db: TestDatabase,
    public api: CentralApi | null,
    readonly port: number,
  ) {}

  static async start(): Promise<Central> {
    const db = await createTestDatabase();
    const api = await buildCentralApi(testConfig(db));
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const address = api.app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    return new Central(db, api, address.port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The shape server/test/world.ts expects. */
  get server(): TestServer {
    if (!this.api) throw new Error('central API is stopped');
    return { api: this.api, url: this.url, db: this.db, close: () => this.destroy() };
  }

  async stop(): Promise<void> {
    const api = this.api;
    this.api = null;
    if (api) await api.close();
  }

  async restart(): Promise<void> {
    if (this.api) return;
    const api = await buildCentralApi(testConfig(this.db));
    await api.app.listen({ port: this.port, host: '127.0.0.1' });
    this.api = api;
  }

  async destroy(): Promise<void> {
    await this.stop();
    await this.db.drop();
  }
}

export interface Desktop {
  services: DesktopServices;
  rpc: RpcClient;
  events: { event: RpcEvent; payload: unknown }[];
  close(): Promise<void>;
}

export function tempDataDir(): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-desktop-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export async function startDesktop(dataDir: string, defaultServerUrl = 'https://oblako.example.ru', extra: { idleLockMs?: number; clock?: Clock } = {}): Promise<Desktop> {
  const services = await createDesktopServices({
    dataDir,
    secrets: secretsOf(dataDir),
    shell: 'browser',
    defaultServerUrl,
    version: '0.0.0-test',
    ...extra,
  });
  const events: Desktop['events'] = [];
  const unsubscribe = services.bus.subscribe((event, payload) => events.push({ event, payload }));
  const transport = createMemoryTransport(services.router, services.bus);
  const rpc = new RpcClient(transport);
  return {
    services,
    rpc,
    events,
    close: async () => {
      unsubscribe();
      transport.close();
      await services.close();
    },
  };
}

export function eventsOf<E extends RpcEvent>(d: Desktop, event: E): RpcEventPayload<E>[] {
  return d.events.filter((e) => e.event === event).map((e) => e.payload as RpcEventPayload<E>);
}

/** Polls until `check` returns a truthy value (or stops throwing); never a fixed sleep. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Online, nothing pending, synced at least once: the desktop has caught up with the server. */
export function syncSettled(d: Desktop) {
  return waitFor(async () => {
    const s = await d.rpc.call('sync.status');
    return s.state === 'online' && s.pending === 0 && s.lastSyncedAt !== null ? s : null;
  }, 'sync to settle');
}

/** The secret store a desktop started with `startDesktop` (or the browser-mode host) keeps in its data dir. */
export function secretsOf(dataDir: string): FileSecretStore {
  return new FileSecretStore(path.join(dataDir, 'secrets.json'));
}

/**
 * Another connection to a desktop's local store, for a test to look inside: the store is
 * encrypted, so it is opened with the key from that desktop's secret store.
 */
export function openStoreDb(dataDir: string, file: string, userId: string, opts: { readonly?: boolean; copy?: string } = {}) {
  const saved = secretsOf(dataDir).get(storeKeyName(file, userId));
  if (!saved) throw new Error(`no store key for ${file}`);
  const key = Buffer.from(saved, 'base64');
  try {
    // `copy`: a copy of the store's files elsewhere, opened with the original's key.
    return openEncryptedDatabase(opts.copy ?? file, key, { readonly: opts.readonly });
  } finally {
    key.fill(0);
  }
}
