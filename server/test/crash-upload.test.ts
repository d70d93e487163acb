import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../auth/accounts.js';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { call, createTestDatabase, loginAs, type TestDatabase } from './harness.js';
import { envFor, spawnServer } from './processes.js';
import { PASSWORD, patientInput, uploadPath } from './world.js';

/**
 * kill -9 of the central API in the middle of a document upload: after the restart there is no
 * document row and no stored file for the half-sent upload, no unfinished temp file is left, and
 * the same upload sent again (same client-made id) makes exactly one document.
 */
let db: TestDatabase;
let patientId = '';

beforeAll(async () => {
  db = await createTestDatabase();
  const conn = openDatabase(db.database);
  await migrateToLatest(conn);
  await createUser(conn.kysely, { login: 'upload-phys', password: PASSWORD, role: 'physician', fullName: 'Врач' }, null);
  await conn.close();
});
afterAll(async () => db?.drop());

/** A 6 MiB PDF-looking body, sent slowly (a poor link) so the server can be killed while it streams in. */
function slowUpload(url: string, pathAndQuery: string, token: string): Promise<void> {
  const body = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(6 * 1024 * 1024)]);
  return new Promise((resolve) => {
    const u = new URL(url + pathAndQuery);
    const req = http.request({ method: 'POST', hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(body.length) } });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    let sent = 0;
    const chunk = 64 * 1024;
    const pump = () => {
      if (sent >= body.length) return req.end();
      req.write(body.subarray(sent, sent + chunk));
      sent += chunk;
      setTimeout(pump, 5);
    };
    pump();
  });
}

describe('kill -9 during an upload', () => {
  it('leaves no document, no stored file and no temp file; the retried upload makes one document', async () => {
    const env = envFor(db);
    const first = await spawnServer(env);
    const token = await loginAs(first.url, 'upload-phys', PASSWORD);
    const created = await call(first.url, 'POST', '/api/patients', { token, body: patientInput() });
    expect(created.status).toBe(200);
    patientId = created.body.id;
    const id = crypto.randomUUID();
    const target = uploadPath(patientId, { id, fileName: 'Большое исследование.pdf' });
    const tmp = path.join(db.dataDir, 'documents', 'tmp');
    const uploading = slowUpload(first.url, target, token);
    // Killed once the server has started writing the file (an unfinished .part with bytes in it).
    const until = Date.now() + 30_000;
    for (;;) {
      const parts = fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((n) => n.endsWith('.part')) : [];
      if (parts.some((n) => fs.statSync(path.join(tmp, n)).size > 0)) break;
      if (Date.now() > until) throw new Error('the upload never started writing');
      await new Promise((r) => setTimeout(r, 10));
    }
    first.proc.kill('SIGKILL');
    await first.exited;
    await uploading;

    const partsBefore = fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((n) => n.endsWith('.part')) : [];
    // The kill came mid-stream: the upload's unfinished file is there before the restart.
    expect(partsBefore.length).toBeGreaterThan(0);
    const second = await spawnServer(env);
    try {
      // The restart cleaned what the killed process had half written.
      const partsAfter = fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((n) => n.endsWith('.part')) : [];
      expect(partsAfter, `left over: ${partsBefore.join(', ')}`).toEqual([]);
      const conn = openDatabase(db.database);
      try {
        expect(await conn.kysely.selectFrom('documents').select('id').where('id', '=', id).execute()).toEqual([]);
      } finally {
        await conn.close();
      }

      const token2 = await loginAs(second.url, 'upload-phys', PASSWORD);
      const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(64 * 1024)]);
      const again = await call(second.url, 'POST', target, { token: token2, bytes });
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      const twice = await call(second.url, 'POST', target, { token: token2, bytes });
      expect(twice.status).toBe(200);
      expect(twice.body.id).toBe(id);
      const conn2 = openDatabase(db.database);
      try {
        expect(await conn2.kysely.selectFrom('documents').select('id').where('patient_id', '=', patientId).execute()).toHaveLength(1);
      } finally {
        await conn2.close();
      }
    } finally {
      second.proc.kill('SIGKILL');
      await second.exited;
    }
  }, 60_000);
});
