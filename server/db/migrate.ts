import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { DatabaseKind } from '../config.js';
import { createLogger } from '../logger.js';
import type { Db } from './connection.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_referrals.js';
import * as m0003 from './migrations/0003_documents.js';
import * as m0004 from './migrations/0004_batch_import.js';
import * as m0005 from './migrations/0005_intake_and_sms.js';
import * as m0006 from './migrations/0006_scale_indexes.js';
import * as m0007 from './migrations/0007_consultations_conclusions.js';
import * as m0008 from './migrations/0008_portal.js';
import * as m0009 from './migrations/0009_chat_sync.js';

const log = createLogger('db.migrate');

/** Numbered migrations, applied in name order, each in its own transaction. */
const MIGRATIONS: Record<string, { up: (db: Parameters<typeof m0001.up>[0], kind: DatabaseKind) => Promise<void> }> = {
  '0001_initial': m0001,
  '0002_referrals': m0002,
  '0003_documents': m0003,
  '0004_batch_import': m0004,
  '0005_intake_and_sms': m0005,
  '0006_scale_indexes': m0006,
  '0007_consultations_conclusions': m0007,
  '0008_portal': m0008,
  '0009_chat_sync': m0009,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly kind: DatabaseKind) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(MIGRATIONS)) {
      out[name] = { up: (db) => m.up(db, this.kind) };
    }
    return out;
  }
}

export class DatabaseTooNewError extends Error {}

/** Names recorded in Kysely's bookkeeping table, or none on a new database. */
async function appliedMigrationNames(db: Db): Promise<string[]> {
  const tables = await db.kysely.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === 'kysely_migration')) return [];
  const rows = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db.kysely);
  return rows.rows.map((r) => r.name);
}

/** Brings the schema up to date. Refuses a database migrated by a newer server. */
/**
 * Applies migrations up to and including `target` only: the migration tests build a database
 * as an older server left it, then check what the next migration does to its data.
 */
export async function migrateTo(db: Db, target: string): Promise<string[]> {
  if (!(target in MIGRATIONS)) throw new Error(`no migration named ${target}`);
  const migrator = new Migrator({ db: db.kysely, provider: new StaticProvider(db.kind) });
  const { error, results } = await migrator.migrateTo(target);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.kysely, provider: new StaticProvider(db.kind) });
  const known = new Set(Object.keys(MIGRATIONS));
  const unknown = (await appliedMigrationNames(db)).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new DatabaseTooNewError(
      `База данных создана более новой версией сервера (миграции ${unknown.join(', ')}). Обновите сервер.`,
    );
  }
  const { error, results } = await migrator.migrateToLatest();
  const done = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  for (const name of done) log.info({ migration: name }, 'migration applied');
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return done;
}
