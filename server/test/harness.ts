import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { ServerConfig } from '../config.js';
import { buildCentralApi, type CentralApi } from '../http/app.js';

/**
 * Test harness: each test file gets its own database (a temp SQLite file, or a fresh PostgreSQL
 * database) and its own server on an ephemeral port. OBLAKO_TEST_DB picks the engine; a
 * PostgreSQL run that cannot reach the server fails loudly instead of skipping.
 */
export const TEST_DB = process.env.OBLAKO_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
export const PG_ADMIN_URL = process.env.OBLAKO_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  database: ServerConfig['database'];
  dataDir: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-test-'));
  if (TEST_DB === 'sqlite') {
    return {
      database: { kind: 'sqlite', file: path.join(dataDir, 'oblako.sqlite') },
      dataDir,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `oblako_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_ADMIN_URL} (${err instanceof Error ? err.message : String(err)}). ` +
        'The PostgreSQL run of the server suite needs it: start PostgreSQL or set OBLAKO_TEST_PG_URL.',
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    database: { kind: 'postgres', url: url.toString() },
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function testConfig(db: TestDatabase, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir: db.dataDir,
    database: db.database,
    demo: false,
    production: false,
    sessionTtlHours: 12,
    bodyLimitBytes: 1_048_576,
    publicUrl: 'http://127.0.0.1:8780/',
    importChunkRows: 200,
    // The suites sign in from one address far more often than people do (rate-limit.test.ts uses 1).
    rateLimitFactor: 100,
    ...overrides,
  };
}

export interface TestServer {
  api: CentralApi;
  url: string;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const api = await buildCentralApi(testConfig(db, overrides));
  const url = await api.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    api,
    url,
    db,
    close: async () => {
      await api.close();
      await db.drop();
    },
  };
}

export interface CallResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny HTTP client: JSON in, JSON out, optional bearer token. */
export async function call<T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any
  base: string,
  method: string,
  route: string,
  opts: { token?: string | undefined; body?: unknown; rawBody?: string; bytes?: Uint8Array; headers?: Record<string, string> } = {},
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Uint8Array | undefined;
  if (opts.bytes !== undefined) {
    body = opts.bytes;
    headers['content-type'] ??= 'application/octet-stream';
  } else if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(base + route, { method, headers, body: body ?? null });
  const text = await res.text();
  // Document content is bytes, not JSON: handed back as text.
  const json = (res.headers.get('content-type') ?? 'application/json').includes('json');
  return { status: res.status, body: (text ? (json ? JSON.parse(text) : text) : null) as T, headers: res.headers };
}

export async function loginAs(base: string, login: string, password: string): Promise<string> {
  const res = await call<{ token: string }>(base, 'POST', '/api/auth/login', { body: { login, password } });
  if (res.status !== 200) throw new Error(`login ${login} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}
