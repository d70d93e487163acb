import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { RpcClient } from '../../shared/rpc/client.js';
import { RpcError } from '../../shared/rpc/messages.js';
import type { RpcEvent, RpcEventPayload } from '../../shared/rpc/contract.js';
import { buildCentralApi, type CentralApi } from '../../server/http/app.js';
import { createTestDatabase, testConfig, type TestDatabase, type TestServer } from '../../server/test/harness.js';
import { buildWorld, type World } from '../../server/test/world.js';
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

/** A desktop a test has opened: closed, and its data directory removed, after the test. */
export interface OpenDesktop {
  desktop: Desktop;
  cleanup(): void;
}

/**
 * The frame most desktop test files share: one central API for the file with the test world
 * built in it (`ready` gets both, and seeds what the file needs besides), the desktops a test
 * opens closed after it, and with `restartAfterEach` the central API started again if a test
 * stopped it. Answers the list that tests push the desktops they open onto.
 */
export function desktopTestFrame(opts: { restartAfterEach: boolean }, ready: (central: Central, world: World) => void | Promise<void>): OpenDesktop[] {
  let central: Central | null = null;
  const open: OpenDesktop[] = [];
  beforeAll(async () => {
    central = await Central.start();
    await ready(central, await buildWorld(central.server));
  });
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.desktop.close();
      o.cleanup();
    }
    if (opts.restartAfterEach) await central?.restart();
  });
  afterAll(async () => central?.destroy());
  return open;
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

/** The error an RPC call was refused with (and that it was refused: a success fails the test). */
export async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RpcError);
  return e as RpcError;
}
