import type { Migration } from './types.js';

/**
 * The first local schema. Patients and requests keep the full JSON the UI reads (`data`) next to
 * the columns queries filter and sort by, plus the server's last authoritative copy
 * (`server_data`, `server_deleted`): while a local change is pending, pulls update only the
 * server copy, so an older pull never clobbers the optimistic row, and a rejected change rolls
 * back to it. Never edit this file once landed: add 0002_… instead.
 */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE patients (
        id TEXT PRIMARY KEY,
        last_name TEXT NOT NULL,
        first_name TEXT NOT NULL,
        middle_name TEXT,
        snils TEXT,
        enp TEXT,
        phone TEXT,
        referred_by TEXT,
        search TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        data TEXT NOT NULL,
        server_data TEXT,
        server_deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX patients_name ON patients (last_name, first_name, middle_name, id);
      CREATE INDEX patients_snils ON patients (snils);

      CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        patient_id TEXT NOT NULL,
        status TEXT NOT NULL,
        centre TEXT NOT NULL,
        assigned_doctor_id TEXT,
        due_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        data TEXT NOT NULL,
        server_data TEXT,
        server_deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX requests_patient ON requests (patient_id, created_at, id);
      CREATE INDEX requests_due ON requests (due_at, id);
      CREATE INDEX requests_status ON requests (status, due_at);

      -- Local changes not yet acknowledged by the server, in the order they were made.
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        args TEXT NOT NULL,
        summary TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX outbox_entity ON outbox (entity, entity_id);

      CREATE TABLE rejections (
        mutation_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        summary TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        at TEXT NOT NULL
      );
    `);
  },
};
