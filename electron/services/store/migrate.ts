import type { Database } from 'better-sqlite3-multiple-ciphers';
import { ServiceError } from '../errors.js';
import { createLogger } from '../logger.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/types.js';

const log = createLogger('store.migrate');

export const STORE_TOO_NEW_MESSAGE =
  'Локальные данные созданы более новой версией приложения. Обновите приложение до последней версии, чтобы продолжить работу.';

/**
 * Brings the database to the latest schema: each pending migration and its `user_version` bump
 * commit together, so a crash leaves the database at a known version. A database from a newer
 * app is refused rather than guessed at.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = Number(db.pragma('user_version', { simple: true }));
  const latest = migrations.length;
  if (current > latest) {
    log.error({ current, latest }, 'local store is newer than this app');
    throw new ServiceError('STORE_TOO_NEW', STORE_TOO_NEW_MESSAGE);
  }
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    log.info({ version: m.version, name: m.name }, 'local store migrated');
  }
  return latest;
}
