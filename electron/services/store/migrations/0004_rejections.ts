import type { Migration } from './types.js';

/**
 * Refused changes get their own key: mutation ids are reused when the outbox is renumbered (the
 * server or this store restored from a backup), and keyed by them a new rejection would replace
 * one the user has not seen yet. They also keep the server's per-row problems (`issues`, JSON),
 * so a refused referral table says which rows to fix. Never edit once landed: add 0005_… instead.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'rejections',
  up(db) {
    db.exec(`
      CREATE TABLE rejections_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        mutation_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        summary TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        issues TEXT,
        at TEXT NOT NULL
      );
      INSERT INTO rejections_new (mutation_id, name, summary, code, message, at)
        SELECT mutation_id, name, summary, code, message, at FROM rejections ORDER BY at, mutation_id;
      DROP TABLE rejections;
      ALTER TABLE rejections_new RENAME TO rejections;
      CREATE INDEX rejections_mutation ON rejections (mutation_id);
    `);
  },
};
