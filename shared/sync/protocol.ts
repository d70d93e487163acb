import { z } from 'zod';
import { ErrorCode } from '../domain/errors.js';
import { DocumentView, PatientDocument } from '../domain/documents.js';
import { Id } from '../domain/ids.js';
import { Patient, PatientCreate, PatientUpdate } from '../domain/patients.js';
import { Conclusion, ConclusionIssue } from '../domain/conclusions.js';
import { Consultation, ConsultationCancel, ConsultationComplete, ConsultationReschedule } from '../domain/consultations.js';
import { MessageRead, MessageSend, SyncMessage } from '../domain/portal.js';
import { ReferralBatch, ReferralSubmit } from '../domain/referrals.js';
import { ConsultationRequest, RequestCreate, RequestSchedule, RequestSetStatus, RequestTake, RequestTransfer } from '../domain/requests.js';
import type { Role } from '../domain/roles.js';

/**
 * Desktop ⇄ central API sync (Replicache-style). Every server write stamps each affected
 * (audience, row) with a fresh, globally increasing change number; `pull(since)` returns the
 * caller's rows stamped after `since`, including tombstones for rows deleted or no longer
 * visible to the caller. Writes from the desktop travel as numbered mutations per client and
 * are applied exactly once.
 */

/** `batch`: referral batches, seen by the physician who sent them and the manager only.
 * `document`: a patient document's metadata (never the bytes), seen by whoever sees the patient. */
/** `consultation`: booked consultations; `conclusion`: issued conclusion versions (metadata and
 * content, not the PDF), both seen by whoever sees the request. */
/** `message`: the chat of a request, seen by its patient and its centre's doctors only (not the
 * referring physician, not the manager: it is a conversation between the two of them). */
export const SYNC_ENTITIES = ['patient', 'request', 'batch', 'document', 'consultation', 'conclusion', 'message'] as const;
export const SyncEntity = z.enum(SYNC_ENTITIES);
export type SyncEntity = z.infer<typeof SyncEntity>;

export const PULL_MAX_LIMIT = 5000;

export const PullRequest = z.strictObject({
  since: z.number().int().min(0),
  limit: z.number().int().min(1).max(PULL_MAX_LIMIT).default(1000),
});
export type PullRequest = z.infer<typeof PullRequest>;

// A plain union: two 'put' variants differ by entity, so `op` alone cannot discriminate.
export const Change = z.union([
  z.object({ op: z.literal('put'), entity: z.literal('patient'), id: Id, data: Patient }),
  z.object({ op: z.literal('put'), entity: z.literal('request'), id: Id, data: ConsultationRequest }),
  z.object({ op: z.literal('put'), entity: z.literal('batch'), id: Id, data: ReferralBatch }),
  z.object({ op: z.literal('put'), entity: z.literal('document'), id: Id, data: PatientDocument }),
  z.object({ op: z.literal('put'), entity: z.literal('consultation'), id: Id, data: Consultation }),
  z.object({ op: z.literal('put'), entity: z.literal('conclusion'), id: Id, data: Conclusion }),
  z.object({ op: z.literal('put'), entity: z.literal('message'), id: Id, data: SyncMessage }),
  // A tombstone: deleted, or no longer visible to this caller. The client drops the row.
  z.object({ op: z.literal('del'), entity: SyncEntity, id: Id }),
]);
export type Change = z.infer<typeof Change>;

export const PullResponse = z.object({
  changes: z.array(Change),
  /** Pass back as `since` on the next pull. */
  cursor: z.number().int(),
  hasMore: z.boolean(),
});
export type PullResponse = z.infer<typeof PullResponse>;

/** Each mutation's args schema and the roles that may send it (checked again on the server). */
export const MUTATIONS = {
  'patient.create': { args: PatientCreate, roles: ['physician', 'manager'] },
  'patient.update': { args: PatientUpdate, roles: ['physician', 'manager'] },
  'request.create': { args: RequestCreate, roles: ['physician', 'manager'] },
  'request.take': { args: RequestTake, roles: ['doctor'] },
  'request.setStatus': { args: RequestSetStatus, roles: ['doctor', 'manager'] },
  'request.transfer': { args: RequestTransfer, roles: ['manager'] },
  'request.schedule': { args: RequestSchedule, roles: ['doctor'] },
  'referral.submit': { args: ReferralSubmit, roles: ['physician', 'manager'] },
  'consultation.reschedule': { args: ConsultationReschedule, roles: ['doctor'] },
  'consultation.cancel': { args: ConsultationCancel, roles: ['doctor'] },
  'consultation.complete': { args: ConsultationComplete, roles: ['doctor'] },
  'conclusion.issue': { args: ConclusionIssue, roles: ['doctor'] },
  /** A document opened on the desktop, possibly offline from the cache: audited when it arrives. */
  'document.view': { args: DocumentView, roles: ['physician', 'manager', 'doctor'] },
  'message.send': { args: MessageSend, roles: ['doctor'] },
  'message.read': { args: MessageRead, roles: ['doctor'] },
} as const satisfies Record<string, { args: z.ZodType; roles: readonly Role[] }>;
export type MutationName = keyof typeof MUTATIONS;
export const MUTATION_NAMES = Object.keys(MUTATIONS) as [MutationName, ...MutationName[]];

export const PUSH_MAX_MUTATIONS = 500;
/** A referral batch of REFERRAL_BATCH_MAX_ROWS rows is several MiB: the push route alone accepts this much. */
export const PUSH_MAX_BODY_BYTES = 16 * 1024 * 1024;

export const Mutation = z.strictObject({
  /** Per-client sequence number: 1, 2, 3 … in the order the client made them. */
  id: z.number().int().min(1),
  name: z.enum(MUTATION_NAMES),
  /** Validated against MUTATIONS[name].args on the server. */
  args: z.unknown(),
});
export type Mutation = z.infer<typeof Mutation>;

export const PushRequest = z.strictObject({
  clientId: Id,
  mutations: z.array(Mutation).min(1).max(PUSH_MAX_MUTATIONS),
});
export type PushRequest = z.infer<typeof PushRequest>;

export const MutationResult = z.discriminatedUnion('status', [
  z.object({ id: z.number().int(), status: z.literal('applied'), result: z.unknown().optional(), replayed: z.boolean() }),
  // A final answer: the server refused the change (conflict, permissions, validation). The
  // client drops the local change and tells the user why; re-sending gets the same answer.
  z.object({
    id: z.number().int(),
    status: z.literal('rejected'),
    error: z.object({
      code: ErrorCode,
      message: z.string(),
      /** Per-field problems for VALIDATION_FAILED (for `referral.submit`: path `строка N.field`). */
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
    replayed: z.boolean(),
  }),
  // Not applied because an earlier mutation of this client is missing: re-send from `expected`.
  z.object({ id: z.number().int(), status: z.literal('deferred'), expected: z.number().int() }),
]);
export type MutationResult = z.infer<typeof MutationResult>;

export const PushResponse = z.object({
  results: z.array(MutationResult),
  lastMutationId: z.number().int(),
});
export type PushResponse = z.infer<typeof PushResponse>;

/** Messages on the central API WebSocket (`/api/ws`). */
export const WsClientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), token: z.string().min(10).max(200) }),
  z.strictObject({ type: z.literal('ping') }),
]);
export type WsClientMessage = z.infer<typeof WsClientMessage>;

export const WsServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), userId: Id }),
  z.object({ type: z.literal('poke') }),
  z.object({ type: z.literal('pong') }),
  z.object({ type: z.literal('error'), code: ErrorCode, message: z.string() }),
]);
export type WsServerMessage = z.infer<typeof WsServerMessage>;
