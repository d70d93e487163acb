import crypto from 'node:crypto';
import type { Insertable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATIENT_STAGES } from '../../shared/domain/patients.js';
import { OPEN_REQUEST_STATUSES, PIPELINE_TREND_DAYS, type PipelineList, type PipelineRow, type PipelineSummary } from '../../shared/domain/pipeline.js';
import { CENTRES } from '../../shared/reference/index.js';
import type { PatientsTable, RequestsTable } from '../db/schema.js';
import { pipelineList, pipelineSummary } from '../modules/pipeline.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { buildWorld, type World } from './world.js';

/**
 * The manager's pipeline dashboard: every figure of the summary is checked against an independent
 * count over the seeded rows, and every figure's click-through list has exactly that many rows,
 * the right ones. Seeded straight into the tables: the dashboard reads them as they are.
 */
let server: TestServer;
let world: World;

const DAY = 86_400_000;
const db = () => server.api.ctx.db.kysely;
const isoDaysAgo = (days: number, hour = 10) => {
  const d = new Date(Date.now() - days * DAY);
  d.setUTCHours(hour, 15, 0, 0);
  return d.toISOString();
};

const ORGS = ['ГАУЗ «РКБ» Татарстана', 'ГБУЗ «Областная больница №1»', 'ГБУЗ «Городская поликлиника №5»'];
const REGIONS = ['16', '77', '50', null];
const STATUSES = ['new', 'under_review', 'scheduled', 'consulted', 'conclusion_issued', 'cancelled'] as const;

/** A deterministic, realistic mix: every stage, several regions, both centres, overdue and not. */
function seedRows(n: number, opts: { orgCount?: number } = {}) {
  const patients: Insertable<PatientsTable>[] = [];
  const requests: Insertable<RequestsTable>[] = [];
  const orgCount = opts.orgCount ?? ORGS.length;
  for (let i = 0; i < n; i += 1) {
    const id = crypto.randomUUID();
    const created = isoDaysAgo(40);
    patients.push({
      id,
      last_name: `Фамилия${String(i % 97).padStart(2, '0')}`,
      first_name: `Имя${i}`,
      middle_name: i % 5 === 0 ? null : 'Петрович',
      sex: i % 2 ? 'male' : 'female',
      birth_date: `19${50 + (i % 50)}-0${(i % 9) + 1}-1${i % 10}`,
      snils: null,
      enp: null,
      phone: null,
      region: REGIONS[Math.floor(i / 4) % REGIONS.length] ?? null,
      referring_organization: i % 7 === 6 ? null : orgCount <= ORGS.length ? (ORGS[i % orgCount] ?? null) : `Организация ${i % orgCount}`,
      attending_physician: null,
      referred_by: null,
      created_by: null,
      created_at: created,
      updated_at: created,
      stage: PATIENT_STAGES[i % PATIENT_STAGES.length] ?? 'imported',
      batch_id: null,
      batch_row: null,
    });
    // 0, 1, 2 or 3 requests; some to both centres; days spread over the window and beyond it.
    const k = i % 4;
    for (let j = 0; j < k; j += 1) {
      const centre = CENTRES[(i + j) % CENTRES.length]?.code ?? 'bakulev';
      const status = STATUSES[(i * 3 + j) % STATUSES.length] ?? 'new';
      const daysAgo = (i * 7 + j * 11) % (PIPELINE_TREND_DAYS + 6);
      const createdAt = isoDaysAgo(daysAgo, (i + j) % 24);
      // Half are due in the past: overdue when still open.
      const dueAt = (i + j) % 2 ? isoDaysAgo(1) : new Date(Date.now() + 3 * DAY).toISOString();
      requests.push({
        id: crypto.randomUUID(),
        patient_id: id,
        centre,
        profile: centre === 'bakulev' ? 'ischemic_heart_disease' : 'female_genital_oncology',
        source: j === 2 ? 'self_application' : 'referral',
        status,
        icd10: null,
        diagnosis: null,
        complaints: null,
        urgency: 'planned',
        pregnancy_weeks: null,
        note: null,
        referred_by: null,
        assigned_doctor_id: null,
        due_at: dueAt,
        created_at: createdAt,
        updated_at: createdAt,
      });
    }
  }
  return { patients, requests };
}

async function insertChunked(rows: { patients: Insertable<PatientsTable>[]; requests: Insertable<RequestsTable>[] }) {
  for (let i = 0; i < rows.patients.length; i += 500) await db().insertInto('patients').values(rows.patients.slice(i, i + 500)).execute();
  for (let i = 0; i < rows.requests.length; i += 500) await db().insertInto('consultation_requests').values(rows.requests.slice(i, i + 500)).execute();
}

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
  await insertChunked(seedRows(120));
});
afterAll(async () => server?.close());

async function summary(): Promise<PipelineSummary> {
  const res = await call<PipelineSummary>(server.url, 'GET', '/api/pipeline', { token: world.manager.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Every row behind a filter, page by page over HTTP, and the totals each page reported. */
async function listAll(filter: Record<string, string>, pageSize = 37): Promise<{ rows: PipelineRow[]; total: number }> {
  const rows: PipelineRow[] = [];
  let total = -1;
  for (let offset = 0; ; offset += pageSize) {
    const q = new URLSearchParams({ ...filter, limit: String(pageSize), offset: String(offset) });
    const res = await call<PipelineList>(server.url, 'GET', `/api/pipeline/rows?${q.toString()}`, { token: world.manager.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (total === -1) total = res.body.total;
    expect(res.body.total).toBe(total);
    rows.push(...res.body.items);
    if (res.body.items.length < pageSize) break;
  }
  return { rows, total };
}

/** The whole database as plain rows, for independent counting. */
async function everything() {
  const patients = await db().selectFrom('patients').selectAll().execute();
  const requests = await db().selectFrom('consultation_requests').selectAll().execute();
  return { patients, requests };
}

const sorted = (xs: Iterable<string>) => [...xs].sort();
const isOverdue = (r: { status: string; due_at: string }, now: string) => (OPEN_REQUEST_STATUSES as readonly string[]).includes(r.status) && r.due_at < now;

describe('pipeline summary and the lists behind it', () => {
  it('counts match an independent count over the tables', async () => {
    const s = await summary();
    const { patients, requests } = await everything();
    expect(s.totalPatients).toBe(patients.length);
    expect(s.totalRequests).toBe(requests.length);
    expect(s.overdue).toBe(requests.filter((r) => isOverdue(r, s.generatedAt)).length);
    expect(s.overdue).toBeGreaterThan(0);

    expect(s.byStage.map((b) => b.stage)).toEqual([...PATIENT_STAGES]);
    for (const b of s.byStage) expect(b.count, b.stage).toBe(patients.filter((p) => p.stage === b.stage).length);

    const regionCodes = new Set(patients.map((p) => p.region).filter((r): r is string => r !== null));
    expect(sorted(s.byRegion.map((b) => b.region))).toEqual(sorted(regionCodes));
    for (const b of s.byRegion) expect(b.count, b.region).toBe(patients.filter((p) => p.region === b.region).length);
    expect(s.byRegion.map((b) => b.count)).toEqual([...s.byRegion.map((b) => b.count)].sort((a, b) => b - a));
    expect(s.byRegion.find((b) => b.region === '16')?.name).toBe('Республика Татарстан');

    expect(s.byCentre.map((b) => b.centre)).toEqual(CENTRES.map((c) => c.code));
    for (const b of s.byCentre) expect(b.count, b.centre).toBe(new Set(requests.filter((r) => r.centre === b.centre).map((r) => r.patient_id)).size);

    const orgs = new Map<string, number>();
    for (const p of patients) if (p.referring_organization) orgs.set(p.referring_organization, (orgs.get(p.referring_organization) ?? 0) + 1);
    // Ties are ordered by the engine's collation, so compare as a map plus the order of counts.
    expect(new Map(s.byOrganization.map((o) => [o.organization, o.count]))).toEqual(orgs);
    expect(s.byOrganization.map((b) => b.count)).toEqual([...s.byOrganization.map((b) => b.count)].sort((a, b) => b - a));

    expect(s.trend).toHaveLength(PIPELINE_TREND_DAYS);
    expect(s.trend.at(-1)?.day).toBe(s.generatedAt.slice(0, 10));
    for (const t of s.trend) expect(t.count, t.day).toBe(requests.filter((r) => r.created_at.slice(0, 10) === t.day).length);
    expect(s.trend.some((t) => t.count === 0) || requests.length > PIPELINE_TREND_DAYS).toBe(true);
    // Requests older than the window are not in the trend.
    const inWindow = s.trend.reduce((a, t) => a + t.count, 0);
    expect(inWindow).toBeLessThan(requests.length);
  });

  it('every stage bar lists exactly its patients, each with their latest request', async () => {
    const s = await summary();
    const { patients, requests } = await everything();
    for (const b of s.byStage) {
      const list = await listAll({ stage: b.stage });
      expect(list.total, b.stage).toBe(b.count);
      expect(list.rows).toHaveLength(b.count);
      expect(sorted(list.rows.map((r) => r.patientId))).toEqual(sorted(patients.filter((p) => p.stage === b.stage).map((p) => p.id)));
      for (const row of list.rows) {
        expect(row.stage).toBe(b.stage);
        const mine = requests.filter((r) => r.patient_id === row.patientId).sort((x, y) => (x.created_at < y.created_at ? 1 : x.created_at > y.created_at ? -1 : x.id < y.id ? 1 : -1));
        expect(row.requestId).toBe(mine[0]?.id ?? null);
        if (mine[0]) expect(row).toMatchObject({ centre: mine[0].centre, requestStatus: mine[0].status, dueAt: mine[0].due_at, requestCreatedAt: mine[0].created_at });
        else expect(row).toMatchObject({ centre: null, requestStatus: null, dueAt: null, overdue: false, source: null });
      }
    }
  });

  it('every region and organisation bar lists exactly its patients', async () => {
    const s = await summary();
    const { patients } = await everything();
    for (const b of s.byRegion) {
      const list = await listAll({ region: b.region });
      expect(list.total, b.region).toBe(b.count);
      expect(sorted(list.rows.map((r) => r.patientId))).toEqual(sorted(patients.filter((p) => p.region === b.region).map((p) => p.id)));
    }
    for (const b of s.byOrganization) {
      const list = await listAll({ organization: b.organization });
      expect(list.total, b.organization).toBe(b.count);
      expect(list.rows.every((r) => r.organization === b.organization)).toBe(true);
      expect(sorted(list.rows.map((r) => r.patientId))).toEqual(sorted(patients.filter((p) => p.referring_organization === b.organization).map((p) => p.id)));
    }
  });

  it('every centre bar lists its patients once, with their latest request to that centre', async () => {
    const s = await summary();
    const { requests } = await everything();
    for (const b of s.byCentre) {
      const list = await listAll({ centre: b.centre });
      expect(list.total, b.centre).toBe(b.count);
      const toCentre = requests.filter((r) => r.centre === b.centre);
      expect(sorted(list.rows.map((r) => r.patientId))).toEqual(sorted(new Set(toCentre.map((r) => r.patient_id))));
      for (const row of list.rows) {
        expect(row.centre).toBe(b.centre);
        const latest = toCentre.filter((r) => r.patient_id === row.patientId).reduce((a, r) => (r.created_at > a.created_at || (r.created_at === a.created_at && r.id > a.id) ? r : a));
        expect(row.requestId).toBe(latest.id);
      }
    }
  });

  it('the overdue number and every trend day list exactly their requests', async () => {
    const s = await summary();
    const { requests } = await everything();
    const overdue = await listAll({ overdue: 'true' });
    expect(overdue.total).toBe(s.overdue);
    expect(sorted(overdue.rows.map((r) => r.requestId ?? ''))).toEqual(sorted(requests.filter((r) => isOverdue(r, s.generatedAt)).map((r) => r.id)));
    expect(overdue.rows.every((r) => r.overdue && (OPEN_REQUEST_STATUSES as readonly string[]).includes(r.requestStatus ?? ''))).toBe(true);
    // Most overdue first.
    const dues = overdue.rows.map((r) => r.dueAt ?? '');
    expect(dues).toEqual([...dues].sort());

    const notOverdue = await listAll({ overdue: 'false' });
    expect(notOverdue.total + overdue.total).toBe(s.totalRequests);

    // The «заявок» total lists every request once.
    const all = await listAll({ requests: 'true' });
    expect(all.total).toBe(s.totalRequests);
    expect(sorted(all.rows.map((r) => r.requestId ?? ''))).toEqual(sorted(requests.map((r) => r.id)));

    let nonEmpty = 0;
    for (const t of s.trend) {
      const list = await listAll({ day: t.day });
      expect(list.total, t.day).toBe(t.count);
      expect(sorted(list.rows.map((r) => r.requestId ?? ''))).toEqual(sorted(requests.filter((r) => r.created_at.slice(0, 10) === t.day).map((r) => r.id)));
      expect(list.rows.every((r) => r.requestCreatedAt?.slice(0, 10) === t.day)).toBe(true);
      if (t.count > 0) nonEmpty += 1;
    }
    expect(nonEmpty).toBeGreaterThan(5);
  });

  it('filters combine with AND', async () => {
    const { patients, requests } = await everything();
    const list = await listAll({ region: '16', centre: 'kulakov' });
    const expected = patients.filter((p) => p.region === '16' && requests.some((r) => r.patient_id === p.id && r.centre === 'kulakov'));
    expect(list.total).toBe(expected.length);
    expect(list.total).toBeGreaterThan(0);
    const s = await summary();
    const overdueAtBakulev = await listAll({ overdue: 'true', centre: 'bakulev' });
    expect(overdueAtBakulev.total).toBe(requests.filter((r) => r.centre === 'bakulev' && isOverdue(r, s.generatedAt)).length);
  });

  it('pages do not overlap and respect the limit', async () => {
    const all = await listAll({}, 500);
    expect(all.total).toBe((await summary()).totalPatients);
    const paged = await listAll({}, 13);
    expect(paged.rows.map((r) => r.patientId)).toEqual(all.rows.map((r) => r.patientId));
    expect(new Set(paged.rows.map((r) => r.patientId)).size).toBe(paged.rows.length);
  });

  it('is for the manager only', async () => {
    for (const who of [world.physicianA, world.doctorBakulev, world.patientA, world.admin]) {
      const s = await call(server.url, 'GET', '/api/pipeline', { token: who.token });
      expect(s.status, who.login).toBe(403);
      const l = await call(server.url, 'GET', '/api/pipeline/rows?stage=imported', { token: who.token });
      expect(l.status, who.login).toBe(403);
      await expect(pipelineSummary(db(), who.actor)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(pipelineList(db(), who.actor, {}, { limit: 10, offset: 0 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await call(server.url, 'GET', '/api/pipeline')).status).toBe(401);
  });

  it('refuses a malformed filter', async () => {
    for (const q of ['stage=nonsense', 'overdue=yes', 'day=2026-13-01', 'limit=100000', 'centre=nowhere', 'unknown=1']) {
      const res = await call<{ error: { code: string } }>(server.url, 'GET', `/api/pipeline/rows?${q}`, { token: world.manager.token });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('audits who opened which list', async () => {
    await listAll({ stage: 'imported' }, 500);
    const ev = await db().selectFrom('audit_events').select(['action', 'details', 'actor_id']).where('action', '=', 'pipeline.list').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(ev.actor_id).toBe(world.manager.id);
    expect(JSON.parse(ev.details ?? '{}')).toMatchObject({ filter: { stage: 'imported' } });
  });
});
