import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { MUTATIONS, type Mutation, type MutationName, type MutationResult, type PushRequest } from '../../shared/sync/protocol.js';
import type { ErrorData } from '../../shared/domain/errors.js';
import type { Database } from '../db/schema.js';
import type { Actor } from '../auth/actor.js';
import { appendAudit } from '../audit/audit-log.js';
import { writeTransaction, type AppContext, type WriteScope } from '../context.js';
import { AppError, forbidden } from '../errors.js';
import { createLogger } from '../logger.js';
import { issueConclusion } from '../modules/conclusions.js';
import { cancelConsultation, completeConsultation, rescheduleConsultation } from '../modules/consultations.js';
import { getVisibleDocument } from '../modules/documents.js';
import { markMessagesRead, sendMessage } from '../modules/chat.js';
import { createPatient, updatePatient } from '../modules/patients.js';
import { submitReferralBatch, validateReferralSubmit } from '../modules/referral-batches.js';
import { createRequest, scheduleRequest, setRequestStatus, takeRequest, transferRequest } from '../modules/requests.js';
import { validationError } from '../http/validation.js';

const log = createLogger('sync.push');

interface Applied {
  result: unknown;
  patientId: string | null;
  /** Replaces the default audit fields of the mutation's one event (action `sync.<name>`, entity `mutation`). */
  audit?: { action: string; entity: string; entityId: string; details: Record<string, unknown> };
}

type Handler = (w: WriteScope, actor: Actor, args: unknown) => Promise<Applied>;

function handler<N extends MutationName>(
  name: N,
  run: (w: WriteScope, actor: Actor, args: z.infer<(typeof MUTATIONS)[N]['args']>) => Promise<Applied>,
): Handler {
  return async (w, actor, raw) => {
    const allowed: readonly string[] = MUTATIONS[name].roles;
    if (!allowed.includes(actor.role)) throw forbidden();
    const parsed = MUTATIONS[name].args.safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error);
    return run(w, actor, parsed.data as z.infer<(typeof MUTATIONS)[N]['args']>);
  };
}

/** One handler per mutation; the same domain functions the REST routes call. */
const HANDLERS: Record<MutationName, Handler> = {
  'patient.create': handler('patient.create', async (w, a, args) => {
    const p = await createPatient(w, a, args);
    return { result: p, patientId: p.id };
  }),
  'patient.update': handler('patient.update', async (w, a, args) => {
    const p = await updatePatient(w, a, args.id, args.patch);
    return { result: p, patientId: p.id };
  }),
  'request.create': handler('request.create', async (w, a, args) => {
    const r = await createRequest(w, a, args);
    return { result: r, patientId: r.patientId };
  }),
  'request.take': handler('request.take', async (w, a, args) => {
    const r = await takeRequest(w, a, args.id);
    return { result: r, patientId: r.patientId };
  }),
  'request.setStatus': handler('request.setStatus', async (w, a, args) => {
    const r = await setRequestStatus(w, a, args);
    return { result: r, patientId: r.patientId };
  }),
  'request.transfer': handler('request.transfer', async (w, a, args) => {
    const r = await transferRequest(w, a, args);
    return { result: r, patientId: r.patientId };
  }),
  'request.schedule': handler('request.schedule', async (w, a, args) => {
    const s = await scheduleRequest(w, a, args);
    return {
      result: s.request,
      patientId: s.request.patientId,
      audit: {
        action: 'request.schedule',
        entity: 'request',
        entityId: s.request.id,
        details: { consultationId: s.consultationId, startsAt: s.startsAt, endsAt: s.endsAt },
      },
    };
  }),
  // Not through handler(): a bad batch is answered per row number, not per array index.
  'referral.submit': async (w, a, raw) => {
    if (!MUTATIONS['referral.submit'].roles.some((r) => r === a.role)) throw forbidden();
    const batch = await submitReferralBatch(w, a, validateReferralSubmit(raw));
    // The rows travel back by pull; the answer stays small (it is also stored for replays).
    return {
      result: batch,
      patientId: null,
      audit: { action: 'referral.submit', entity: 'batch', entityId: batch.id, details: { rowCount: batch.rowCount } },
    };
  },
  'consultation.reschedule': handler('consultation.reschedule', async (w, a, args) => {
    const c = await rescheduleConsultation(w, a, args);
    return { result: c, patientId: c.patientId, audit: { action: 'consultation.reschedule', entity: 'consultation', entityId: c.id, details: { from: args.id, startsAt: c.startsAt, endsAt: c.endsAt } } };
  }),
  'consultation.cancel': handler('consultation.cancel', async (w, a, args) => {
    const c = await cancelConsultation(w, a, args);
    return { result: c, patientId: c.patientId, audit: { action: 'consultation.cancel', entity: 'consultation', entityId: c.id, details: { by: 'doctor' } } };
  }),
  'consultation.complete': handler('consultation.complete', async (w, a, args) => {
    const c = await completeConsultation(w, a, args.id);
    return { result: c, patientId: c.patientId, audit: { action: 'consultation.complete', entity: 'consultation', entityId: c.id, details: {} } };
  }),
  'conclusion.issue': handler('conclusion.issue', async (w, a, args) => {
    const c = await issueConclusion(w, a, args);
    return {
      result: c,
      patientId: c.patientId,
      audit: { action: 'conclusion.issue', entity: 'conclusion', entityId: c.id, details: { requestId: c.requestId, version: c.version, verificationCode: c.verificationCode, correctsId: c.correctsId } },
    };
  }),
  // The doctor's chat from the desktop: the same domain functions as the REST routes, audited alike.
  'message.send': handler('message.send', async (w, a, args) => {
    const { message, request, replayed } = await sendMessage(w, a, args.requestId, { id: args.id, body: args.body, documentId: args.documentId });
    return {
      result: { ...message, patientId: request.patientId },
      patientId: request.patientId,
      audit: { action: 'message.send', entity: 'message', entityId: message.id, details: { requestId: request.id, documentId: message.documentId, replayed } },
    };
  }),
  'message.read': handler('message.read', async (w, a, args) => {
    const { marked, request } = await markMessagesRead(w, a, args.requestId, args.upTo);
    return {
      result: { marked },
      patientId: request.patientId,
      audit: { action: 'message.read', entity: 'request', entityId: request.id, details: { marked, upTo: args.upTo } },
    };
  }),
  // A view made on the desktop (possibly offline, from its cache) reaches the audit log here.
  'document.view': handler('document.view', async (w, a, args) => {
    const doc = await getVisibleDocument(w.tx, a, args.documentId);
    return {
      result: { ok: true },
      patientId: doc.patient_id,
      audit: { action: 'document.view', entity: 'document', entityId: doc.id, details: { viewedAt: args.viewedAt, fromCache: args.fromCache, sha256: doc.sha256 } },
    };
  }),
};

/**
 * Applies a client's mutations exactly once, in the client's order. Each mutation commits in its
 * own transaction together with the client's new `last_mutation_id` and its stored result, so a
 * retry after a lost response (or a crash) returns the stored answer instead of applying twice.
 */
export async function pushMutations(ctx: AppContext, actor: Actor, req: PushRequest): Promise<{ results: MutationResult[]; lastMutationId: number }> {
  const results: MutationResult[] = [];
  let lastMutationId = 0;
  for (const m of req.mutations) {
    const outcome = await applyOne(ctx, actor, req.clientId, m);
    results.push(outcome.result);
    lastMutationId = outcome.last;
    // After a gap nothing later can apply; tell the client where to resume.
    if (outcome.result.status === 'deferred') {
      for (const rest of req.mutations.slice(req.mutations.indexOf(m) + 1)) {
        results.push({ id: rest.id, status: 'deferred', expected: outcome.result.expected });
      }
      break;
    }
  }
  return { results, lastMutationId };
}

type Step = { kind: 'replay'; result: MutationResult } | { kind: 'gap'; expected: number } | { kind: 'apply' };

async function applyOne(ctx: AppContext, actor: Actor, clientId: string, m: Mutation): Promise<{ result: MutationResult; last: number }> {
  let failure: AppError | undefined;
  try {
    const done = await writeTransaction(ctx, async (w) => {
      const { step, last } = await claim(ctx, w.tx, actor, clientId, m);
      if (step.kind !== 'apply') return { step, last };
      const applied = await HANDLERS[m.name](w, actor, m.args);
      const result: MutationResult = { id: m.id, status: 'applied', result: applied.result, replayed: false };
      await record(w.tx, clientId, m, result);
      const audit = applied.audit;
      await appendAudit(w.tx, [
        audit
          ? { actor, action: audit.action, patientId: applied.patientId, entity: audit.entity, entityId: audit.entityId, result: 'ok', details: { ...audit.details, mutation: `${clientId}/${m.id}` } }
          : { actor, action: `sync.${m.name}`, patientId: applied.patientId, entity: 'mutation', entityId: `${clientId}/${m.id}`, result: 'ok' },
      ]);
      return { step, last: m.id, result };
    });
    if (done.step.kind === 'replay') return { result: done.step.result, last: done.last };
    if (done.step.kind === 'gap') return { result: { id: m.id, status: 'deferred', expected: done.step.expected }, last: done.last };
    if (!done.result) throw new Error('applied mutation without a result');
    return { result: done.result, last: done.last };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    failure = err;
  }
  // The mutation's own writes rolled back; record the rejection as its final answer, so it is not
  // retried forever, in a transaction that re-checks the client's position.
  const error: ErrorData & { issues?: { path: string; message: string }[] } = {
    ...failure.toData(),
    ...(failure.issues ? { issues: failure.issues } : {}),
  };
  return writeTransaction(ctx, async (w) => {
    const { step, last } = await claim(ctx, w.tx, actor, clientId, m);
    if (step.kind === 'replay') return { result: step.result, last };
    if (step.kind === 'gap') return { result: { id: m.id, status: 'deferred', expected: step.expected }, last };
    const result: MutationResult = { id: m.id, status: 'rejected', error, replayed: false };
    await record(w.tx, clientId, m, result);
    await appendAudit(w.tx, [
      { actor, action: `sync.${m.name}`, entity: 'mutation', entityId: `${clientId}/${m.id}`, result: 'denied', details: { code: error.code } },
    ]);
    log.info({ clientId, mutationId: m.id, name: m.name, code: error.code }, 'mutation rejected');
    return { result, last: m.id };
  });
}

/** Locks the client's row and decides whether this mutation is a replay, out of order, or next. */
async function claim(
  ctx: AppContext,
  tx: Kysely<Database>,
  actor: Actor,
  clientId: string,
  m: Mutation,
): Promise<{ step: Step; last: number }> {
  const now = new Date().toISOString();
  await tx
    .insertInto('sync_clients')
    .values({ client_id: clientId, user_id: actor.userId, last_mutation_id: 0, updated_at: now })
    .onConflict((oc) => oc.column('client_id').doNothing())
    .execute();
  const client = await tx
    .selectFrom('sync_clients')
    .selectAll()
    .where('client_id', '=', clientId)
    .$if(ctx.db.kind === 'postgres', (q) => q.forUpdate())
    .executeTakeFirstOrThrow();
  if (client.user_id !== actor.userId) {
    throw new AppError('FORBIDDEN', 'Этот идентификатор клиента принадлежит другому пользователю. Войдите заново.');
  }
  const last = Number(client.last_mutation_id);
  if (m.id <= last) {
    const stored = await tx
      .selectFrom('sync_mutations')
      .select(['status', 'result'])
      .where('client_id', '=', clientId)
      .where('mutation_id', '=', m.id)
      .executeTakeFirst();
    const parsed = stored?.result ? (JSON.parse(stored.result) as MutationResult) : undefined;
    const result: MutationResult =
      parsed && parsed.status !== 'deferred' ? { ...parsed, replayed: true } : { id: m.id, status: 'applied', replayed: true };
    return { step: { kind: 'replay', result }, last };
  }
  if (m.id > last + 1) return { step: { kind: 'gap', expected: last + 1 }, last };
  return { step: { kind: 'apply' }, last };
}

async function record(tx: Kysely<Database>, clientId: string, m: Mutation, result: MutationResult): Promise<void> {
  const now = new Date().toISOString();
  await tx
    .insertInto('sync_mutations')
    .values({ client_id: clientId, mutation_id: m.id, name: m.name, status: result.status, result: JSON.stringify(result), applied_at: now })
    .execute();
  await tx.updateTable('sync_clients').set({ last_mutation_id: m.id, updated_at: now }).where('client_id', '=', clientId).execute();
}
