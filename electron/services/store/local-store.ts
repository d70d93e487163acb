import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { Conclusion } from '../../../shared/domain/conclusions.js';
import { Consultation } from '../../../shared/domain/consultations.js';
import { PatientDocument } from '../../../shared/domain/documents.js';
import { Patient } from '../../../shared/domain/patients.js';
import { SyncMessage } from '../../../shared/domain/portal.js';
import { ReferralBatch } from '../../../shared/domain/referrals.js';
import { ConsultationRequest } from '../../../shared/domain/requests.js';
import type { Rejection } from '../../../shared/rpc/contract.js';
import type { Change, MutationName, MutationResult, SyncEntity } from '../../../shared/sync/protocol.js';
import { openEncryptedDatabase } from './cipher.js';
import { migrate } from './migrate.js';
import { patientSearchText } from './search.js';

export interface OutboxEntry {
  id: number;
  name: MutationName;
  args: unknown;
  summary: string;
  entity: SyncEntity;
  entityId: string;
  createdAt: string;
}

export interface LocalMutation {
  name: MutationName;
  args: unknown;
  summary: string;
  /** The row the change touches: it is "pending" until the server answers. */
  entity: SyncEntity;
  entityId: string;
  /**
   * The optimistic local result, written in the same transaction as the outbox row. None for a
   * change that touches no one row (a read mark: its local effect is the caller's `also`).
   */
  optimistic: EntityRow | null;
}

export type EntityRow =
  | { entity: 'patient'; data: Patient }
  | { entity: 'request'; data: ConsultationRequest }
  | { entity: 'batch'; data: ReferralBatch }
  | { entity: 'document'; data: PatientDocument }
  | { entity: 'consultation'; data: Consultation }
  | { entity: 'conclusion'; data: Conclusion }
  | { entity: 'message'; data: SyncMessage };

/** An outbox entry as it travels, with the size of its serialized arguments. */
export interface OutboxBatchEntry extends OutboxEntry {
  bytes: number;
}

export interface PushOutcome {
  changed: Set<SyncEntity>;
  rejections: Rejection[];
  /** Set when the server is missing an earlier mutation: re-send from this id. */
  deferredExpected: number | null;
  acknowledged: number;
}

const META = {
  clientId: 'client_id',
  nextMutationId: 'next_mutation_id',
  cursor: 'pull_cursor',
  lastAcknowledged: 'last_mutation_id',
  lastSyncedAt: 'last_synced_at',
} as const;

const key = (entity: SyncEntity, id: string) => `${entity}:${id}`;

/**
 * The desktop's local store: the rows this user may see, the outbox of local changes, refused
 * changes, and sync bookkeeping. Every method that changes data is one transaction.
 */
export class LocalStore {
  private currentClientId: string;

  private constructor(
    readonly db: Database,
    private readonly key: Buffer,
  ) {
    const existing = this.getMeta(META.clientId);
    if (existing) {
      this.currentClientId = existing;
    } else {
      this.currentClientId = crypto.randomUUID();
      this.setMeta(META.clientId, this.currentClientId);
    }
  }

  /** This store's identity on the server; replaced when the store turns out to be stale. */
  get clientId(): string {
    return this.currentClientId;
  }

  /**
   * Opens (or creates) the store encrypted with `key` (store/cipher.ts; a plain store from an
   * earlier version is encrypted first). The store owns `key` from here on and wipes it on close,
   * also when opening fails.
   */
  static open(file: string, key: Buffer): LocalStore {
    let db: Database;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      db = openEncryptedDatabase(file, key);
    } catch (err) {
      key.fill(0);
      throw err;
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
      return new LocalStore(db, key);
    } catch (err) {
      db.close();
      key.fill(0);
      throw err;
    }
  }

  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  /** Prepared once per SQL text: a cold sync runs the same few statements thousands of times. */
  sql(text: string): BetterSqlite3.Statement {
    let s = this.statements.get(text);
    if (!s) this.statements.set(text, (s = this.db.prepare(text)));
    return s;
  }

  /** Closes the database (its file is ciphertext only from here) and wipes the key. */
  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
    this.key.fill(0);
  }

  getMeta(k: string): string | null {
    const row = this.sql('SELECT value FROM meta WHERE key = ?').get(k) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(k: string, value: string): void {
    this.sql('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(k, value);
  }

  get cursor(): number {
    return Number(this.getMeta(META.cursor) ?? 0);
  }

  get lastSyncedAt(): string | null {
    return this.getMeta(META.lastSyncedAt);
  }

  get lastAcknowledged(): number {
    return Number(this.getMeta(META.lastAcknowledged) ?? 0);
  }

  /** The id the next local change will get: every id below it was made here. */
  get nextMutationId(): number {
    return Number(this.getMeta(META.nextMutationId) ?? 1);
  }

  markSynced(at = new Date().toISOString()): void {
    this.setMeta(META.lastSyncedAt, at);
  }

  pendingCount(): number {
    return (this.sql('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  }

  outbox(limit: number): OutboxEntry[] {
    const rows = this.sql('SELECT * FROM outbox ORDER BY id LIMIT ?').all(limit) as {
      id: number;
      name: MutationName;
      args: string;
      summary: string;
      entity: SyncEntity;
      entity_id: string;
      created_at: string;
    }[];
    return rows.map((r) => ({ id: r.id, name: r.name, args: JSON.parse(r.args), summary: r.summary, entity: r.entity, entityId: r.entity_id, createdAt: r.created_at }));
  }

  /**
   * The oldest pending changes, in order, up to about `maxBytes` of arguments (and `maxCount`
   * entries): a single larger change goes alone. Rows are read one at a time, so a queue of big
   * referral tables is never loaded whole.
   */
  outboxBatch(maxBytes: number, maxCount: number): OutboxBatchEntry[] {
    const out: OutboxBatchEntry[] = [];
    let total = 0;
    const rows = this.db.prepare('SELECT * FROM outbox ORDER BY id').iterate() as IterableIterator<{
      id: number;
      name: MutationName;
      args: string;
      summary: string;
      entity: SyncEntity;
      entity_id: string;
      created_at: string;
    }>;
    for (const r of rows) {
      // The envelope ({"id":…,"name":…,"args":…}) adds a few dozen bytes per mutation.
      const bytes = Buffer.byteLength(r.args) + Buffer.byteLength(r.name) + 40;
      if (out.length > 0 && (total + bytes > maxBytes || out.length >= maxCount)) break;
      total += bytes;
      out.push({ id: r.id, name: r.name, args: JSON.parse(r.args), summary: r.summary, entity: r.entity, entityId: r.entity_id, createdAt: r.created_at, bytes });
    }
    return out;
  }

  /**
   * The optimistic change and its outbox row commit together, or neither does; `also` runs in the
   * same transaction (a draft marked sent with its batch), so the caller's bookkeeping cannot
   * part from the change.
   */
  mutate(m: LocalMutation, also?: () => void): number {
    return this.db.transaction(() => {
      const id = Number(this.getMeta(META.nextMutationId) ?? 1);
      this.setMeta(META.nextMutationId, String(id + 1));
      if (m.optimistic) this.writeLocal(m.optimistic);
      this
        .sql('INSERT INTO outbox (id, name, args, summary, entity, entity_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, m.name, JSON.stringify(m.args), m.summary, m.entity, m.entityId, new Date().toISOString());
      also?.();
      return id;
    })();
  }

  /** One page of a pull, with its cursor, in one transaction. Pending rows keep their local data. */
  applyPull(changes: readonly Change[], cursor: number): Set<SyncEntity> {
    const changed = new Set<SyncEntity>();
    this.db.transaction(() => {
      const pending = this.pendingKeys();
      for (const c of changes) {
        const isPending = pending.has(key(c.entity, c.id));
        if (c.op === 'put') {
          const row = { entity: c.entity, data: c.data } as EntityRow;
          if (isPending && this.exists(c.entity, c.id)) this.setServerCopy(c.entity, c.id, JSON.stringify(c.data));
          else this.writeServer(row);
        } else if (isPending) {
          this.sql(`UPDATE ${table(c.entity)} SET server_data = NULL, server_deleted = 1 WHERE id = ?`).run(c.id);
        } else {
          this.sql(`DELETE FROM ${table(c.entity)} WHERE id = ?`).run(c.id);
        }
        changed.add(c.entity);
      }
      this.setMeta(META.cursor, String(cursor));
    })();
    return changed;
  }

  /** Applies the server's answers to pushed mutations, in order, in one transaction. */
  applyPushResults(results: readonly MutationResult[], lastMutationId: number): PushOutcome {
    const out: PushOutcome = { changed: new Set(), rejections: [], deferredExpected: null, acknowledged: 0 };
    this.db.transaction(() => {
      for (const r of results) {
        if (r.status === 'deferred') {
          out.deferredExpected = r.expected;
          break;
        }
        const entry = this.sql('SELECT * FROM outbox WHERE id = ?').get(r.id) as
          | { id: number; name: string; summary: string; entity: SyncEntity; entity_id: string }
          | undefined;
        if (!entry) continue;
        this.sql('DELETE FROM outbox WHERE id = ?').run(r.id);
        out.acknowledged += 1;
        out.changed.add(entry.entity);
        const stillPending = this.sql('SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? LIMIT 1').get(entry.entity, entry.entity_id) !== undefined;
        if (r.status === 'applied') {
          const authoritative = parseEntity(entry.entity, r.result);
          if (authoritative && authoritative.data.id === entry.entity_id) {
            if (stillPending) this.setServerCopy(entry.entity, entry.entity_id, JSON.stringify(authoritative.data));
            else this.writeServer(authoritative);
          }
          // A replay without a stored result keeps the local row; the pull that follows corrects it.
        } else {
          const at = new Date().toISOString();
          const issues = r.error.issues && r.error.issues.length > 0 ? r.error.issues.slice(0, 1000) : undefined;
          this
            .sql('INSERT INTO rejections (mutation_id, name, summary, code, message, issues, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
            .run(entry.id, entry.name, entry.summary, r.error.code, r.error.message, issues ? JSON.stringify(issues) : null, at);
          out.rejections.push({
            mutationId: entry.id,
            name: entry.name,
            summary: entry.summary,
            error: { code: r.error.code, message: r.error.message },
            ...(issues ? { issues } : {}),
            at,
          });
          if (!stillPending) this.rollBack(entry.entity, entry.entity_id);
          // A refused table goes back to being an editable draft, so the physician can fix and resend.
          if (entry.name === 'referral.submit') {
            this.sql('UPDATE drafts SET sent_batch_id = NULL, sent_at = NULL, updated_at = ? WHERE sent_batch_id = ?').run(at, entry.entity_id);
          }
        }
      }
      this.setMeta(META.lastAcknowledged, String(Math.max(lastMutationId, this.lastAcknowledged)));
    })();
    return out;
  }

  /**
   * The server has no trace of mutations from `expected` on (its state was restored from a
   * backup, say) while ours start later: nothing from `expected` on was applied, so the pending
   * ones are renumbered from there and stay exactly-once.
   */
  renumberOutbox(expected: number): void {
    this.db.transaction(() => {
      // What the server now knows of this client; kept higher, it would look like a stale store.
      this.setMeta(META.lastAcknowledged, String(Math.max(0, expected - 1)));
      const ids = (this.sql('SELECT id FROM outbox ORDER BY id').all() as { id: number }[]).map((r) => r.id);
      if (ids.length === 0 || (ids[0] ?? 0) <= expected) return;
      this.renumberFrom(ids, expected);
      // The server's data went back in time too: pull everything again rather than trust our cursor.
      this.setMeta(META.cursor, '0');
    })();
  }

  /**
   * The store is older than what the server has seen from this client (restored from a backup,
   * copied from another computer): ids we would send next were already used for other changes,
   * and the server would answer them as replays and drop them. The store becomes a new client:
   * new id, the pending changes renumbered from 1, and everything pulled again.
   */
  startAsNewClient(): string {
    return this.db.transaction(() => {
      const ids = (this.sql('SELECT id FROM outbox ORDER BY id').all() as { id: number }[]).map((r) => r.id);
      const clientId = crypto.randomUUID();
      this.setMeta(META.clientId, clientId);
      if (ids.length > 0) this.renumberFrom(ids, 1);
      else this.setMeta(META.nextMutationId, '1');
      this.setMeta(META.lastAcknowledged, '0');
      this.setMeta(META.cursor, '0');
      this.currentClientId = clientId;
      return clientId;
    })();
  }

  private renumberFrom(ids: readonly number[], first: number): void {
    // Two steps so the primary key never collides mid-way.
    this.sql('UPDATE outbox SET id = -id').run();
    let next = first;
    for (const id of ids) this.sql('UPDATE outbox SET id = ? WHERE id = ?').run(next++, -id);
    this.setMeta(META.nextMutationId, String(next));
  }

  rejections(): Rejection[] {
    const rows = this.sql('SELECT * FROM rejections ORDER BY id DESC').all() as {
      mutation_id: number;
      name: string;
      summary: string;
      code: Rejection['error']['code'];
      message: string;
      issues: string | null;
      at: string;
    }[];
    return rows.map((r) => ({
      mutationId: r.mutation_id,
      name: r.name,
      summary: r.summary,
      error: { code: r.code, message: r.message },
      ...(r.issues ? { issues: JSON.parse(r.issues) as NonNullable<Rejection['issues']> } : {}),
      at: r.at,
    }));
  }

  dismissRejection(mutationId: number): void {
    this.sql('DELETE FROM rejections WHERE mutation_id = ?').run(mutationId);
  }

  getPatient(id: string): Patient | null {
    const row = this.sql('SELECT data FROM patients WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as Patient) : null;
  }

  getRequest(id: string): ConsultationRequest | null {
    const row = this.sql('SELECT data FROM requests WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as ConsultationRequest) : null;
  }

  isPending(entity: SyncEntity, id: string): boolean {
    return this.sql('SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? LIMIT 1').get(entity, id) !== undefined;
  }

  private pendingKeys(): Set<string> {
    const rows = this.sql('SELECT entity, entity_id FROM outbox').all() as { entity: SyncEntity; entity_id: string }[];
    return new Set(rows.map((r) => key(r.entity, r.entity_id)));
  }

  private exists(entity: SyncEntity, id: string): boolean {
    return this.sql(`SELECT 1 FROM ${table(entity)} WHERE id = ?`).get(id) !== undefined;
  }

  private setServerCopy(entity: SyncEntity, id: string, json: string): void {
    this.sql(`UPDATE ${table(entity)} SET server_data = ?, server_deleted = 0 WHERE id = ?`).run(json, id);
  }

  /** Back to the server's copy, or gone if the server never had the row (a refused create). */
  private rollBack(entity: SyncEntity, id: string): void {
    const row = this.sql(`SELECT server_data, server_deleted FROM ${table(entity)} WHERE id = ?`).get(id) as
      | { server_data: string | null; server_deleted: number }
      | undefined;
    if (!row) return;
    const server = row.server_data && row.server_deleted === 0 ? parseEntity(entity, JSON.parse(row.server_data)) : null;
    if (server) this.writeServer(server);
    else this.sql(`DELETE FROM ${table(entity)} WHERE id = ?`).run(id);
  }

  getBatch(id: string): ReferralBatch | null {
    const row = this.sql('SELECT data FROM batches WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as ReferralBatch) : null;
  }

  /** A patient's documents (metadata), newest first. */
  listDocuments(patientId: string): PatientDocument[] {
    const rows = this.sql('SELECT data FROM documents WHERE patient_id = ? ORDER BY created_at DESC, id').all(patientId) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as PatientDocument);
  }

  /** A row the server has just answered with directly (not through a pull): stored as the server's copy. */
  putFromServer(row: EntityRow): void {
    this.db.transaction(() => this.writeServer(row))();
  }

  private writeLocal(row: EntityRow): void {
    this.write(row, false);
  }

  private writeServer(row: EntityRow): void {
    this.write(row, true);
  }

  private write(row: EntityRow, fromServer: boolean): void {
    const json = JSON.stringify(row.data);
    const serverSet = fromServer ? ', server_data = excluded.server_data, server_deleted = 0' : '';
    if (row.entity === 'message') {
      const m = row.data;
      this
        .sql(
          `INSERT INTO messages (id, request_id, patient_id, sender_role, created_at, read_at, data, server_data)
           VALUES (@id, @requestId, @patientId, @senderRole, @createdAt, @readAt, @data, @serverData)
           ON CONFLICT(id) DO UPDATE SET request_id = excluded.request_id, patient_id = excluded.patient_id,
             sender_role = excluded.sender_role, created_at = excluded.created_at, read_at = excluded.read_at,
             data = excluded.data${serverSet}`,
        )
        .run({ id: m.id, requestId: m.requestId, patientId: m.patientId, senderRole: m.senderRole, createdAt: m.createdAt, readAt: m.readAt, data: json, serverData: fromServer ? json : null });
    } else if (row.entity === 'document') {
      const d = row.data;
      this
        .sql(
          `INSERT INTO documents (id, patient_id, type, created_at, data, server_data)
           VALUES (@id, @patientId, @type, @createdAt, @data, @serverData)
           ON CONFLICT(id) DO UPDATE SET patient_id = excluded.patient_id, type = excluded.type,
             created_at = excluded.created_at, data = excluded.data${serverSet}`,
        )
        .run({ id: d.id, patientId: d.patientId, type: d.type, createdAt: d.createdAt, data: json, serverData: fromServer ? json : null });
    } else if (row.entity === 'consultation') {
      const c = row.data;
      this
        .sql(
          `INSERT INTO consultations (id, request_id, patient_id, doctor_id, status, starts_at, ends_at, data, server_data)
           VALUES (@id, @requestId, @patientId, @doctorId, @status, @startsAt, @endsAt, @data, @serverData)
           ON CONFLICT(id) DO UPDATE SET request_id = excluded.request_id, patient_id = excluded.patient_id,
             doctor_id = excluded.doctor_id, status = excluded.status, starts_at = excluded.starts_at,
             ends_at = excluded.ends_at, data = excluded.data${serverSet}`,
        )
        .run({ id: c.id, requestId: c.requestId, patientId: c.patientId, doctorId: c.doctorId, status: c.status, startsAt: c.startsAt, endsAt: c.endsAt, data: json, serverData: fromServer ? json : null });
    } else if (row.entity === 'conclusion') {
      const c = row.data;
      this
        .sql(
          `INSERT INTO conclusions (id, request_id, patient_id, version, data, server_data)
           VALUES (@id, @requestId, @patientId, @version, @data, @serverData)
           ON CONFLICT(id) DO UPDATE SET request_id = excluded.request_id, patient_id = excluded.patient_id,
             version = excluded.version, data = excluded.data${serverSet}`,
        )
        .run({ id: c.id, requestId: c.requestId, patientId: c.patientId, version: c.version, data: json, serverData: fromServer ? json : null });
    } else if (row.entity === 'batch') {
      const b = row.data;
      this
        .sql(
          `INSERT INTO batches (id, physician_id, status, created_at, updated_at, data, server_data)
           VALUES (@id, @physicianId, @status, @createdAt, @updatedAt, @data, @serverData)
           ON CONFLICT(id) DO UPDATE SET physician_id = excluded.physician_id, status = excluded.status,
             created_at = excluded.created_at, updated_at = excluded.updated_at, data = excluded.data${serverSet}`,
        )
        .run({ id: b.id, physicianId: b.physicianId, status: b.status, createdAt: b.createdAt, updatedAt: b.updatedAt, data: json, serverData: fromServer ? json : null });
    } else if (row.entity === 'patient') {
      const p = row.data;
      this
        .sql(
          `INSERT INTO patients (id, last_name, first_name, middle_name, snils, enp, phone, referred_by, stage, batch_id, batch_row, search, updated_at, data, server_data)
           VALUES (@id, @lastName, @firstName, @middleName, @snils, @enp, @phone, @referredBy, @stage, @batchId, @batchRow, @search, @updatedAt, @data, @serverData)
           ON CONFLICT(id) DO UPDATE SET last_name = excluded.last_name, first_name = excluded.first_name,
             middle_name = excluded.middle_name, snils = excluded.snils, enp = excluded.enp, phone = excluded.phone,
             referred_by = excluded.referred_by, stage = excluded.stage, batch_id = excluded.batch_id,
             batch_row = excluded.batch_row, search = excluded.search, updated_at = excluded.updated_at,
             data = excluded.data${serverSet}`,
        )
        .run({
          id: p.id,
          lastName: p.lastName,
          firstName: p.firstName,
          middleName: p.middleName,
          snils: p.snils,
          enp: p.enp,
          phone: p.phone,
          referredBy: p.referredBy,
          stage: p.stage,
          batchId: p.batchId,
          batchRow: p.batchRow,
          search: patientSearchText(p),
          updatedAt: p.updatedAt,
          data: json,
          serverData: fromServer ? json : null,
        });
    } else {
      const r = row.data;
      this
        .sql(
          `INSERT INTO requests (id, patient_id, status, centre, assigned_doctor_id, due_at, created_at, updated_at, data, server_data)
           VALUES (@id, @patientId, @status, @centre, @assignedDoctorId, @dueAt, @createdAt, @updatedAt, @data, @serverData)
           ON CONFLICT(id) DO UPDATE SET patient_id = excluded.patient_id, status = excluded.status, centre = excluded.centre,
             assigned_doctor_id = excluded.assigned_doctor_id, due_at = excluded.due_at, created_at = excluded.created_at,
             updated_at = excluded.updated_at, data = excluded.data${serverSet}`,
        )
        .run({
          id: r.id,
          patientId: r.patientId,
          status: r.status,
          centre: r.centre,
          assignedDoctorId: r.assignedDoctorId,
          dueAt: r.dueAt,
          createdAt: r.createdAt,
          updatedAt: r.updatedAt,
          data: json,
          serverData: fromServer ? json : null,
        });
    }
  }
}

const TABLES = {
  patient: 'patients',
  request: 'requests',
  batch: 'batches',
  document: 'documents',
  consultation: 'consultations',
  conclusion: 'conclusions',
  message: 'messages',
} as const satisfies Record<SyncEntity, string>;

function table(entity: SyncEntity): (typeof TABLES)[SyncEntity] {
  return TABLES[entity];
}

function parseEntity(entity: SyncEntity, value: unknown): EntityRow | null {
  if (entity === 'patient') {
    const p = Patient.safeParse(value);
    return p.success ? { entity: 'patient', data: p.data } : null;
  }
  if (entity === 'document') {
    const d = PatientDocument.safeParse(value);
    return d.success ? { entity: 'document', data: d.data } : null;
  }
  if (entity === 'batch') {
    const b = ReferralBatch.safeParse(value);
    return b.success ? { entity: 'batch', data: b.data } : null;
  }
  if (entity === 'consultation') {
    const c = Consultation.safeParse(value);
    return c.success ? { entity: 'consultation', data: c.data } : null;
  }
  if (entity === 'conclusion') {
    const c = Conclusion.safeParse(value);
    return c.success ? { entity: 'conclusion', data: c.data } : null;
  }
  if (entity === 'message') {
    const m = SyncMessage.safeParse(value);
    return m.success ? { entity: 'message', data: m.data } : null;
  }
  const r = ConsultationRequest.safeParse(value);
  return r.success ? { entity: 'request', data: r.data } : null;
}
