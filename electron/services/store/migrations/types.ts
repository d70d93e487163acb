import type { Database } from 'better-sqlite3-multiple-ciphers';

/** One numbered step of the local schema; `up` runs inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}
