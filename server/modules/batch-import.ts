import crypto from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type {
  BatchDuplicates,
  DuplicateCandidate,
  DuplicateReason,
  ImportDecision,
  ImportDecisionKind,
  ImportOutcome,
  ImportProgress,
  ImportRowResult,
  ImportStatus,
  RowDuplicates,
} from '../../shared/domain/batch-import.js';
import type { ReferralBatch, ReferralBatchRow, ReferralRowFields } from '../../shared/domain/referrals.js';
import { BatchStatus } from '../../shared/domain/referrals.js';
import { OPEN_REQUEST_STATUSES } from '../../shared/domain/pipeline.js';
import { dueAtFor } from '../../shared/domain/requests.js';
import { normaliseIcd10 } from '../../shared/reference/index.js';
import type { Actor } from '../auth/actor.js';
import { generateOneTimeSecret, hashOneTimeSecret } from '../auth/passwords.js';
import { appendAudit } from '../audit/audit-log.js';
import { writeTransaction, type AppContext, type WriteScope } from '../context.js';
import type { Database, PatientsTable, RequestsTable, UsersTable } from '../db/schema.js';
import { AppError, forbidden } from '../errors.js';
import { createLogger } from '../logger.js';
import { newSmsId, OutboxSmsGateway, type SmsGateway, type SmsMessage } from '../sms/gateway.js';
import { getVisibleBatch } from './referral-batches.js';
import { refreshPatientStage } from './patient-stage.js';

const log = createLogger('batch-import');

/**
 * The manager's bulk import: a referral batch (status `sent`) becomes patients, consultation
 * requests, patient accounts with one-time passwords and credentials SMS, row by row as decided
 * (create / link / skip). It runs in chunks, one transaction each; a chunk writes its rows'
 * outcomes to `batch_import_rows` together with everything it creates, so a crash loses no
 * committed row and a re-run starts after the last committed one. Patient and request ids are
 * derived from (batch, row), and (batch_id, row) is unique in the outcomes, so nothing can be
 * created twice even by two runs at once.
 */

const IN_CHUNK = 400;

// ─── duplicate candidates ────────────────────────────────────────────────────────────────────

type CandidateMap = Map<number, Map<string, DuplicateCandidate>>;

const identityKey = (f: Pick<ReferralRowFields, 'lastName' | 'firstName' | 'birthDate' | 'phone'>) =>
  [f.lastName.toLowerCase(), f.firstName.toLowerCase(), f.birthDate, f.phone].join('\n');

/** Existing patients matching each row by СНИЛС, ЕНП, or surname + name + birth date + phone. */
async function candidatesFor(db: Kysely<Database>, batchId: string, rows: readonly ReferralBatchRow[]): Promise<CandidateMap> {
  const out: CandidateMap = new Map(rows.map((r) => [r.row, new Map()]));
  const add = (row: number, p: PatientMatch, why: DuplicateReason) => {
    // A row's own patient (made by this import) is not its duplicate.
    if (p.batch_id === batchId && Number(p.batch_row) === row) return;
    const m = out.get(row);
    if (!m) return;
    const c = m.get(p.id) ?? {
      id: p.id,
      lastName: p.last_name,
      firstName: p.first_name,
      middleName: p.middle_name,
      birthDate: p.birth_date,
      snils: p.snils,
      why: [],
      openRequestId: null,
    };
    if (!c.why.includes(why)) c.why.push(why);
    m.set(p.id, c);
  };
  const select = () =>
    db.selectFrom('patients').select(['id', 'last_name', 'first_name', 'middle_name', 'birth_date', 'snils', 'enp', 'phone', 'batch_id', 'batch_row']);
  const bySnils = group(rows, (r) => r.fields.snils);
  const byEnp = group(rows, (r) => r.fields.enp);
  const byPhone = group(rows, (r) => r.fields.phone);
  for (const keys of chunks([...bySnils.keys()])) {
    for (const p of await select().where('snils', 'in', keys).execute()) for (const r of bySnils.get(p.snils ?? '') ?? []) add(r.row, p, 'snils');
  }
  for (const keys of chunks([...byEnp.keys()])) {
    for (const p of await select().where('enp', 'in', keys).execute()) for (const r of byEnp.get(p.enp ?? '') ?? []) add(r.row, p, 'enp');
  }
  for (const keys of chunks([...byPhone.keys()])) {
    for (const p of await select().where('phone', 'in', keys).execute()) {
      for (const r of byPhone.get(p.phone ?? '') ?? []) {
        if (identityKey(r.fields) === identityKey({ lastName: p.last_name, firstName: p.first_name, birthDate: p.birth_date, phone: p.phone ?? '' })) {
          add(r.row, p, 'name_birth_phone');
        }
      }
    }
  }
  await markOpenRequests(db, rows, out);
  return out;
}

/** Sets `openRequestId` on candidates that already have an open request to the row's centre and profile. */
async function markOpenRequests(db: Kysely<Database>, rows: readonly ReferralBatchRow[], out: CandidateMap): Promise<void> {
  const ids = [...new Set([...out.values()].flatMap((m) => [...m.keys()]))];
  if (ids.length === 0) return;
  const open = new Map<string, string>();
  for (const page of chunks(ids)) {
    const reqs = await db
      .selectFrom('consultation_requests')
      .select(['id', 'patient_id', 'centre', 'profile', 'status'])
      .where('patient_id', 'in', page)
      .execute();
    // Status filtered here, not in SQL: with both IN-lists SQLite picks the status index and
    // scans every open request per page (quadratic in a bulk import); by patient it is a lookup.
    for (const q of reqs) if ((OPEN_REQUEST_STATUSES as readonly string[]).includes(q.status)) open.set(`${q.patient_id}\n${q.centre}\n${q.profile}`, q.id);
  }
  for (const r of rows) {
    for (const c of out.get(r.row)?.values() ?? []) c.openRequestId = open.get(`${c.id}\n${r.fields.centre}\n${r.fields.profile}`) ?? null;
  }
}

interface PatientMatch {
  id: string;
  last_name: string;
  first_name: string;
  middle_name: string | null;
  birth_date: string;
  snils: string | null;
  batch_id: string | null;
  batch_row: number | null;
}

function group<T>(items: readonly T[], key: (t: T) => string | null): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    if (k === null) continue;
    const list = m.get(k) ?? [];
    list.push(i);
    m.set(k, list);
  }
  return m;
}

function chunks<T>(items: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * `create` with no candidate; for the one patient matching by СНИЛС or ЕНП: `skip` when they
 * already have an open request to the row's centre and profile (the row was re-sent), else
 * `link`; anything else waits for the manager.
 */
export function defaultDecision(candidates: readonly DuplicateCandidate[]): { decision: ImportDecisionKind | null; patientId: string | null } {
  if (candidates.length === 0) return { decision: 'create', patientId: null };
  const strong = candidates.filter((c) => c.why.includes('snils') || c.why.includes('enp'));
  const only = strong.length === 1 ? strong[0] : undefined;
  if (only) return only.openRequestId ? { decision: 'skip', patientId: null } : { decision: 'link', patientId: only.id };
  return { decision: null, patientId: null };
}

interface SavedDecision {
  decision: ImportDecisionKind;
  patientId: string | null;
}

async function savedDecisions(db: Kysely<Database>, batchId: string, rows?: readonly number[]): Promise<Map<number, SavedDecision>> {
  const out = new Map<number, SavedDecision>();
  const load = (q: number[] | null) =>
    db
      .selectFrom('batch_import_decisions')
      .select(['row', 'decision', 'patient_id'])
      .where('batch_id', '=', batchId)
      .$if(q !== null, (s) => s.where('row', 'in', q ?? []))
      .execute();
  const pages = rows ? chunks(rows) : [null];
  for (const page of pages) {
    for (const d of await load(page)) out.set(Number(d.row), { decision: d.decision as ImportDecisionKind, patientId: d.patient_id });
  }
  return out;
}

async function outcomesOf(db: Kysely<Database>, batchId: string): Promise<ImportRowResult[]> {
  const rows = await db
    .selectFrom('batch_import_rows')
    .select(['row', 'outcome', 'patient_id', 'request_id', 'reason'])
    .where('batch_id', '=', batchId)
    .orderBy('row')
    .execute();
  return rows.map((r) => ({ row: Number(r.row), outcome: r.outcome as ImportOutcome, patientId: r.patient_id, requestId: r.request_id, reason: r.reason }));
}

function requireManager(actor: Actor): void {
  if (actor.role !== 'manager') throw forbidden();
}

/** Per row of the batch: the candidate patients, the default decision, the saved one, the outcome. */
export async function findDuplicateCandidates(db: Kysely<Database>, actor: Actor, batchId: string): Promise<BatchDuplicates> {
  requireManager(actor);
  const batch = await getVisibleBatch(db, actor, batchId);
  const [candidates, decisions, outcomes] = await Promise.all([
    candidatesFor(db, batchId, batch.rows),
    savedDecisions(db, batchId),
    outcomesOf(db, batchId),
  ]);
  const outcomeOf = new Map(outcomes.map((o) => [o.row, o.outcome]));
  const rows: RowDuplicates[] = batch.rows.map((r) => {
    const list = [...(candidates.get(r.row)?.values() ?? [])];
    const d = defaultDecision(list);
    const saved = decisions.get(r.row);
    return {
      row: r.row,
      candidates: list,
      defaultDecision: d.decision,
      defaultPatientId: d.patientId,
      decision: saved?.decision ?? null,
      decisionPatientId: saved?.patientId ?? null,
      outcome: outcomeOf.get(r.row) ?? null,
    };
  });
  const undecided = rows.filter((r) => r.outcome === null && r.decision === null && r.defaultDecision === null).map((r) => r.row);
  return { batchId, rows, undecided };
}

// ─── decisions ───────────────────────────────────────────────────────────────────────────────

const OPEN: readonly string[] = ['sent', 'importing'];

/**
 * Saves the manager's decisions for rows of a batch, all or nothing: an unknown row, a link
 * without a patient or to a patient that does not exist, or a row already imported refuses the
 * whole request.
 */
export async function saveDecisions(w: WriteScope, actor: Actor, batchId: string, decisions: readonly ImportDecision[]): Promise<{ saved: number }> {
  requireManager(actor);
  const batch = await getVisibleBatch(w.tx, actor, batchId);
  if (!OPEN.includes(batch.status)) {
    throw new AppError('INVALID_STATE', 'Таблица уже импортирована или отклонена: решения по строкам больше не принимаются.');
  }
  const known = new Set(batch.rows.map((r) => r.row));
  const issues: { path: string; message: string }[] = [];
  const seen = new Set<number>();
  decisions.forEach((d, i) => {
    const path = `decisions.${i}`;
    if (!known.has(d.row)) issues.push({ path: `${path}.row`, message: `Строки ${d.row} нет в таблице.` });
    if (seen.has(d.row)) issues.push({ path: `${path}.row`, message: `Решение по строке ${d.row} указано дважды.` });
    seen.add(d.row);
    if (d.decision === 'link' && !d.patientId) issues.push({ path: `${path}.patientId`, message: `Строка ${d.row}: укажите пациента, с которым связать направление.` });
    if (d.decision !== 'link' && d.patientId) issues.push({ path: `${path}.patientId`, message: `Строка ${d.row}: пациент указывается только для решения «связать».` });
  });
  if (issues.length > 0) {
    throw new AppError('VALIDATION_FAILED', `Решения не сохранены: ${issues[0]?.message ?? ''} Исправьте и отправьте снова.`, issues.slice(0, 200));
  }
  const linkIds = [...new Set(decisions.flatMap((d) => (d.patientId ? [d.patientId] : [])))];
  const existing = new Set<string>();
  for (const ids of chunks(linkIds)) for (const p of await w.tx.selectFrom('patients').select('id').where('id', 'in', ids).execute()) existing.add(p.id);
  const missing = decisions.find((d) => d.patientId && !existing.has(d.patientId));
  if (missing) {
    throw new AppError('NOT_FOUND', `Строка ${missing.row}: пациент для связи не найден. Выберите пациента из списка возможных дубликатов.`);
  }
  const done = new Set<number>();
  for (const rows of chunks(decisions.map((d) => d.row))) {
    const r = await w.tx.selectFrom('batch_import_rows').select('row').where('batch_id', '=', batchId).where('row', 'in', rows).execute();
    for (const x of r) done.add(Number(x.row));
  }
  const late = decisions.find((d) => done.has(d.row));
  if (late) throw new AppError('INVALID_STATE', `Строка ${late.row} уже импортирована: решение по ней изменить нельзя.`);

  const now = new Date().toISOString();
  const values = decisions.map((d) => ({
    batch_id: batchId,
    row: d.row,
    decision: d.decision,
    patient_id: d.patientId ?? null,
    decided_by: actor.userId,
    updated_at: now,
  }));
  for (const page of chunks(values, 200)) {
    await w.tx
      .insertInto('batch_import_decisions')
      .values(page)
      .onConflict((oc) =>
        oc.columns(['batch_id', 'row']).doUpdateSet((eb) => ({
          decision: eb.ref('excluded.decision'),
          patient_id: eb.ref('excluded.patient_id'),
          decided_by: eb.ref('excluded.decided_by'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  return { saved: values.length };
}

// ─── progress ────────────────────────────────────────────────────────────────────────────────

interface Job {
  done: Promise<void>;
  cancelled: boolean;
}

/** Jobs running in this process, by batch: a second commit (double click) joins the running one. */
const jobs = new Map<string, Job>();
const lastErrors = new Map<string, string>();

export async function importProgress(db: Kysely<Database>, batchId: string): Promise<ImportProgress> {
  const batch = await db.selectFrom('referral_batches').select(['status', 'row_count']).where('id', '=', batchId).executeTakeFirstOrThrow();
  const counts = await db
    .selectFrom('batch_import_rows')
    .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .where('batch_id', '=', batchId)
    .groupBy('outcome')
    .execute();
  const by = (o: ImportOutcome) => Number(counts.find((c) => c.outcome === o)?.n ?? 0);
  const created = by('created');
  const linked = by('linked');
  const skipped = by('skipped');
  const rejected = by('rejected');
  return {
    batchId,
    status: BatchStatus.parse(batch.status),
    running: jobs.has(batchId),
    total: Number(batch.row_count),
    done: created + linked + skipped + rejected,
    created,
    linked,
    skipped,
    rejected,
    error: lastErrors.get(batchId) ?? null,
  };
}

export async function getImportStatus(db: Kysely<Database>, actor: Actor, batchId: string): Promise<ImportStatus> {
  requireManager(actor);
  await getVisibleBatch(db, actor, batchId);
  return { ...(await importProgress(db, batchId)), rows: await outcomesOf(db, batchId) };
}

// ─── the job ─────────────────────────────────────────────────────────────────────────────────

export interface CommitOptions {
  /**
   * Rows whose duplicates nobody decided: `refuse` the commit up front (the manager decides
   * first; the HTTP route), or `skip` them with a reason (the CLI's default decisions).
   */
  undecided: 'refuse' | 'skip';
  sms?: SmsGateway;
}

export interface CommitHandle {
  progress: ImportProgress;
  /** Resolves when the job ends (finished, cancelled, or failed: see progress.error). */
  finished: Promise<void>;
}

/** Starts the import of a batch, or joins (or reports) the one already running or done. */
export async function commitBatchImport(ctx: AppContext, actor: Actor, batchId: string, opts: CommitOptions): Promise<CommitHandle> {
  requireManager(actor);
  const db = ctx.db.kysely;
  const batch = await getVisibleBatch(db, actor, batchId);
  const running = jobs.get(batchId);
  if (running) return { progress: await importProgress(db, batchId), finished: running.done };
  if (batch.status === 'imported') return { progress: await importProgress(db, batchId), finished: Promise.resolve() };
  if (batch.status === 'rejected') throw new AppError('INVALID_STATE', 'Таблица отклонена: импортировать её нельзя.');

  const outcomes = await outcomesOf(db, batchId);
  const done = new Set(outcomes.map((o) => o.row));
  const pending = batch.rows.filter((r) => !done.has(r.row));
  if (opts.undecided === 'refuse') {
    const [candidates, decisions] = await Promise.all([candidatesFor(db, batchId, pending), savedDecisions(db, batchId)]);
    const undecided = pending.filter((r) => !decisions.has(r.row) && defaultDecision([...(candidates.get(r.row)?.values() ?? [])]).decision === null).map((r) => r.row);
    if (undecided.length > 0) {
      const list = undecided.slice(0, 20).join(', ') + (undecided.length > 20 ? ` и ещё ${undecided.length - 20}` : '');
      throw new AppError('INVALID_STATE', `Для строк ${list} найдены возможные дубликаты: решите, создать нового пациента, связать с существующим или пропустить строку, и запустите импорт снова.`);
    }
  }
  // Another commit may have started while we were checking.
  const raced = jobs.get(batchId);
  if (raced) return { progress: await importProgress(db, batchId), finished: raced.done };

  const job: Job = { cancelled: false, done: Promise.resolve() };
  jobs.set(batchId, job);
  lastErrors.delete(batchId);
  try {
    await writeTransaction(ctx, async (w) => {
      await w.tx.updateTable('referral_batches').set({ status: 'importing', updated_at: new Date().toISOString() }).where('id', '=', batchId).execute();
      await w.changed('batch', [batchId]);
      await appendAudit(w.tx, [
        { actor, action: 'referral.import.start', entity: 'batch', entityId: batchId, result: 'ok', details: { total: batch.rowCount, alreadyDone: done.size } },
      ]);
    });
  } catch (err) {
    jobs.delete(batchId);
    throw err;
  }
  const sms = opts.sms ?? ctx.sms?.gateway ?? new OutboxSmsGateway(ctx.config.dataDir);
  job.done = runJob(ctx, actor, batch, pending, job, opts, sms)
    .catch((err: unknown) => {
      log.error({ err, batchId }, 'import stopped on an error');
      lastErrors.set(batchId, 'Импорт остановлен из-за ошибки. Уже импортированные строки сохранены; запустите импорт снова, чтобы продолжить.');
    })
    .finally(() => jobs.delete(batchId));
  return { progress: await importProgress(db, batchId), finished: job.done };
}

/** Asks a running import to stop after its current chunk (no half chunk is ever left). */
export function cancelBatchImport(batchId: string): boolean {
  const job = jobs.get(batchId);
  if (!job) return false;
  job.cancelled = true;
  return true;
}

async function runJob(
  ctx: AppContext,
  actor: Actor,
  batch: ReferralBatch,
  pending: readonly ReferralBatchRow[],
  job: Job,
  opts: CommitOptions,
  sms: SmsGateway,
): Promise<void> {
  const size = ctx.config.importChunkRows;
  for (let i = 0; i < pending.length; i += size) {
    if (job.cancelled) {
      await writeTransaction(ctx, async (w) => {
        await w.tx.updateTable('referral_batches').set({ status: 'sent', updated_at: new Date().toISOString() }).where('id', '=', batch.id).execute();
        await w.changed('batch', [batch.id]);
        await appendAudit(w.tx, [{ actor, action: 'referral.import.cancel', entity: 'batch', entityId: batch.id, result: 'ok' }]);
      });
      return;
    }
    const messages = await writeTransaction(ctx, (w) => importChunk(w, actor, batch, pending.slice(i, i + size), opts, sms, ctx.config.publicUrl));
    await sms.afterCommit(messages);
  }
  await writeTransaction(ctx, async (w) => {
    await w.tx.updateTable('referral_batches').set({ status: 'imported', updated_at: new Date().toISOString() }).where('id', '=', batch.id).execute();
    await w.changed('batch', [batch.id]);
    const p = await importProgress(w.tx, batch.id);
    await appendAudit(w.tx, [
      {
        actor,
        action: 'referral.import.end',
        entity: 'batch',
        entityId: batch.id,
        result: 'ok',
        details: { total: p.total, created: p.created, linked: p.linked, skipped: p.skipped, rejected: p.rejected },
      },
    ]);
  });
}

/** A stable UUID (version 5 layout) for what a batch row makes, so a re-run cannot make another. */
export function rowEntityId(batchId: string, row: number, what: 'patient' | 'request'): string {
  const h = crypto.createHash('sha256').update(`oblako:${what}:${batchId}:${row}`).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function freshLogins(db: Kysely<Database>, count: number): Promise<string[]> {
  const out = new Set<string>();
  while (out.size < count) {
    const want = new Set<string>();
    while (want.size < count - out.size) {
      const l = `p${String(crypto.randomInt(0, 100_000_000)).padStart(8, '0')}`;
      if (!out.has(l)) want.add(l);
    }
    const taken = new Set<string>();
    for (const page of chunks([...want])) for (const u of await db.selectFrom('users').select('login').where('login', 'in', page).execute()) taken.add(u.login);
    for (const l of want) if (!taken.has(l)) out.add(l);
  }
  return [...out];
}

export function credentialsText(publicUrl: string, login: string, secret: string): string {
  return `Облако здоровья: вас направили на телеконсультацию. Вход: ${publicUrl} логин ${login} пароль ${secret} (одноразовый, при входе задайте свой).`;
}

const REASON = {
  undecided: 'Возможный дубликат: решение не принято. Строка не импортирована.',
  skipped: 'Пропущено по решению руководителя проекта.',
  resent: 'Повторная отправка: у пациента уже есть открытая заявка в этот центр по этому профилю.',
  linkMissing: 'Пациент для связи не найден.',
  duplicateStrong: 'Пациент с таким СНИЛС или номером полиса ОМС уже есть: строку можно только связать с ним.',
} as const;

async function importChunk(
  w: WriteScope,
  actor: Actor,
  batch: ReferralBatch,
  chunk: readonly ReferralBatchRow[],
  opts: CommitOptions,
  sms: SmsGateway,
  publicUrl: string,
): Promise<SmsMessage[]> {
  // Rows done meanwhile (another run, another process) are left alone.
  const doneRows = new Set<number>();
  const done = await w.tx.selectFrom('batch_import_rows').select('row').where('batch_id', '=', batch.id).where('row', 'in', chunk.map((r) => r.row)).execute();
  for (const d of done) doneRows.add(Number(d.row));
  const rows = chunk.filter((r) => !doneRows.has(r.row));
  if (rows.length === 0) return [];

  const decisions = await savedDecisions(w.tx, batch.id, rows.map((r) => r.row));
  const candidates = await candidatesFor(w.tx, batch.id, rows);
  const linkTargets = new Set<string>();
  for (const ids of chunks([...new Set([...decisions.values()].flatMap((d) => (d.patientId ? [d.patientId] : [])))])) {
    for (const p of await w.tx.selectFrom('patients').select('id').where('id', 'in', ids).execute()) linkTargets.add(p.id);
  }
  // Patients made earlier in this chunk are candidates for the rows after them.
  const madeBySnils = new Map<string, string>();
  const madeByEnp = new Map<string, string>();
  const madeByIdentity = new Map<string, string>();

  const now = new Date();
  const nowIso = now.toISOString();
  const logins = await freshLogins(w.tx, rows.length);
  const outcomes: { batch_id: string; row: number; outcome: ImportOutcome; patient_id: string | null; request_id: string | null; reason: string | null; created_at: string }[] = [];
  const patients: Insertable<PatientsTable>[] = [];
  const users: Insertable<UsersTable>[] = [];
  const requests: Insertable<RequestsTable>[] = [];
  const messages: SmsMessage[] = [];
  const linkedPatients = new Set<string>();
  const createdPatients: string[] = [];

  for (const r of rows) {
    const f = r.fields;
    const found = [...(candidates.get(r.row)?.values() ?? [])];
    const inChunk = (f.snils ? madeBySnils.get(f.snils) : undefined) ?? (f.enp ? madeByEnp.get(f.enp) : undefined);
    const inChunkIdentity = madeByIdentity.get(identityKey(f));
    const saved = decisions.get(r.row);
    let decision: ImportDecisionKind | null;
    let linkTo: string | null = null;
    if (saved) {
      decision = saved.decision;
      linkTo = saved.patientId;
    } else if (inChunk) {
      decision = 'link';
      linkTo = inChunk;
    } else if (inChunkIdentity) {
      decision = null;
    } else {
      const d = defaultDecision(found);
      decision = d.decision;
      linkTo = d.patientId;
    }
    const outcome = (o: ImportOutcome, reason: string | null, patientId: string | null = null, requestId: string | null = null) =>
      outcomes.push({ batch_id: batch.id, row: r.row, outcome: o, patient_id: patientId, request_id: requestId, reason, created_at: nowIso });

    if (decision === null) {
      outcome(opts.undecided === 'skip' ? 'skipped' : 'rejected', REASON.undecided);
      continue;
    }
    if (decision === 'skip') {
      const resent = !saved && found.some((c) => c.openRequestId !== null);
      outcome('skipped', resent ? REASON.resent : REASON.skipped);
      continue;
    }
    const requestId = rowEntityId(batch.id, r.row, 'request');
    const request = {
      id: requestId,
      patient_id: '',
      centre: f.centre,
      profile: f.profile,
      source: 'referral',
      status: 'new',
      icd10: normaliseIcd10(f.icd10),
      diagnosis: f.diagnosis,
      complaints: f.complaints,
      urgency: f.urgency,
      pregnancy_weeks: f.pregnancyWeeks,
      note: f.note,
      referred_by: batch.physicianId,
      assigned_doctor_id: null,
      due_at: dueAtFor('referral', now),
      created_at: nowIso,
      updated_at: nowIso,
    };
    if (decision === 'link') {
      const target = linkTo && (linkTargets.has(linkTo) || found.some((c) => c.id === linkTo) || linkTo === inChunk) ? linkTo : null;
      if (!target) {
        outcome('rejected', REASON.linkMissing);
        continue;
      }
      requests.push({ ...request, patient_id: target });
      linkedPatients.add(target);
      outcome('linked', null, target, requestId);
      continue;
    }
    // create: СНИЛС and ЕНП are unique among patients; a match there can only be linked.
    if (found.some((c) => c.why.includes('snils') || c.why.includes('enp')) || inChunk) {
      outcome('rejected', REASON.duplicateStrong);
      continue;
    }
    const patientId = rowEntityId(batch.id, r.row, 'patient');
    const login = logins.pop() ?? '';
    const secret = generateOneTimeSecret();
    patients.push({
      id: patientId,
      last_name: f.lastName,
      first_name: f.firstName,
      middle_name: f.middleName,
      sex: f.sex,
      birth_date: f.birthDate,
      snils: f.snils,
      enp: f.enp,
      phone: f.phone,
      region: f.region,
      referring_organization: f.referringOrganization,
      attending_physician: f.attendingPhysician,
      referred_by: batch.physicianId,
      created_by: actor.userId,
      created_at: nowIso,
      updated_at: nowIso,
      // The credentials SMS is queued in this same transaction (computePatientStage agrees).
      stage: 'credentials_sent',
      batch_id: batch.id,
      batch_row: r.row,
    });
    users.push({
      id: crypto.randomUUID(),
      login,
      role: 'patient',
      full_name: [f.lastName, f.firstName, f.middleName].filter(Boolean).join(' '),
      centre: null,
      is_duty: 0,
      phone: f.phone,
      patient_id: patientId,
      password_hash: hashOneTimeSecret(secret),
      password_kind: 'one_time',
      must_change_password: 1,
      failed_logins: 0,
      locked_until: null,
      disabled: 0,
      is_demo: 0,
      created_at: nowIso,
      updated_at: nowIso,
    });
    requests.push({ ...request, patient_id: patientId });
    messages.push({ id: newSmsId(), phone: f.phone, body: credentialsText(publicUrl, login, secret), kind: 'credentials', patientId });
    createdPatients.push(patientId);
    madeBySnils.set(f.snils, patientId);
    if (f.enp) madeByEnp.set(f.enp, patientId);
    madeByIdentity.set(identityKey(f), patientId);
    outcome('created', null, patientId, requestId);
  }

  for (const page of chunks(patients, 100)) await w.tx.insertInto('patients').values(page).execute();
  for (const page of chunks(users, 100)) await w.tx.insertInto('users').values(page).execute();
  for (const page of chunks(requests, 100)) await w.tx.insertInto('consultation_requests').values(page).execute();
  await sms.queue(w.tx, messages);
  for (const page of chunks(outcomes, 100)) await w.tx.insertInto('batch_import_rows').values(page).execute();

  const touchedPatients = [...createdPatients, ...linkedPatients];
  if (touchedPatients.length > 0) await w.changed('patient', touchedPatients);
  if (requests.length > 0) await w.changed('request', requests.map((q) => q.id));
  // A linked patient's stage follows their new request.
  for (const id of linkedPatients) await refreshPatientStage(w, id);

  const count = (o: ImportOutcome) => outcomes.filter((x) => x.outcome === o).length;
  await appendAudit(w.tx, [
    {
      actor,
      action: 'referral.import.chunk',
      entity: 'batch',
      entityId: batch.id,
      result: 'ok',
      details: { rows: outcomes.length, created: count('created'), linked: count('linked'), skipped: count('skipped'), rejected: count('rejected') },
    },
  ]);
  return messages;
}
