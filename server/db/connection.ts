import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { ServerConfig, DatabaseKind } from '../config.js';
import type { Database } from './schema.js';
import { createLogger } from '../logger.js';

const log = createLogger('db');

// int8 (bigint) as a JS number: change numbers and counts stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export interface Db {
  kysely: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

export function openDatabase(database: ServerConfig['database']): Db {
  if (database.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: database.url, max: 10 });
    // An idle client dropped by the server (restart, pg_terminate_backend) is an 'error' event on
    // the pool; unhandled, it would crash the process. The pool replaces the client on next use.
    pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL connection lost'));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, kind: 'postgres', close: () => kysely.destroy() };
  }
  fs.mkdirSync(path.dirname(database.file), { recursive: true });
  const sqlite = new SqliteDatabase(database.file);
  // WAL for concurrent readers; synchronous=FULL so an acknowledged commit survives power loss
  // (and kill -9); busy_timeout so the admin CLI and the server can share the file.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (default 2 MiB): a bulk import writes change-log rows onto random index
  // pages, and at 100,000 rows the small cache spent ~10 s of CPU re-reading them (bench/bulk-import).
  sqlite.pragma('cache_size = -65536');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kysely, kind: 'sqlite', close: () => kysely.destroy() };
}
