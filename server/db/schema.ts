import type { ColumnType, Generated } from 'kysely';

/**
 * Table shapes as Kysely sees them. Timestamps are ISO-8601 UTC text on both engines (sortable,
 * identical round-trip); booleans are 0/1 integers for the same reason.
 */
export interface UsersTable {
  id: string;
  login: string;
  role: string;
  full_name: string;
  centre: string | null;
  is_duty: number;
  phone: string | null;
  patient_id: string | null;
  password_hash: string;
  /**
   * `argon2id` for chosen passwords; `one_time` for high-entropy SMS credentials (salted SHA-256),
   * `one_time_used` once that credential has signed in (it then only serves the password change).
   */
  password_kind: string;
  must_change_password: number;
  failed_logins: number;
  locked_until: string | null;
  disabled: number;
  is_demo: number;
  created_at: string;
  updated_at: string;
  /** The doctor's post as printed on conclusions (0007), e.g. «врач — сердечно-сосудистый хирург». */
  post: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface PatientsTable {
  id: string;
  last_name: string;
  first_name: string;
  middle_name: string | null;
  sex: string;
  birth_date: string;
  snils: string | null;
  enp: string | null;
  phone: string | null;
  region: string | null;
  referring_organization: string | null;
  attending_physician: string | null;
  referred_by: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  /** PatientStage, kept by refreshPatientStage; the database default is `imported`. */
  stage: ColumnType<string, string | undefined, string>;
  batch_id: string | null;
  batch_row: number | null;
}

export interface ReferralBatchesTable {
  id: string;
  physician_id: string;
  title: string;
  file_name: string | null;
  file_hash: string | null;
  row_count: number;
  /** JSON of ReferralBatchRow[]. */
  rows: string;
  status: string;
  created_at: string;
  updated_at: string;
  /** `app` | `file` (0005). */
  source: Generated<string>;
  submitted_by: string | null;
  region: string | null;
  organization: string | null;
  referrer: string | null;
  received_at: string | null;
  /** JSON of RejectedRow[] (0005). */
  rejected_rows: Generated<string>;
}

export interface RequestsTable {
  id: string;
  patient_id: string;
  centre: string;
  profile: string;
  source: string;
  status: string;
  icd10: string | null;
  diagnosis: string | null;
  complaints: string | null;
  urgency: string;
  pregnancy_weeks: number | null;
  note: string | null;
  referred_by: string | null;
  assigned_doctor_id: string | null;
  due_at: string;
  created_at: string;
  updated_at: string;
}

export interface DocumentsTable {
  id: string;
  patient_id: string;
  request_id: string | null;
  doc_type: string;
  file_name: string;
  mime: string;
  size: number;
  sha256: string;
  uploaded_by: string | null;
  created_at: string;
  deleted_at: string | null;
  /** Role of the uploader at upload time (0003). */
  uploaded_by_role: string | null;
  /** Consent to processing for an upload on the patient's behalf: who recorded it, when, basis. */
  consent_recorded_by: string | null;
  consent_at: string | null;
  consent_basis: string | null;
}

export interface ConsultationsTable {
  id: string;
  request_id: string;
  doctor_id: string;
  starts_at: string;
  ends_at: string;
  status: string;
  cancel_reason: string | null;
  created_at: string;
  updated_at: string;
  /** `regular` | `duty` (0007). */
  kind: Generated<string>;
  /** `doctor` | `patient` | `system`. */
  cancelled_by: string | null;
  rescheduled_from: string | null;
  reminder_sent_at: string | null;
}

export interface ConclusionsTable {
  id: string;
  request_id: string;
  consultation_id: string | null;
  version: number;
  body: string;
  outcome: string;
  pdf_sha256: string | null;
  issued_by: string;
  issued_at: string | null;
  created_at: string;
  /** Snapshot at issue (0007): the doctor's name and post as printed. */
  doctor_name: string | null;
  doctor_post: string | null;
  verification_code: string | null;
  superseded_by: string | null;
  corrects_id: string | null;
}

export interface DutySlotsTable {
  id: string;
  doctor_id: string;
  centre: string;
  starts_at: string;
  ends_at: string;
  consultation_id: string | null;
  created_at: string;
}

export interface MessagesTable {
  id: string;
  request_id: string;
  sender_id: string;
  body: string;
  created_at: string;
  read_at: string | null;
  /** A document of the request's patient attached to the message (0008). */
  document_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  kind: string;
  payload: string;
  created_at: string;
  read_at: string | null;
}

export interface SmsOutboxTable {
  id: string;
  phone: string;
  body: string;
  status: string;
  attempts: number;
  provider_message_id: string | null;
  error: string | null;
  created_at: string;
  sent_at: string | null;
  /** The patient the message is about (credentials, notifications), when there is one. */
  patient_id: string | null;
  /** `credentials` for the login-and-password SMS. */
  kind: string | null;
  /** When the dispatcher may try again (0005); null: at once. */
  next_attempt_at: string | null;
  delivered_at: string | null;
  updated_at: string | null;
}

export interface BatchImportDecisionsTable {
  batch_id: string;
  row: number;
  /** `create` | `link` | `skip`. */
  decision: string;
  patient_id: string | null;
  decided_by: string | null;
  updated_at: string;
}

export interface BatchImportRowsTable {
  batch_id: string;
  row: number;
  /** `created` | `linked` | `skipped` | `rejected`. */
  outcome: string;
  patient_id: string | null;
  request_id: string | null;
  reason: string | null;
  created_at: string;
}

export interface AuditEventsTable {
  seq: number;
  at: string;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  patient_id: string | null;
  entity: string | null;
  entity_id: string | null;
  result: string;
  details: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface SyncCounterTable {
  id: number;
  value: number;
}

export interface SyncIndexTable {
  audience: string;
  entity: string;
  entity_id: string;
  change_no: number;
  deleted: number;
}

export interface SyncClientsTable {
  client_id: string;
  user_id: string;
  last_mutation_id: number;
  updated_at: string;
}

export interface SyncMutationsTable {
  client_id: string;
  mutation_id: number;
  name: string;
  status: string;
  result: string | null;
  applied_at: string;
}

/** A one-time SMS code for registration or password reset (0008): only its salted hash. */
export interface SmsCodesTable {
  id: string;
  phone: string;
  /** `register` | `reset`. */
  purpose: string;
  /** Null when nothing enterable was sent (no account to reset, or one already registered). */
  code_hash: string | null;
  attempts: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  ip: string | null;
}

/** A patient's consent to processing of personal data, one row per version agreed to (0008). */
export interface PatientConsentsTable {
  id: string;
  patient_id: string;
  user_id: string;
  version: string;
  given_at: string;
  ip: string | null;
}

/** A resumable upload (0008); the bytes so far are in `<dataDir>/uploads/<id>.part`. */
export interface UploadSessionsTable {
  id: string;
  patient_id: string;
  created_by: string;
  created_by_role: string;
  doc_type: string;
  file_name: string;
  size: number;
  received: number;
  /** `open` | `complete` | `rejected`. */
  state: string;
  mime: string | null;
  /** For an upload on the patient's behalf: the consent it relies on. */
  consent_basis: string | null;
  document_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  patients: PatientsTable;
  referral_batches: ReferralBatchesTable;
  consultation_requests: RequestsTable;
  documents: DocumentsTable;
  consultations: ConsultationsTable;
  conclusions: ConclusionsTable;
  messages: MessagesTable;
  notifications: NotificationsTable;
  sms_outbox: SmsOutboxTable;
  duty_slots: DutySlotsTable;
  batch_import_decisions: BatchImportDecisionsTable;
  batch_import_rows: BatchImportRowsTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  sync_counter: SyncCounterTable;
  sync_index: SyncIndexTable;
  sync_clients: SyncClientsTable;
  sync_mutations: SyncMutationsTable;
  sms_codes: SmsCodesTable;
  patient_consents: PatientConsentsTable;
  upload_sessions: UploadSessionsTable;
}

