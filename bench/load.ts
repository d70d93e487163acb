import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Actor } from '../server/auth/actor.js';
import { verifyAuditChain } from '../server/audit/audit-log.js';
import { hashPassword } from '../server/auth/passwords.js';
import { writeTransaction } from '../server/context.js';
import { uniqueEnp, uniqueSnils } from './unique-ids.js';
import { buildCentralApi, type CentralApi } from '../server/http/app.js';
import { CONSENT_VERSION } from '../server/modules/consent.js';
import { createPatient } from '../server/modules/patients.js';
import { createRequest } from '../server/modules/requests.js';
import { PG_ADMIN_URL, testConfig, type TestDatabase } from '../server/test/harness.js';
import { envFor, spawnServer, type ServerProcess } from '../server/test/processes.js';
import { PatientCreate } from '../shared/domain/patients.js';
import { RequestCreate } from '../shared/domain/requests.js';
import type { Mutation, MutationResult, PullResponse } from '../shared/sync/protocol.js';

/**
 * Load benchmark of the central API (issue #9 item 7): a bounded, closed-loop load generator on
 * loopback. The server runs in its own process (`server/main.ts`, NODE_ENV=production) so the
 * generator does not share its event loop. N desktop clients (physicians) each push 1–3
 * `patient.update`/`patient.create` mutations and then pull from their cursor, with think time,
 * and M portal users (patients) each upload a 200 KB PDF of their own, with think time; every
 * virtual client stops by itself when the duration is over. Sign-in is done before and is not in
 * the figures. Baseline measured in the same run: GET /api/health from the same number of
 * clients with the desktop think time. After the run every acknowledged write is looked up in the
 * database ("lost writes").
 */

export interface LoadOptions {
  desktops: number;
  uploaders: number;
  durationS: number;
  baselineS: number;
}

export interface OpStats {
  count: number;
  errors: number;
  perSec: number;
  p50: number;
  p99: number;
}

export interface LoadFigures {
  engine: 'sqlite' | 'postgres';
  opts: LoadOptions;
  baseline: OpStats;
  pull: OpStats;
  push: OpStats;
  upload: OpStats;
  /** Mutations the server answered `applied`. */
  mutationsAcked: number;
  uploadsAcked: number;
  pulledChanges: number;
  /** Acknowledged writes not found (or not as written) in the database after the run. */
  lostWrites: number;
  lostDetails: string[];
  /** `operation status` → count: HTTP status, `rejected`/`deferred` push results, network errors. */
  errorsBy: Record<string, number>;
  elapsedS: number;
  /** CPU of the server process during the load phase, in % of one core (Linux /proc), or null. */
  serverCpuPct: number | null;
  generatorCpuPct: number;
  seedS: number;
  signInS: number;
}

const PASSWORD = 'bench-load-password-1';
const PATIENTS_PER_DESKTOP = 3;
const UPLOAD_BYTES = 200 * 1024;
/** Time between a desktop's sync cycles (push then pull) and between a portal user's uploads. */
const DESKTOP_THINK_MS: [number, number] = [1000, 3000];
const UPLOAD_THINK_MS: [number, number] = [2000, 6000];
const REQUEST_TIMEOUT_MS = 30_000;
/** Login is rate-limited per address (30/min); every virtual client signs in from 127.0.0.1. */
export const LOAD_RATE_LIMIT_FACTOR = 1000;

// ---------------------------------------------------------------- database and server

async function createDatabase(engine: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  // Like createTestDatabase(), but with the engine chosen here: the harness reads OBLAKO_TEST_DB
  // once, when it is first imported.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-load-'));
  if (engine === 'sqlite') {
    return { database: { kind: 'sqlite', file: path.join(dataDir, 'oblako.sqlite') }, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `oblako_load_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (${err instanceof Error ? err.message : String(err)}): the load benchmark needs it (or set OBLAKO_TEST_PG_URL).`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    database: { kind: 'postgres', url: url.toString() },
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let serial = 0;

function patientArgs(attendingPhysician: string) {
  serial += 1;
  return {
    id: crypto.randomUUID(),
    lastName: 'Нагрузочная',
    firstName: 'Пациентка',
    middleName: 'Тестовна',
    sex: 'female' as const,
    birthDate: `19${50 + (serial % 50)}-0${1 + (serial % 9)}-1${serial % 10}`,
    snils: uniqueSnils(serial),
    enp: uniqueEnp(serial),
    phone: null,
    region: '77',
    attendingPhysician,
  };
}

interface Seeded {
  physicians: { login: string; patients: string[] }[];
  portal: { login: string; patientId: string }[];
}

/**
 * Physicians with a few patients each, and portal patients (referred by those physicians, each
 * with a request) with accounts. Passwords are set directly: one argon2id hash of the server's
 * own hashPassword() shared by every account (hashing 700 times would only slow the set-up).
 */
async function seed(api: CentralApi, opts: LoadOptions): Promise<Seeded> {
  const db = api.ctx.db.kysely;
  const hash = await hashPassword(PASSWORD);
  const now = new Date().toISOString();
  const user = (login: string, role: string, patientId: string | null) => ({
    id: crypto.randomUUID(), login, role, full_name: `Нагрузка ${login}`, centre: null, is_duty: 0, phone: null, patient_id: patientId,
    password_hash: hash, password_kind: 'argon2id', must_change_password: 0, failed_logins: 0, locked_until: null, disabled: 0, is_demo: 0, created_at: now, updated_at: now,
  });
  const physicians = Array.from({ length: opts.desktops }, (_, i) => user(`load-phys-${i}`, 'physician', null));
  for (let i = 0; i < physicians.length; i += 200) await db.insertInto('users').values(physicians.slice(i, i + 200)).execute();

  const out: Seeded = { physicians: physicians.map((p) => ({ login: p.login, patients: [] })), portal: [] };
  const actor = (i: number): Actor => ({ userId: physicians[i]!.id, role: 'physician', centre: null, patientId: null, isDuty: false, sessionId: 'bench', mustChangePassword: false });
  for (let i = 0; i < opts.desktops; i += 50) {
    await writeTransaction(api.ctx, async (w) => {
      for (let j = i; j < Math.min(opts.desktops, i + 50); j++) {
        for (let k = 0; k < PATIENTS_PER_DESKTOP; k++) {
          const p = await createPatient(w, actor(j), PatientCreate.parse(patientArgs('seed')));
          out.physicians[j]!.patients.push(p.id);
        }
      }
    });
  }
  // Portal patient j: referred by physician j mod N, with a request (what they upload documents for).
  for (let i = 0; i < opts.uploaders; i += 50) {
    await writeTransaction(api.ctx, async (w) => {
      for (let j = i; j < Math.min(opts.uploaders, i + 50); j++) {
        const by = actor(j % opts.desktops);
        const p = await createPatient(w, by, PatientCreate.parse(patientArgs('seed')));
        await createRequest(w, by, RequestCreate.parse({ id: crypto.randomUUID(), patientId: p.id, centre: 'bakulev', profile: 'ischemic_heart_disease', urgency: 'planned' }));
        out.physicians[j % opts.desktops]!.patients.push(p.id);
        out.portal.push({ login: `load-pat-${j}`, patientId: p.id });
      }
    });
  }
  const portalUsers = out.portal.map((p) => user(p.login, 'patient', p.patientId));
  for (let i = 0; i < portalUsers.length; i += 200) await db.insertInto('users').values(portalUsers.slice(i, i + 200)).execute();
  // Patients upload only after consenting to processing (as in the portal): on record up front.
  const consentAt = new Date().toISOString();
  const consents = portalUsers.map((u) => ({ id: crypto.randomUUID(), patient_id: u.patient_id ?? '', user_id: u.id, version: CONSENT_VERSION, given_at: consentAt, ip: null }));
  for (let i = 0; i < consents.length; i += 200) await db.insertInto('patient_consents').values(consents.slice(i, i + 200)).execute();
  return out;
}

/** CPU seconds (user + system) of a process, from /proc; null where there is no /proc. */
function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- load generator

interface Answer {
  status: number;
  body: Buffer;
  ms: number;
  /** Network failure (status 0). */
  error?: string;
}

class Client {
  readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(base: string, sockets: number) {
    const u = new URL(base);
    this.host = u.hostname;
    this.port = Number(u.port);
    // One keep-alive connection per virtual client; keep them all (maxFreeSockets defaults to 256).
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  request(method: string, route: string, opts: { token?: string; json?: unknown; bytes?: Buffer } = {}): Promise<Answer> {
    const headers: Record<string, string | number> = {};
    let body: Buffer | undefined;
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.bytes) {
      body = opts.bytes;
      headers['content-type'] = 'application/octet-stream';
    } else if (opts.json !== undefined) {
      body = Buffer.from(JSON.stringify(opts.json));
      headers['content-type'] = 'application/json';
    }
    if (body) headers['content-length'] = body.length;
    const started = performance.now();
    return new Promise((resolve) => {
      let done = false;
      const finish = (a: Omit<Answer, 'ms'>) => {
        if (done) return;
        done = true;
        resolve({ ...a, ms: performance.now() - started });
      };
      const req = http.request({ host: this.host, port: this.port, method, path: route, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', (err) => finish({ status: 0, body: Buffer.alloc(0), error: (err as NodeJS.ErrnoException).code ?? err.message }));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (err) => finish({ status: 0, body: Buffer.alloc(0), error: (err as NodeJS.ErrnoException).code ?? err.message }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

class Recorder {
  readonly latencies = new Map<string, number[]>();
  readonly errorsBy = new Map<string, number>();

  ok(op: string, ms: number): void {
    let l = this.latencies.get(op);
    if (!l) this.latencies.set(op, (l = []));
    l.push(ms);
  }

  error(op: string, what: string | number, n = 1): void {
    const key = `${op} ${what}`;
    this.errorsBy.set(key, (this.errorsBy.get(key) ?? 0) + n);
  }

  errors(op: string): number {
    let n = 0;
    for (const [k, v] of this.errorsBy) if (k.startsWith(`${op} `)) n += v;
    return n;
  }

  stats(op: string, seconds: number): OpStats {
    const l = [...(this.latencies.get(op) ?? [])].sort((a, b) => a - b);
    const at = (q: number) => (l.length === 0 ? NaN : (l[Math.min(l.length - 1, Math.ceil(q * l.length) - 1)] ?? NaN));
    return { count: l.length, errors: this.errors(op), perSec: l.length / seconds, p50: at(0.5), p99: at(0.99) };
  }
}

const between = ([a, b]: [number, number]) => a + Math.random() * (b - a);
/** Think time, cut short at the end of the run (so the run ends on time and throughput is honest). */
const think = (range: [number, number], until: number) =>
  new Promise<void>((r) => setTimeout(r, Math.max(0, Math.min(between(range), until - performance.now()))));

function failed(rec: Recorder, op: string, a: Answer): void {
  rec.error(op, a.status === 0 ? (a.error ?? 'network') : a.status);
}

/** The same small PDF padded to 200 KB; the tag makes each upload's bytes (and hash) its own. */
const PDF_TAIL = Buffer.from(`${'% bench padding '.repeat(Math.ceil(UPLOAD_BYTES / 16)).slice(0, UPLOAD_BYTES - 200)}\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
function pdf(tag: string): Buffer {
  const head = Buffer.from(`%PDF-1.4\n% ${tag}\n1 0 obj << /Type /Catalog >> endobj\n`, 'latin1');
  return Buffer.concat([head, PDF_TAIL]);
}

interface Desktop {
  token: string;
  clientId: string;
  patients: string[];
  nextId: number;
  pending: Mutation[];
  cursor: number;
  /** Mutation ids the server answered `applied`. */
  acked: number[];
  /** Patient id → the attendingPhysician value of its last acknowledged create/update. */
  expected: Map<string, string>;
}

async function desktopLoop(c: Client, rec: Recorder, d: Desktop, index: number, until: number, stats: { pulled: number }): Promise<void> {
  await think([0, DESKTOP_THINK_MS[1]], until);
  while (performance.now() < until) {
    if (d.pending.length === 0) {
      const k = 1 + Math.floor(Math.random() * 3);
      for (let i = 0; i < k; i++) {
        const id = d.nextId++;
        const value = `Врач ${index}-${id}`;
        const create = d.patients.length === 0 || Math.random() < 0.3;
        d.pending.push(
          create
            ? { id, name: 'patient.create', args: patientArgs(value) }
            : { id, name: 'patient.update', args: { id: d.patients[Math.floor(Math.random() * d.patients.length)], patch: { attendingPhysician: value } } },
        );
      }
    }
    const push = await c.request('POST', '/api/sync/push', { token: d.token, json: { clientId: d.clientId, mutations: d.pending } });
    if (push.status === 200) {
      rec.ok('push', push.ms);
      const results = (JSON.parse(push.body.toString()) as { results: MutationResult[] }).results;
      const settled = new Set<number>();
      for (const r of results) {
        const m = d.pending.find((x) => x.id === r.id);
        if (!m) continue;
        if (r.status === 'deferred') {
          rec.error('push', 'deferred');
          continue;
        }
        settled.add(r.id);
        if (r.status === 'rejected') {
          rec.error('push', `rejected ${r.error.code}`);
          continue;
        }
        d.acked.push(r.id);
        const args = m.args as { id: string; attendingPhysician?: string; patch?: { attendingPhysician: string } };
        if (m.name === 'patient.create') {
          d.patients.push(args.id);
          d.expected.set(args.id, args.attendingPhysician ?? '');
        } else {
          d.expected.set(args.id, args.patch?.attendingPhysician ?? '');
        }
      }
      d.pending = d.pending.filter((m) => !settled.has(m.id));
    } else {
      // Not acknowledged: sent again, with the same ids, next cycle (as the desktop engine does).
      failed(rec, 'push', push);
    }
    for (let page = 0; page < 20; page++) {
      const pull = await c.request('POST', '/api/sync/pull', { token: d.token, json: { since: d.cursor, limit: 1000 } });
      if (pull.status !== 200) {
        failed(rec, 'pull', pull);
        break;
      }
      rec.ok('pull', pull.ms);
      const body = JSON.parse(pull.body.toString()) as PullResponse;
      stats.pulled += body.changes.length;
      d.cursor = body.cursor;
      if (!body.hasMore) break;
    }
    await think(DESKTOP_THINK_MS, until);
  }
}

async function uploaderLoop(c: Client, rec: Recorder, u: { token: string; patientId: string; acked: string[] }, until: number): Promise<void> {
  await think([0, UPLOAD_THINK_MS[1]], until);
  while (performance.now() < until) {
    const id = crypto.randomUUID();
    const q = new URLSearchParams({ type: 'ecg', fileName: `ЭКГ ${id.slice(0, 8)}.pdf`, id });
    const a = await c.request('POST', `/api/patients/${u.patientId}/documents?${q.toString()}`, { token: u.token, bytes: pdf(id) });
    if (a.status === 200) {
      rec.ok('upload', a.ms);
      u.acked.push(id);
    } else failed(rec, 'upload', a);
    await think(UPLOAD_THINK_MS, until);
  }
}

async function healthLoop(c: Client, rec: Recorder, until: number): Promise<void> {
  await think([0, DESKTOP_THINK_MS[1]], until);
  while (performance.now() < until) {
    const a = await c.request('GET', '/api/health');
    if (a.status === 200) rec.ok('health', a.ms);
    else failed(rec, 'health', a);
    await think(DESKTOP_THINK_MS, until);
  }
}

async function signIn(c: Client, logins: string[]): Promise<string[]> {
  const tokens: string[] = new Array<string>(logins.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < logins.length; i = next++) {
      const a = await c.request('POST', '/api/auth/login', { json: { login: logins[i], password: PASSWORD } });
      if (a.status !== 200) throw new Error(`sign-in of ${logins[i]} failed: ${a.status} ${a.error ?? a.body.toString().slice(0, 200)}`);
      tokens[i] = (JSON.parse(a.body.toString()) as { token: string }).token;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return tokens;
}

// ---------------------------------------------------------------- after the run

function* chunks<T>(items: T[], size = 400): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

async function countLost(api: CentralApi, desktops: Desktop[], uploads: string[], pullsAnswered: number): Promise<{ lost: number; details: string[] }> {
  const db = api.ctx.db.kysely;
  let lost = 0;
  const details: string[] = [];
  const note = (n: number, what: string) => {
    if (n === 0) return;
    lost += n;
    details.push(`${n} ${what}`);
  };
  // Every acknowledged mutation id is on record as applied, and no client is behind its acks.
  let missingMutations = 0;
  let clientsBehind = 0;
  for (const part of chunks(desktops, 200)) {
    const ids = part.map((d) => d.clientId);
    const rows = await db.selectFrom('sync_mutations').select(['client_id', 'mutation_id', 'status']).where('client_id', 'in', ids).execute();
    const applied = new Set(rows.filter((r) => r.status === 'applied').map((r) => `${r.client_id} ${Number(r.mutation_id)}`));
    const clients = new Map((await db.selectFrom('sync_clients').select(['client_id', 'last_mutation_id']).where('client_id', 'in', ids).execute()).map((r) => [r.client_id, Number(r.last_mutation_id)]));
    for (const d of part) {
      for (const id of d.acked) if (!applied.has(`${d.clientId} ${id}`)) missingMutations += 1;
      if (d.acked.length > 0 && (clients.get(d.clientId) ?? 0) < Math.max(...d.acked)) clientsBehind += 1;
    }
  }
  note(missingMutations, 'acknowledged mutations missing from sync_mutations');
  note(clientsBehind, 'clients whose last_mutation_id is behind their acknowledged mutations');
  // Every acknowledged create exists, and every patient holds its last acknowledged update, or
  // the value of a later update of the same client that was sent but never answered (a push
  // that timed out on the client may still be applied by the server: that is no lost write).
  const expected = new Map<string, string>();
  const unanswered = new Map<string, Set<string>>();
  for (const d of desktops) {
    for (const [id, v] of d.expected) expected.set(id, v);
    for (const m of d.pending) {
      if (m.name !== 'patient.update') continue;
      const args = m.args as { id: string; patch: { attendingPhysician: string } };
      let set = unanswered.get(args.id);
      if (!set) unanswered.set(args.id, (set = new Set()));
      set.add(args.patch.attendingPhysician);
    }
  }
  let missingPatients = 0;
  let staleUpdates = 0;
  for (const ids of chunks([...expected.keys()])) {
    const rows = new Map((await db.selectFrom('patients').select(['id', 'attending_physician']).where('id', 'in', ids).execute()).map((r) => [r.id, r.attending_physician]));
    for (const id of ids) {
      const value = rows.get(id);
      if (!rows.has(id)) missingPatients += 1;
      else if (value !== expected.get(id) && !(value !== null && value !== undefined && unanswered.get(id)?.has(value))) staleUpdates += 1;
    }
  }
  note(missingPatients, 'acknowledged patients missing');
  note(staleUpdates, 'patients without their last acknowledged update');
  // Every acknowledged upload has its document row and its stored file.
  let missingDocs = 0;
  for (const ids of chunks(uploads)) {
    const rows = await db.selectFrom('documents').select(['id', 'sha256']).where('id', 'in', ids).where('deleted_at', 'is', null).execute();
    missingDocs += ids.length - rows.length;
    for (const r of rows) if (!fs.existsSync(path.join(api.ctx.config.dataDir, 'documents', r.sha256.slice(0, 2), r.sha256.slice(2, 4), r.sha256))) missingDocs += 1;
  }
  note(missingDocs, 'acknowledged uploads without a document row or file');
  // Every answered pull is on record (a pull is audited before it is answered), and the chain
  // that many concurrent appends built still verifies link by link.
  const pullEvents = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'sync.pull').executeTakeFirstOrThrow();
  note(Math.max(0, pullsAnswered - Number(pullEvents.n)), 'answered pulls without their audit event');
  const chain = await verifyAuditChain(db);
  note(chain.ok ? 0 : 1, `audit chain broken at event №${chain.firstBadSeq}: ${chain.reason}`);
  return { lost, details };
}

// ---------------------------------------------------------------- one engine

export async function benchLoad(engine: 'sqlite' | 'postgres', opts: LoadOptions): Promise<LoadFigures> {
  const db = await createDatabase(engine);
  let server: ServerProcess | null = null;
  let client: Client | null = null;
  try {
    const seedStart = performance.now();
    let seeded: Seeded;
    {
      const api = await buildCentralApi(testConfig(db));
      try {
        seeded = await seed(api, opts);
      } finally {
        await api.close();
      }
    }
    const seedS = (performance.now() - seedStart) / 1000;

    // The real server in its own process, production settings, sign-in limit raised (one address).
    server = await spawnServer({ ...envFor(db), NODE_ENV: 'production', OBLAKO_RATE_LIMIT_FACTOR: String(LOAD_RATE_LIMIT_FACTOR) });
    const total = opts.desktops + opts.uploaders;
    client = new Client(server.url, total + 8);

    const signStart = performance.now();
    const tokens = await signIn(client, [...seeded.physicians.map((p) => p.login), ...seeded.portal.map((p) => p.login)]);
    const signInS = (performance.now() - signStart) / 1000;

    // Baseline: the same number of clients, the same think time, GET /api/health.
    const rec = new Recorder();
    const baseStart = performance.now();
    await Promise.all(Array.from({ length: total }, () => healthLoop(client!, rec, baseStart + opts.baselineS * 1000)));
    const baseElapsed = (performance.now() - baseStart) / 1000;

    const desktops: Desktop[] = seeded.physicians.map((p, i) => ({
      token: tokens[i]!,
      clientId: crypto.randomUUID(),
      patients: [...p.patients],
      nextId: 1,
      pending: [],
      cursor: 0,
      acked: [],
      expected: new Map(),
    }));
    const uploaders = seeded.portal.map((p, i) => ({ token: tokens[opts.desktops + i]!, patientId: p.patientId, acked: [] as string[] }));
    const stats = { pulled: 0 };
    const cpu0 = cpuSecondsOf(server.proc.pid);
    const gen0 = process.cpuUsage();
    const start = performance.now();
    const until = start + opts.durationS * 1000;
    await Promise.all([
      ...desktops.map((d, i) => desktopLoop(client!, rec, d, i, until, stats)),
      ...uploaders.map((u) => uploaderLoop(client!, rec, u, until)),
    ]);
    const elapsedS = (performance.now() - start) / 1000;
    const cpu1 = cpuSecondsOf(server.proc.pid);
    const gen = process.cpuUsage(gen0);

    client.close();
    client = null;
    server.proc.kill('SIGTERM');
    await server.exited;
    server = null;

    const api = await buildCentralApi(testConfig(db));
    let lost: { lost: number; details: string[] };
    try {
      lost = await countLost(api, desktops, uploaders.flatMap((u) => u.acked), rec.stats('pull', elapsedS).count);
    } finally {
      await api.close();
    }
    return {
      engine,
      opts,
      baseline: rec.stats('health', baseElapsed),
      pull: rec.stats('pull', elapsedS),
      push: rec.stats('push', elapsedS),
      upload: rec.stats('upload', elapsedS),
      mutationsAcked: desktops.reduce((n, d) => n + d.acked.length, 0),
      uploadsAcked: uploaders.reduce((n, u) => n + u.acked.length, 0),
      pulledChanges: stats.pulled,
      lostWrites: lost.lost,
      lostDetails: lost.details,
      errorsBy: Object.fromEntries(rec.errorsBy),
      elapsedS,
      serverCpuPct: cpu0 !== null && cpu1 !== null ? ((cpu1 - cpu0) / elapsedS) * 100 : null,
      generatorCpuPct: ((gen.user + gen.system) / 1e6 / elapsedS) * 100,
      seedS,
      signInS,
    };
  } finally {
    client?.close();
    if (server) {
      server.proc.kill('SIGTERM');
      await server.exited;
    }
    await db.drop();
  }
}

// ---------------------------------------------------------------- report

export const PULL_P99_TARGET_MS = 200;

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : '—');
const int = (x: number) => Math.round(x).toLocaleString('ru-RU');

/**
 * Runs both engines and prints the figures side by side. Returns false on a hard failure (any
 * error or lost write, in either mode); the latency target is a PASS/FAIL line in full mode only
 * and never fails the run (timing on a shared machine is not a CI gate).
 */
export async function runLoadBench(quick: boolean): Promise<boolean> {
  const opts: LoadOptions = quick ? { desktops: 50, uploaders: 20, durationS: 8, baselineS: 3 } : { desktops: 500, uploaders: 200, durationS: 60, baselineS: 10 };
  const rows: LoadFigures[] = [];
  for (const engine of ['sqlite', 'postgres'] as const) rows.push(await benchLoad(engine, opts));

  console.log(
    `\nНагрузка на центральный API (${quick ? 'быстрый режим' : 'полный режим'}): ${opts.desktops} рабочих мест (push 1–3 мутаций + pull, пауза ${DESKTOP_THINK_MS[0] / 1000}–${DESKTOP_THINK_MS[1] / 1000} с), ` +
      `${opts.uploaders} пользователей портала (загрузка PDF ${UPLOAD_BYTES / 1024} КБ, пауза ${UPLOAD_THINK_MS[0] / 1000}–${UPLOAD_THINK_MS[1] / 1000} с), ${opts.durationS} с; ` +
      `сервер в отдельном процессе (NODE_ENV=production, rateLimitFactor ${LOAD_RATE_LIMIT_FACTOR} для входа с одного адреса); вход не входит в цифры`,
  );
  const cell = (s: OpStats) => `${int(s.count).padStart(7)} ${s.perSec.toFixed(1).padStart(7)} ${ms(s.p50).padStart(6)} ${ms(s.p99).padStart(6)} ${String(s.errors).padStart(4)}`;
  const head = rows.map((r) => (r.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL').padEnd(34)).join(' | ');
  console.log(`operation          | ${head}`);
  console.log(`                   | ${rows.map(() => '  count   ops/s p50 ms p99 ms  err').join(' | ')}`);
  const line = (label: string, pick: (r: LoadFigures) => OpStats) => console.log(`${label.padEnd(18)} | ${rows.map((r) => cell(pick(r))).join(' | ')}`);
  line(`health (baseline)`, (r) => r.baseline);
  line('pull', (r) => r.pull);
  line('push', (r) => r.push);
  line('upload 200 KB', (r) => r.upload);
  for (const r of rows) {
    const errs = Object.entries(r.errorsBy);
    console.log(
      `${r.engine.padEnd(8)}: mutations applied ${int(r.mutationsAcked)} (${(r.mutationsAcked / r.elapsedS).toFixed(1)}/s), uploads ${int(r.uploadsAcked)} (${((r.uploadsAcked * UPLOAD_BYTES) / 1048576 / r.elapsedS).toFixed(1)} MiB/s), ` +
        `changes pulled ${int(r.pulledChanges)}; pull p99 ÷ baseline p99 ${(r.pull.p99 / r.baseline.p99).toFixed(1)}; ` +
        `server CPU ${r.serverCpuPct === null ? '—' : `${Math.round(r.serverCpuPct)}%`}, generator CPU ${Math.round(r.generatorCpuPct)}% (of one core); ` +
        `set-up: seed ${r.seedS.toFixed(1)} s, sign-in ${r.signInS.toFixed(1)} s`,
    );
    console.log(`${r.engine.padEnd(8)}: lost writes: ${r.lostWrites}${r.lostDetails.length ? ` (${r.lostDetails.join('; ')})` : ''}; errors: ${errs.length === 0 ? 0 : errs.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  }
  const hardFailures = rows.filter((r) => r.lostWrites > 0 || Object.keys(r.errorsBy).length > 0);
  if (!quick) {
    const pgRow = rows.find((r) => r.engine === 'postgres');
    if (pgRow) {
      const p99ok = pgRow.pull.p99 < PULL_P99_TARGET_MS;
      const errors = Object.values(pgRow.errorsBy).reduce((a, b) => a + b, 0);
      const pass = p99ok && errors === 0 && pgRow.lostWrites === 0;
      console.log(
        `Цели (PostgreSQL, ${opts.desktops} рабочих мест): p99 pull ${ms(pgRow.pull.p99)} ms < ${PULL_P99_TARGET_MS} ms ${p99ok ? 'PASS' : 'FAIL'}; ` +
          `ошибок ${errors} ${errors === 0 ? 'PASS' : 'FAIL'}; потерянных записей ${pgRow.lostWrites} ${pgRow.lostWrites === 0 ? 'PASS' : 'FAIL'} — ${pass ? 'PASS' : 'FAIL'}`,
      );
    }
  }
  if (hardFailures.length > 0) console.log(`НАГРУЗКА: ошибки или потерянные записи (${hardFailures.map((r) => r.engine).join(', ')}): выход с кодом 1`);
  return hardFailures.length === 0;
}
