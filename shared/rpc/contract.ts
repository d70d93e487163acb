import { z } from 'zod';
import { ConsentBasis, DocumentFileName, DocumentTypeCode, PatientDocument } from '../domain/documents.js';
import { ErrorCode } from '../domain/errors.js';
import { Id, IsoDateTime } from '../domain/ids.js';
import { Patient, PatientCreate, PatientStage } from '../domain/patients.js';
import { BatchDuplicates, ImportDecision, ImportProgress, ImportStatus } from '../domain/batch-import.js';
import { Conclusion, ConclusionDraftContent } from '../domain/conclusions.js';
import { Consultation } from '../domain/consultations.js';
import { PipelineFilter, PipelineList, PipelineSummary } from '../domain/pipeline.js';
import { BatchOrigin, BatchSource, BatchStatus, REFERRAL_BATCH_MAX_ROWS, ReferralBatch, ReferralBatchRow, RejectedRow } from '../domain/referrals.js';
import { SmsOutboxItem, SmsOutboxList, SmsStatus } from '../domain/sms.js';
import { normalizeServerUrl } from '../domain/server-url.js';
import { REFERRAL_FIELD_KEYS } from '../referral/columns.js';
import { CONSULTATION_MAX_MINUTES, CONSULTATION_MIN_MINUTES, ConsultationRequest, RequestSource, RequestStatus } from '../domain/requests.js';
import type { Role } from '../domain/roles.js';
import { PublicUser } from '../domain/users.js';
import { AuditList, AuditVerifyResponse, UserList } from '../api/contract.js';
import { SyncEntity } from '../sync/protocol.js';
import { CallTicket } from '../call/protocol.js';
import { ChatItem, ChatListOutput, ChatSendInput, ChatUnreadInput, ChatUnreadOutput } from './chat.js';

/**
 * The desktop RPC contract: every method the renderer may call on the desktop services, once,
 * with who may call it and the schemas of what goes in and out, plus the events the services
 * push. The router registers exactly these methods; the renderer's client takes its types from
 * here. Methods are answered from the local store, so they work offline.
 */

export interface RpcMethodDef {
  /** `public`: no session needed; `signedIn`: any signed-in user; otherwise the roles allowed. */
  roles: 'public' | 'signedIn' | readonly Role[];
  input: z.ZodType;
  output: z.ZodType;
  /**
   * Answered while the workstation is locked (the idle lock). Every other method is refused
   * with LOCKED by the router, before any handler runs: the local store is closed then.
   */
  whileLocked?: true;
}

function method<const D extends RpcMethodDef>(def: D): D {
  return def;
}

const Empty = z.strictObject({});
export const Ok = z.object({ ok: z.literal(true) });

export const ErrorData = z.object({ code: ErrorCode, message: z.string() });

export const AppInfo = z.object({
  version: z.string(),
  /** `electron` in the desktop shell; `browser` through the browser-mode host. */
  shell: z.enum(['electron', 'browser']),
  /** Server suggested on the sign-in screen (the last one used, or the configured default). */
  defaultServerUrl: z.string(),
});

export const Session = z.object({
  user: PublicUser.nullable(),
  serverUrl: z.string().nullable(),
  /** Signed in, but locked after idle time (or by hand): the password unlocks it again. */
  locked: z.boolean(),
});
export type Session = z.infer<typeof Session>;

// ── Idle lock ─────────────────────────────────────────────────────────────────────────────

/** Idle time before the workstation locks, unless OBLAKO_IDLE_LOCK_MS or the user says otherwise. */
export const DEFAULT_IDLE_LOCK_MS = 15 * 60_000;
/** What a user may choose (`session.setIdleLock`); the configured default may be anything. */
export const IDLE_LOCK_MIN_MS = 60_000;
export const IDLE_LOCK_MAX_MS = 60 * 60_000;
/** Wrong passwords on the lock screen before the session is ended. */
export const MAX_UNLOCK_ATTEMPTS = 5;
/** The renderer reports activity at most this often (the deadline is minutes away). */
export const ACTIVITY_REPORT_MIN_INTERVAL_MS = 15_000;

export const IdleLockSettings = z.object({
  /** This user's idle time on this computer. */
  idleMs: z.number().int().positive(),
  defaultMs: z.number().int().positive(),
  minMs: z.number().int().positive(),
  maxMs: z.number().int().positive(),
});
export type IdleLockSettings = z.infer<typeof IdleLockSettings>;

export const UnlockInput = z.strictObject({
  password: z.string().min(1, 'Введите пароль.').max(256),
});

/** The server's canonical origin (see normalizeServerUrl): one server, one local data folder. */
export const ServerUrl = z
  .string()
  .max(300)
  .transform((raw, ctx) => {
    const url = normalizeServerUrl(raw);
    if (!url) {
      ctx.addIssue({ code: 'custom', message: 'Укажите адрес сервера вида https://oblako.example.ru (без пути; http — только для этого компьютера).' });
      return z.NEVER;
    }
    return url;
  });

export const SignInInput = z.strictObject({
  serverUrl: ServerUrl,
  login: z.string().trim().min(1, 'Введите логин.').max(64),
  password: z.string().min(1, 'Введите пароль.').max(256),
});

export const SYNC_STATES = ['signed_out', 'offline', 'syncing', 'online'] as const;
export const SyncStatus = z.object({
  state: z.enum(SYNC_STATES),
  /** Local changes not yet acknowledged by the server. */
  pending: z.number().int().min(0),
  lastSyncedAt: IsoDateTime.nullable(),
  lastError: ErrorData.nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

/** A local change the server refused: the server's answer wins, the user is told why. */
export const Rejection = z.object({
  mutationId: z.number().int(),
  name: z.string(),
  /** What the change was, in Russian, for the user ("Новый пациент Иванов И. И."). */
  summary: z.string(),
  error: ErrorData,
  /** The server's per-field problems (for a referral table: path `строка N.field`), to fix and resend. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  at: IsoDateTime,
});
export type Rejection = z.infer<typeof Rejection>;

const Page = {
  limit: z.number().int().min(1).max(500).default(100),
  offset: z.number().int().min(0).default(0),
};

/** A patient as listed on a home screen: the latest request gives the status. */
export const PatientRow = z.object({
  patient: Patient,
  latestRequest: ConsultationRequest.nullable(),
  /** Created or changed locally and not yet acknowledged by the server. */
  pending: z.boolean(),
});
export type PatientRow = z.infer<typeof PatientRow>;

export const PatientListInput = z.strictObject({
  ...Page,
  q: z.string().trim().max(100).optional(),
  status: RequestStatus.optional(),
});
export const PatientListOutput = z.object({ items: z.array(PatientRow), total: z.number().int() });

export const StatusCounts = z.record(z.string(), z.number().int());

export const QueueRow = z.object({
  request: ConsultationRequest,
  patient: Patient.nullable(),
  pending: z.boolean(),
});
export type QueueRow = z.infer<typeof QueueRow>;

export const QueueInput = z.strictObject({
  ...Page,
  status: RequestStatus.optional(),
  q: z.string().trim().max(100).optional(),
  profile: z.string().min(1).max(64).optional(),
  source: RequestSource.optional(),
  region: z.string().min(1).max(8).optional(),
  stage: PatientStage.optional(),
  /** Only requests whose required documents are all present (true) or some are missing (false). */
  documentsComplete: z.boolean().optional(),
  overdue: z.boolean().optional(),
  /** Only requests taken by the signed-in doctor. */
  mine: z.boolean().optional(),
});
export const QueueOutput = z.object({ items: z.array(QueueRow), total: z.number().int() });

/** The renderer does not make ids: the services do, so a retried create stays one patient. */
export const PatientCreateInput = PatientCreate.omit({ id: true });

// ── Referral tables (drafts, files, sending, status) ────────────────────────────────────────

export const REFERRAL_DRAFT_MAX_ROWS = 10_000;
/** An XLSX handed to the services: 20 MB of file is about 27 MB of base64. */
export const REFERRAL_FILE_MAX_BASE64 = 28_000_000;

export const ReferralFieldKeyEnum = z.enum(REFERRAL_FIELD_KEYS as [string, ...string[]]);

/** A grid row as the physician typed it: raw text per field (validated by shared/referral). */
export const DraftRow = z.strictObject({
  /** Stable number shown in the grid (the sheet's own row number for an imported file). */
  row: z.number().int().min(1),
  cells: z.partialRecord(ReferralFieldKeyEnum, z.string().max(2000)),
  /** Excluded rows are kept in the draft but never sent. */
  excluded: z.boolean().default(false),
});
export type DraftRow = z.infer<typeof DraftRow>;

export const DraftSummary = z.object({
  id: Id,
  title: z.string(),
  fileName: z.string().nullable(),
  fileHash: z.string().nullable(),
  rowCount: z.number().int(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  /** Set once sent: the batch id on the server (sending again is a no-op). */
  sentBatchId: Id.nullable(),
  sentAt: IsoDateTime.nullable(),
});
export type DraftSummary = z.infer<typeof DraftSummary>;

export const Draft = DraftSummary.extend({ rows: z.array(DraftRow) });
export type Draft = z.infer<typeof Draft>;

export const DraftTitle = z.string().trim().min(1, 'Введите название таблицы.').max(200);

export const FileBytes = z.strictObject({
  fileName: z.string().trim().min(1).max(255),
  base64: z.string().max(REFERRAL_FILE_MAX_BASE64, 'Файл слишком большой: не более 20 МБ.'),
});

/** A column of the file and the field it feeds (null: ignored). */
export const MappingChoice = z.strictObject({
  index: z.number().int().min(0).max(500),
  target: z.union([ReferralFieldKeyEnum, z.literal('fullName'), z.literal('rowNumber')]).nullable(),
});

export const ReadFileInput = FileBytes.extend({
  /** Made by the caller, so it can cancel the job (`referral.cancelJob`) and match progress events. */
  jobId: z.string().uuid(),
  /** The user's corrections on the confirmation screen, for the layout `signature` of the first
   * read; absent: the mapping remembered for the file's layout, else the automatic one. */
  signature: z.string().min(1).max(2000).optional(),
  mapping: z.array(MappingChoice).max(500).optional(),
});

export const ReadFileOutput = z.object({
  fileName: z.string(),
  fileHash: z.string(),
  sheet: z.object({ name: z.string(), index: z.number().int() }),
  sheets: z.array(z.object({ name: z.string(), index: z.number().int(), filledRows: z.number().int(), headerRow: z.number().int().nullable(), chosen: z.boolean() })),
  /** The header row (1-based), the signature of its layout, and each column's proposed field. */
  headerRow: z.number().int(),
  signature: z.string(),
  columns: z.array(z.object({ index: z.number().int(), header: z.string(), target: z.string().nullable(), confidence: z.string() })),
  /** Whether this mapping was remembered from an earlier confirmation of the same layout. */
  remembered: z.boolean(),
  rows: z.array(DraftRow),
  skipped: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  notices: z.array(z.object({ code: z.string(), message: z.string() })),
  summary: z.object({ total: z.number().int(), valid: z.number().int(), invalid: z.number().int(), skipped: z.number().int() }),
});
export type ReadFileOutput = z.infer<typeof ReadFileOutput>;

export const XlsxFile = z.object({ fileName: z.string(), base64: z.string() });

/** One line of the physician's status view: a batch row not yet imported, or a referred patient. */
export const ReferralStatusRow = z.object({
  key: z.string(),
  patientId: Id.nullable(),
  batchId: Id.nullable(),
  batchRow: z.number().int().nullable(),
  fullName: z.string(),
  birthDate: z.string().nullable(),
  centre: z.string().nullable(),
  profile: z.string().nullable(),
  stage: PatientStage,
  updatedAt: IsoDateTime,
});
export type ReferralStatusRow = z.infer<typeof ReferralStatusRow>;

export const ReferralStatusInput = z.strictObject({
  ...Page,
  q: z.string().trim().max(100).optional(),
  stage: PatientStage.optional(),
});
export const ReferralStatusOutput = z.object({
  items: z.array(ReferralStatusRow),
  total: z.number().int(),
  counts: z.partialRecord(PatientStage, z.number().int()),
});

export const BatchSummary = z.object({
  id: Id,
  title: z.string(),
  physicianName: z.string(),
  fileName: z.string().nullable(),
  fileHash: z.string().nullable(),
  rowCount: z.number().int(),
  status: BatchStatus,
  createdAt: IsoDateTime,
  pending: z.boolean(),
  source: BatchSource,
  region: z.string().nullable(),
  organization: z.string().nullable(),
  referrer: z.string().nullable(),
  receivedAt: IsoDateTime.nullable(),
  rejectedCount: z.number().int(),
});
export type BatchSummary = z.infer<typeof BatchSummary>;

const referralRoles = ['physician', 'manager'] as const;

// ── Patient documents ───────────────────────────────────────────────────────────────────────

/** A document handed to the services: 50 MiB of file is about 70 MB of base64. */
export const DOCUMENT_MAX_BASE64 = 70_000_000;

export const DocumentRow = PatientDocument.extend({
  /** Always false for now: an attachment is uploaded at once or refused, never queued. */
  pending: z.boolean(),
});
export type DocumentRow = z.infer<typeof DocumentRow>;

export const DocumentAttachInput = z.strictObject({
  patientId: Id,
  type: DocumentTypeCode,
  fileName: DocumentFileName,
  base64: z.string().min(1).max(DOCUMENT_MAX_BASE64, 'Файл слишком большой: не более 50 МБ.'),
  /** The patient's consent to processing, recorded by the physician who attaches on their behalf. */
  consent: z.strictObject({ obtained: z.literal(true), basis: ConsentBasis }),
});

// ── Manager: intake of received files, bulk import, SMS, pipeline ───────────────────────────

/**
 * A file the manager received (e.g. by e-mail), read with `referral.readFile` and checked: the
 * valid rows go in as a batch (queued like a physician's `referral.submit`, so it works
 * offline), the rows that failed validation travel along for the batch report.
 */
export const IntakeSubmitInput = z.strictObject({
  title: z.string().trim().min(1).max(200),
  fileName: z.string().min(1).max(255),
  fileHash: z.string().regex(/^[0-9a-f]{64}$/),
  rows: z.array(ReferralBatchRow).min(1).max(REFERRAL_BATCH_MAX_ROWS),
  rejectedRows: z.array(RejectedRow).max(REFERRAL_BATCH_MAX_ROWS).default([]),
  origin: BatchOrigin,
});

const BatchRef = z.strictObject({ batchId: Id });

export const SmsListInput = z.strictObject({
  status: SmsStatus.optional(),
  limit: z.number().int().min(1).max(500).default(100),
  offset: z.number().int().min(0).default(0),
});

export const PipelineListInput = PipelineFilter.extend({
  limit: z.number().int().min(1).max(500).default(100),
  offset: z.number().int().min(0).default(0),
});

// ── Centre doctor: patient card, document cache, calendar, conclusions ───────────────────────

export const DOCUMENT_CACHE_STATES = ['absent', 'queued', 'downloading', 'cached', 'failed'] as const;
export const DocumentCacheState = z.enum(DOCUMENT_CACHE_STATES);
export type DocumentCacheState = z.infer<typeof DocumentCacheState>;

export const CachedDocument = z.object({
  documentId: Id,
  state: DocumentCacheState,
  size: z.number().int(),
  bytesDone: z.number().int(),
  /** Kept whatever the size limit (the doctor pinned it). */
  pinned: z.boolean(),
  error: z.string().nullable(),
  lastAccess: IsoDateTime.nullable(),
});
export type CachedDocument = z.infer<typeof CachedDocument>;

export const CacheStatus = z.object({
  items: z.array(CachedDocument),
  usedBytes: z.number().int(),
  limitBytes: z.number().int(),
});

/** A document's bytes for a viewer: from the encrypted cache, or fetched (and cached) when online. */
export const DocumentContent = z.object({
  documentId: Id,
  mime: z.string(),
  fileName: z.string(),
  base64: z.string(),
  fromCache: z.boolean(),
});

export const ChecklistItem = z.object({
  type: DocumentTypeCode,
  label: z.string(),
  required: z.boolean(),
  present: z.boolean(),
});

export const PatientCard = z.object({
  patient: Patient,
  requests: z.array(ConsultationRequest),
  documents: z.array(DocumentRow.extend({ cache: CachedDocument.nullable() })),
  /** Per request: the checklist of its centre and profile. */
  checklists: z.array(z.object({ requestId: Id, items: z.array(ChecklistItem), complete: z.boolean() })),
  consultations: z.array(Consultation.extend({ pending: z.boolean() })),
  conclusions: z.array(Conclusion.extend({ pending: z.boolean() })),
});
export type PatientCard = z.infer<typeof PatientCard>;

export const CalendarInput = z.strictObject({ from: IsoDateTime, to: IsoDateTime });
export const CalendarOutput = z.object({
  consultations: z.array(Consultation.extend({ pending: z.boolean() })),
  /** Short names («Иванов И. И.») of the consultations' patients, from the local store. */
  patientNames: z.record(Id, z.string()),
});

export const ScheduleInput = z.strictObject({
  requestId: Id,
  startsAt: IsoDateTime,
  durationMinutes: z.number().int().min(CONSULTATION_MIN_MINUTES).max(CONSULTATION_MAX_MINUTES),
});
export const RescheduleInput = z.strictObject({
  id: Id,
  startsAt: IsoDateTime,
  durationMinutes: z.number().int().min(CONSULTATION_MIN_MINUTES).max(CONSULTATION_MAX_MINUTES),
  reason: z.string().trim().min(3).max(500),
});

export const ConclusionDraft = z.object({
  requestId: Id,
  consultationId: Id.nullable(),
  /** Set when the draft is a correction of an issued version. */
  correctsId: Id.nullable(),
  content: ConclusionDraftContent,
  updatedAt: IsoDateTime,
});
export type ConclusionDraft = z.infer<typeof ConclusionDraft>;

// ── Administrator: audit log ──────────────────────────────────────────────────────────────

export const AuditFilter = z.strictObject({
  patientId: Id.optional(),
  actorId: Id.optional(),
  action: z.string().trim().min(1).max(64).optional(),
  from: IsoDateTime.optional(),
  to: IsoDateTime.optional(),
});
export type AuditFilter = z.infer<typeof AuditFilter>;
/** The most rows one export holds (a narrower filter for more). */
export const AUDIT_EXPORT_MAX_ROWS = 50_000;

export const RPC = {
  'app.info': method({ roles: 'public', whileLocked: true, input: Empty, output: AppInfo }),
  'session.get': method({ roles: 'public', whileLocked: true, input: Empty, output: Session }),
  /** While locked, another user signing in ends the locked session (its local data stays). */
  'session.signIn': method({ roles: 'public', whileLocked: true, input: SignInInput, output: Session }),
  /** Refused with PENDING_CHANGES while local changes are unsent, unless `force` (the user confirmed). */
  'session.signOut': method({ roles: 'signedIn', whileLocked: true, input: z.strictObject({ force: z.boolean().default(false) }), output: Ok }),
  /** Locks now: sync stops, the local store is closed and its key dropped from memory. */
  'session.lock': method({ roles: 'signedIn', whileLocked: true, input: Empty, output: Session }),
  /**
   * Checked on this computer (works offline). A wrong password answers INVALID_CREDENTIALS with
   * the attempts left; the MAX_UNLOCK_ATTEMPTS-th ends the session (NOT_SIGNED_IN).
   */
  'session.unlock': method({ roles: 'signedIn', whileLocked: true, input: UnlockInput, output: Session }),
  /** The user is at the keyboard: moves the idle deadline (the renderer throttles these). */
  'session.activity': method({ roles: 'signedIn', input: Empty, output: Ok }),
  'session.idleLock': method({ roles: 'signedIn', input: Empty, output: IdleLockSettings }),
  'session.setIdleLock': method({ roles: 'signedIn', input: z.strictObject({ idleMs: z.number().int().min(IDLE_LOCK_MIN_MS).max(IDLE_LOCK_MAX_MS) }), output: IdleLockSettings }),
  'sync.status': method({ roles: 'signedIn', input: Empty, output: SyncStatus }),
  'sync.now': method({ roles: 'signedIn', input: Empty, output: SyncStatus }),
  'sync.rejections': method({ roles: 'signedIn', input: Empty, output: z.object({ items: z.array(Rejection) }) }),
  'sync.dismissRejection': method({ roles: 'signedIn', input: z.strictObject({ mutationId: z.number().int() }), output: Ok }),
  'patients.list': method({ roles: ['physician', 'manager'], input: PatientListInput, output: PatientListOutput }),
  'patients.statusCounts': method({ roles: ['physician', 'manager'], input: Empty, output: StatusCounts }),
  'patients.create': method({ roles: ['physician', 'manager'], input: PatientCreateInput, output: PatientRow }),
  'requests.queue': method({ roles: ['doctor', 'manager'], input: QueueInput, output: QueueOutput }),
  'requests.take': method({ roles: ['doctor'], input: z.strictObject({ id: Id }), output: QueueRow }),
  'referral.template': method({ roles: referralRoles, input: Empty, output: XlsxFile }),
  'referral.readFile': method({ roles: referralRoles, input: ReadFileInput, output: ReadFileOutput }),
  'referral.cancelJob': method({ roles: referralRoles, input: z.strictObject({ jobId: z.string().uuid() }), output: Ok }),
  'referral.rememberMapping': method({ roles: referralRoles, input: z.strictObject({ signature: z.string().min(1).max(2000), mapping: z.array(MappingChoice).max(500) }), output: Ok }),
  'drafts.list': method({ roles: ['physician'], input: Empty, output: z.object({ items: z.array(DraftSummary) }) }),
  'drafts.get': method({ roles: ['physician'], input: z.strictObject({ id: Id }), output: Draft }),
  'drafts.create': method({
    roles: ['physician'],
    input: z.strictObject({
      title: DraftTitle,
      fileName: z.string().max(255).nullable().default(null),
      fileHash: z.string().regex(/^[0-9a-f]{64}$/).nullable().default(null),
      rows: z.array(DraftRow).max(REFERRAL_DRAFT_MAX_ROWS).default([]),
    }),
    output: Draft,
  }),
  'drafts.save': method({ roles: ['physician'], input: z.strictObject({ id: Id, title: DraftTitle, rows: z.array(DraftRow).max(REFERRAL_DRAFT_MAX_ROWS) }), output: DraftSummary }),
  'drafts.delete': method({ roles: ['physician'], input: z.strictObject({ id: Id }), output: Ok }),
  /** Refused with VALIDATION_FAILED (issues per row and field) while a non-excluded row has a problem. */
  'drafts.send': method({ roles: ['physician'], input: z.strictObject({ id: Id }), output: z.object({ batchId: Id }) }),
  'drafts.export': method({ roles: ['physician'], input: z.strictObject({ id: Id }), output: XlsxFile }),
  'referrals.status': method({ roles: ['physician'], input: ReferralStatusInput, output: ReferralStatusOutput }),
  'batches.list': method({ roles: referralRoles, input: Empty, output: z.object({ items: z.array(BatchSummary) }) }),
  /** One batch with its rows, from the local store (NOT_FOUND until it has synced). */
  'batches.get': method({ roles: referralRoles, input: z.strictObject({ id: Id }), output: ReferralBatch }),
  /** A patient's documents from the local store (synced metadata), newest first. */
  'documents.list': method({ roles: ['physician', 'manager', 'doctor'], input: z.strictObject({ patientId: Id }), output: z.object({ items: z.array(DocumentRow) }) }),
  /** Uploads at once over HTTP; offline it is refused with SERVER_UNREACHABLE (never queued). */
  'documents.attach': method({ roles: ['physician'], input: DocumentAttachInput, output: DocumentRow }),
  /** Queued as `referral.submit` with `origin.kind = 'file'`; answers with the new batch's id. */
  'intake.submitFile': method({ roles: ['manager'], input: IntakeSubmitInput, output: z.object({ batchId: Id }) }),
  // The import itself runs on the central API: these answer online only (SERVER_UNREACHABLE offline).
  'import.duplicates': method({ roles: ['manager'], input: BatchRef, output: BatchDuplicates }),
  'import.decide': method({ roles: ['manager'], input: z.strictObject({ batchId: Id, decisions: z.array(ImportDecision).min(1).max(REFERRAL_BATCH_MAX_ROWS) }), output: z.object({ saved: z.number().int() }) }),
  'import.commit': method({ roles: ['manager'], input: BatchRef, output: ImportProgress }),
  'import.status': method({ roles: ['manager'], input: BatchRef, output: ImportStatus }),
  'import.cancel': method({ roles: ['manager'], input: BatchRef, output: ImportProgress }),
  'import.report': method({ roles: ['manager'], input: BatchRef, output: XlsxFile }),
  'sms.list': method({ roles: ['manager'], input: SmsListInput, output: SmsOutboxList }),
  'sms.resend': method({ roles: ['manager'], input: z.strictObject({ id: Id }), output: SmsOutboxItem }),
  'pipeline.summary': method({ roles: ['manager'], input: Empty, output: PipelineSummary }),
  'pipeline.list': method({ roles: ['manager'], input: PipelineListInput, output: PipelineList }),
  'users.list': method({ roles: ['admin'], input: Empty, output: UserList }),
  'audit.list': method({ roles: ['admin'], input: AuditFilter.extend({ limit: z.number().int().min(1).max(500).default(100), offset: z.number().int().min(0).default(0) }), output: AuditList }),
  'audit.verify': method({ roles: ['admin'], input: Empty, output: AuditVerifyResponse }),
  /** The filtered log as CSV (UTF-8 with BOM, `;`-separated, for Excel), at most AUDIT_EXPORT_MAX_ROWS rows. */
  'audit.export': method({ roles: ['admin'], input: AuditFilter, output: z.object({ fileName: z.string(), base64: z.string(), rows: z.number().int(), truncated: z.boolean() }) }),
  /** Identity, requests, documents with their cache state, checklists, consultations, conclusions (local store). */
  'patients.card': method({ roles: ['doctor', 'physician', 'manager'], input: z.strictObject({ patientId: Id }), output: PatientCard }),
  'documents.cacheStatus': method({ roles: ['doctor'], input: z.strictObject({ patientId: Id.optional() }), output: CacheStatus }),
  /** Audited: queues `document.view` (delivered when online). Offline and not cached: SERVER_UNREACHABLE. */
  'documents.read': method({ roles: ['doctor', 'physician', 'manager'], input: z.strictObject({ documentId: Id }), output: DocumentContent }),
  'documents.pin': method({ roles: ['doctor'], input: z.strictObject({ documentId: Id, pinned: z.boolean() }), output: CachedDocument }),
  'calendar.list': method({ roles: ['doctor'], input: CalendarInput, output: CalendarOutput }),
  /** Queued (`request.schedule` with a consultation id made here); refused at once with CONFLICT on a local clash. */
  'consultations.schedule': method({ roles: ['doctor'], input: ScheduleInput, output: Consultation }),
  'consultations.reschedule': method({ roles: ['doctor'], input: RescheduleInput, output: Consultation }),
  'consultations.cancel': method({ roles: ['doctor'], input: z.strictObject({ id: Id, reason: z.string().trim().min(3).max(500) }), output: Consultation }),
  'consultations.complete': method({ roles: ['doctor'], input: z.strictObject({ id: Id }), output: Consultation }),
  'conclusions.getDraft': method({ roles: ['doctor'], input: z.strictObject({ requestId: Id }), output: ConclusionDraft.nullable() }),
  'conclusions.saveDraft': method({
    roles: ['doctor'],
    input: z.strictObject({ requestId: Id, consultationId: Id.nullable(), correctsId: Id.nullable(), content: ConclusionDraftContent }),
    output: ConclusionDraft,
  }),
  /** Checks the draft (VALIDATION_FAILED with issues), queues `conclusion.issue`, drops the draft. */
  'conclusions.issue': method({ roles: ['doctor'], input: z.strictObject({ requestId: Id }), output: Conclusion.extend({ pending: z.boolean() }) }),
  /** The draft rendered as the PDF it will become (locally, offline too), marked as a draft. */
  'conclusions.preview': method({ roles: ['doctor'], input: z.strictObject({ requestId: Id }), output: z.object({ fileName: z.string(), base64: z.string() }) }),
  /** An issued version's PDF from the central API (online). */
  'conclusions.pdf': method({ roles: ['doctor', 'physician', 'manager'], input: z.strictObject({ id: Id }), output: z.object({ fileName: z.string(), base64: z.string() }) }),
  // ── video calls (the renderer connects to the call socket itself, with the ticket) ──
  /** A one-use ticket for the consultation's room (online only), and the central API to connect to. */
  'call.ticket': method({ roles: ['doctor'], input: z.strictObject({ consultationId: Id }), output: z.object({ ticket: CallTicket, serverUrl: z.string() }) }),
  /** The pre-call check's rough figures for the link to the central API. */
  'call.probe': method({ roles: ['doctor'], input: Empty, output: z.object({ downBps: z.number(), upBps: z.number(), rttMs: z.number() }) }),
  // ── chat (the request's patient ⇄ its centre's doctors), from the local store ──
  /** The request's messages, oldest first, with pending ones; `unread`: the patient's not yet read here. */
  'chat.list': method({ roles: ['doctor'], input: z.strictObject({ requestId: Id }), output: ChatListOutput }),
  /** Queued as `message.send` (id made here); shown at once as pending, offline too. */
  'chat.send': method({ roles: ['doctor'], input: ChatSendInput, output: ChatItem }),
  /** Marks the patient's messages read up to the newest one here; queued as `message.read`. */
  'chat.markRead': method({ roles: ['doctor'], input: z.strictObject({ requestId: Id }), output: z.object({ marked: z.number().int() }) }),
  /** Unread counts per request (all requests here, or the given ones). */
  'chat.unread': method({ roles: ['doctor'], input: ChatUnreadInput, output: ChatUnreadOutput }),
} as const satisfies Record<string, RpcMethodDef>;

export type RpcMethod = keyof typeof RPC;
export type RpcInput<M extends RpcMethod> = z.input<(typeof RPC)[M]['input']>;
export type RpcParsedInput<M extends RpcMethod> = z.infer<(typeof RPC)[M]['input']>;
export type RpcOutput<M extends RpcMethod> = z.infer<(typeof RPC)[M]['output']>;

export const JobProgress = z.object({
  jobId: z.string(),
  label: z.string(),
  done: z.number().int().min(0),
  total: z.number().int().min(0).nullable(),
});

/** Events the services push to the renderer. */
export const RPC_EVENTS = {
  'sync.status': SyncStatus,
  'sync.rejected': Rejection,
  'data.changed': z.object({ entities: z.array(SyncEntity) }),
  'session.changed': Session,
  'job.progress': JobProgress,
} as const satisfies Record<string, z.ZodType>;

export type RpcEvent = keyof typeof RPC_EVENTS;
export type RpcEventPayload<E extends RpcEvent> = z.infer<(typeof RPC_EVENTS)[E]>;
