import type { Migration } from './types.js';

/**
 * The centre doctor's workspace: synced consultations and issued conclusions; conclusion drafts
 * (local only, one per request, so a half-written conclusion survives offline work and restarts);
 * and the document cache's index (the bytes live encrypted in files beside the store; this
 * table says which, how much of each has arrived, when each was last opened, which are pinned).
 * Never edit once landed: add 0006_… instead.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'doctor_workspace',
  up(db) {
    db.exec(`
      CREATE TABLE consultations (
        id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        doctor_id TEXT NOT NULL,
        status TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        data TEXT NOT NULL,
        server_data TEXT,
        server_deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX consultations_doctor_start ON consultations (doctor_id, starts_at);
      CREATE INDEX consultations_request ON consultations (request_id);

      CREATE TABLE conclusions (
        id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        server_data TEXT,
        server_deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX conclusions_request ON conclusions (request_id, version);

      CREATE TABLE conclusion_drafts (
        request_id TEXT PRIMARY KEY,
        consultation_id TEXT,
        corrects_id TEXT,
        content TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE doc_cache (
        document_id TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        bytes_done INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        pinned INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        last_access TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX doc_cache_lru ON doc_cache (pinned, last_access);
    `);
  },
};
