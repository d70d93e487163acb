import type { Migration } from './types.js';

/**
 * Patient documents' metadata as synced (the bytes stay on the central API until opened). Same
 * shape as the other synced tables, so pulls and rollbacks treat it alike. Never edit once
 * landed: add 0004_… instead.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'documents',
  up(db) {
    db.exec(`
      CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        patient_id TEXT NOT NULL,
        type TEXT NOT NULL,
        created_at TEXT NOT NULL,
        data TEXT NOT NULL,
        server_data TEXT,
        server_deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX documents_patient ON documents (patient_id, created_at, id);
    `);
  },
};
