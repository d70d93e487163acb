import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import { PATIENT_STAGES, PatientStage } from '../../shared/domain/patients.js';
import {
  OPEN_REQUEST_STATUSES,
  PIPELINE_TREND_DAYS,
  type PipelineFilter,
  type PipelineList,
  type PipelineRow,
  type PipelineSummary,
} from '../../shared/domain/pipeline.js';
import { CentreCode, RequestSource, RequestStatus } from '../../shared/domain/requests.js';
import { CENTRES, REGIONS } from '../../shared/reference/index.js';
import type { Actor } from '../auth/actor.js';
import type { Database } from '../db/schema.js';
import { forbidden } from '../errors.js';
import { createLogger } from '../logger.js';

/**
 * The manager's pipeline dashboard (shared/domain/pipeline.ts). Every figure is one GROUP BY in
 * the database, and every list applies the very same predicate as the figure it explains, so a
 * list's `total` is the number on the chart by construction, not by coincidence.
 */
const log = createLogger('pipeline');

/** The request's UTC day: timestamps are ISO text on both engines, so the prefix is the day. */
const requestDay = sql<string>`substr(r.created_at, 1, 10)`;
const OPEN = [...OPEN_REQUEST_STATUSES];
const ORGANIZATION_LIMIT = 20;
const REGION_NAMES = new Map<string, string>(REGIONS.map((r) => [r.code, r.name]));

const requireManager = (actor: Actor) => {
  if (actor.role !== 'manager') throw forbidden();
};

const num = (v: unknown) => Number(v ?? 0);

/** The oldest day of the trend window (UTC), as `YYYY-MM-DD`. */
function trendStart(now: Date): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (PIPELINE_TREND_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
}

export async function pipelineSummary(db: Kysely<Database>, actor: Actor): Promise<PipelineSummary> {
  requireManager(actor);
  const started = Date.now();
  const now = new Date();
  const nowIso = now.toISOString();
  const from = trendStart(now);

  // Independent reads: a write landing between two of them can shift one figure by one, which a
  // dashboard tolerates; each list re-reads with the same predicate anyway.
  const [patients, requests, overdue, stages, regions, centres, organizations, days] = await Promise.all([
    db.selectFrom('patients').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('consultation_requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    db
      .selectFrom('consultation_requests as r')
      .select((eb) => eb.fn.countAll().as('n'))
      .where((eb) => overduePredicate(eb, nowIso))
      .executeTakeFirstOrThrow(),
    db.selectFrom('patients').select(['stage', (eb) => eb.fn.countAll().as('n')]).groupBy('stage').execute(),
    db
      .selectFrom('patients')
      .select(['region', (eb) => eb.fn.countAll().as('n')])
      .where('region', 'is not', null)
      .groupBy('region')
      .execute(),
    db
      .selectFrom('consultation_requests')
      .select(['centre', (eb) => eb.fn.count('patient_id').distinct().as('n')])
      .groupBy('centre')
      .execute(),
    db
      .selectFrom('patients')
      .select(['referring_organization', (eb) => eb.fn.countAll().as('n')])
      .where('referring_organization', 'is not', null)
      .groupBy('referring_organization')
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('referring_organization')
      .limit(ORGANIZATION_LIMIT)
      .execute(),
    db
      .selectFrom('consultation_requests as r')
      .select([requestDay.as('day'), (eb) => eb.fn.countAll().as('n')])
      // The range on the raw column keeps an index on created_at usable; the bucket is the prefix.
      .where('r.created_at', '>=', from)
      .groupBy(requestDay)
      .execute(),
  ]);

  const stageCounts = new Map(stages.map((s) => [s.stage, num(s.n)]));
  const centreCounts = new Map(centres.map((c) => [c.centre, num(c.n)]));
  const dayCounts = new Map(days.map((d) => [d.day, num(d.n)]));
  const trend: PipelineSummary['trend'] = [];
  const fromMs = Date.parse(`${from}T00:00:00.000Z`);
  for (let i = 0; i < PIPELINE_TREND_DAYS; i += 1) {
    const day = new Date(fromMs + i * 86_400_000).toISOString().slice(0, 10);
    trend.push({ day, count: dayCounts.get(day) ?? 0 });
  }

  const summary: PipelineSummary = {
    generatedAt: nowIso,
    totalPatients: num(patients.n),
    totalRequests: num(requests.n),
    overdue: num(overdue.n),
    byStage: PATIENT_STAGES.map((stage) => ({ stage, count: stageCounts.get(stage) ?? 0 })),
    byRegion: regions
      .map((r) => ({ region: r.region ?? '', name: REGION_NAMES.get(r.region ?? '') ?? r.region ?? '', count: num(r.n) }))
      .sort((a, b) => b.count - a.count || a.region.localeCompare(b.region)),
    byCentre: CENTRES.map((c) => ({ centre: c.code, name: c.shortName, count: centreCounts.get(c.code) ?? 0 })),
    byOrganization: organizations.map((o) => ({ organization: o.referring_organization ?? '', count: num(o.n) })),
    trend,
  };
  log.debug({ ms: Date.now() - started, patients: summary.totalPatients }, 'pipeline summary');
  return summary;
}

function overduePredicate(eb: ExpressionBuilder<Database & { r: Database['consultation_requests'] }, 'r'>, nowIso: string) {
  return eb.and([eb('r.status', 'in', OPEN), eb('r.due_at', '<', nowIso)]);
}

/** The patient-level part of a filter, on `patients as p`. */
function patientWhere<QB extends SelectQueryBuilder<Database & { p: Database['patients'] }, 'p', object>>(qb: QB, filter: PipelineFilter): QB {
  let q = qb;
  if (filter.stage) q = q.where('p.stage', '=', filter.stage) as QB;
  if (filter.region) q = q.where('p.region', '=', filter.region) as QB;
  if (filter.organization) q = q.where('p.referring_organization', '=', filter.organization) as QB;
  return q;
}

interface RowSource {
  patient_id: string;
  last_name: string;
  first_name: string;
  middle_name: string | null;
  birth_date: string;
  region: string | null;
  referring_organization: string | null;
  stage: string;
  request_id: string | null;
  centre: string | null;
  profile: string | null;
  source: string | null;
  status: string | null;
  due_at: string | null;
  request_created_at: string | null;
}

function toRow(r: RowSource, nowIso: string): PipelineRow {
  const status = r.status === null ? null : RequestStatus.parse(r.status);
  return {
    patientId: r.patient_id,
    fullName: [r.last_name, r.first_name, r.middle_name].filter((s): s is string => !!s).join(' '),
    birthDate: r.birth_date,
    region: r.region,
    organization: r.referring_organization,
    stage: PatientStage.parse(r.stage),
    requestId: r.request_id,
    centre: r.centre === null ? null : CentreCode.parse(r.centre),
    profile: r.profile,
    source: r.source === null ? null : RequestSource.parse(r.source),
    requestStatus: status,
    dueAt: r.due_at,
    overdue: status !== null && r.due_at !== null && (OPEN as string[]).includes(status) && r.due_at < nowIso,
    requestCreatedAt: r.request_created_at,
  };
}

/**
 * The list behind a figure. Patient filters list patients (with their latest request, or the
 * latest to the filtered centre); `overdue`, `day` or `requests` list requests. Each predicate is the one the
 * summary counts with, so `total` equals the figure.
 */
export async function pipelineList(db: Kysely<Database>, actor: Actor, filter: PipelineFilter, page: { limit: number; offset: number }): Promise<PipelineList> {
  requireManager(actor);
  const nowIso = new Date().toISOString();
  const requestMode = filter.overdue !== undefined || filter.day !== undefined || filter.requests === true;
  return requestMode ? requestList(db, filter, page, nowIso) : patientList(db, filter, page, nowIso);
}

async function requestList(db: Kysely<Database>, filter: PipelineFilter, page: { limit: number; offset: number }, nowIso: string): Promise<PipelineList> {
  let base = patientWhere(db.selectFrom('consultation_requests as r').innerJoin('patients as p', 'p.id', 'r.patient_id'), filter);
  if (filter.centre) base = base.where('r.centre', '=', filter.centre);
  if (filter.overdue === true) base = base.where((eb) => overduePredicate(eb, nowIso));
  // `overdue: false` is the complement: everything the overdue figure does not count.
  if (filter.overdue === false) base = base.where((eb) => eb.not(overduePredicate(eb, nowIso)));
  if (filter.day) {
    // The bucket expression is the truth (the trend counts with it); the range on the raw column
    // only lets an index on created_at narrow the scan, and holds for the same rows.
    const next = new Date(Date.parse(`${filter.day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
    base = base.where('r.created_at', '>=', filter.day).where('r.created_at', '<', next).where(requestDay, '=', filter.day);
  }

  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .select([
      'p.id as patient_id',
      'p.last_name',
      'p.first_name',
      'p.middle_name',
      'p.birth_date',
      'p.region',
      'p.referring_organization',
      'p.stage',
      'r.id as request_id',
      'r.centre',
      'r.profile',
      'r.source',
      'r.status',
      'r.due_at',
      'r.created_at as request_created_at',
    ])
    // A day's requests in the order they came; otherwise (overdue) the most overdue first.
    .orderBy(filter.day ? 'r.created_at' : 'r.due_at')
    .orderBy('r.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { items: rows.map((r) => toRow(r, nowIso)), total: num(total.n) };
}

async function patientList(db: Kysely<Database>, filter: PipelineFilter, page: { limit: number; offset: number }, nowIso: string): Promise<PipelineList> {
  let base = patientWhere(db.selectFrom('patients as p'), filter);
  const centre = filter.centre;
  if (centre) {
    // The centre figure counts distinct patients with any request to the centre.
    base = base.where((eb) =>
      eb.exists(eb.selectFrom('consultation_requests as rc').select(sql`1`.as('one')).whereRef('rc.patient_id', '=', 'p.id').where('rc.centre', '=', centre)),
    );
  }
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  // Page the patients first, then fetch the latest request of just those: the join never runs
  // over the whole table.
  const patients = await base
    .select(['p.id as patient_id', 'p.last_name', 'p.first_name', 'p.middle_name', 'p.birth_date', 'p.region', 'p.referring_organization', 'p.stage'])
    .orderBy('p.last_name')
    .orderBy('p.first_name')
    .orderBy('p.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const ids = patients.map((p) => p.patient_id);
  const latest = new Map<string, { id: string; centre: string; profile: string; source: string; status: string; due_at: string; created_at: string }>();
  if (ids.length > 0) {
    const requests = await db
      .selectFrom('consultation_requests')
      .select(['id', 'patient_id', 'centre', 'profile', 'source', 'status', 'due_at', 'created_at'])
      .where('patient_id', 'in', ids)
      .$if(!!centre, (q) => q.where('centre', '=', centre ?? ''))
      .execute();
    for (const r of requests) {
      const seen = latest.get(r.patient_id);
      if (!seen || r.created_at > seen.created_at || (r.created_at === seen.created_at && r.id > seen.id)) latest.set(r.patient_id, r);
    }
  }
  const items = patients.map((p) => {
    const r = latest.get(p.patient_id);
    return toRow(
      {
        ...p,
        request_id: r?.id ?? null,
        centre: r?.centre ?? null,
        profile: r?.profile ?? null,
        source: r?.source ?? null,
        status: r?.status ?? null,
        due_at: r?.due_at ?? null,
        request_created_at: r?.created_at ?? null,
      },
      nowIso,
    );
  });
  return { items, total: num(total.n) };
}
