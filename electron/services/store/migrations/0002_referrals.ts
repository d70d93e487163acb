import type { Migration } from './types.js';

/**
 * Referral tables: the physician's drafts (kept only here until sent), the column mappings the
 * user confirmed per header layout, and the synced referral batches. Patients gain the stage the
 * server computes, for the physician's status view. Never edit once landed: add 0003_… instead.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'referrals',
  up(db) {
    db.exec(`
      CREATE TABLE drafts (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        file_name TEXT,
        file_hash TEXT,
        row_count INTEGER NOT NULL,
        rows TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sent_batch_id TEXT,
        sent_at TEXT
      );
      CREATE INDEX drafts_updated ON drafts (updated_at);

      CREATE TABLE header_mappings (
        signature TEXT PRIMARY KEY,
        mapping TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        physician_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        data TEXT NOT NULL,
        server_data TEXT,
        server_deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX batches_created ON batches (created_at, id);

      ALTER TABLE patients ADD COLUMN stage TEXT;
      ALTER TABLE patients ADD COLUMN batch_id TEXT;
      ALTER TABLE patients ADD COLUMN batch_row INTEGER;
      CREATE INDEX patients_stage ON patients (stage);
      CREATE INDEX patients_batch ON patients (batch_id, batch_row);
    `);
  },
};
