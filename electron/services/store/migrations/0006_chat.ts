import type { Migration } from './types.js';

/**
 * The chat of each request (the synced `message` entity), readable offline; and the doctor's
 * local read marks: the last message of a request this user has seen, so a message read offline
 * stops counting as unread at once, before the server has the `message.read` (and a message that
 * arrives later still counts). Never edit once landed: add 0007_… instead.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'chat',
  up(db) {
    db.exec(`
      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        sender_role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        read_at TEXT,
        data TEXT NOT NULL,
        server_data TEXT,
        server_deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX messages_request ON messages (request_id, created_at, id);
      CREATE INDEX messages_unread ON messages (request_id, sender_role, read_at);

      CREATE TABLE chat_read_marks (
        request_id TEXT PRIMARY KEY,
        up_to_created_at TEXT NOT NULL,
        up_to_id TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `);
  },
};
