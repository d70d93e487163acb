import { z } from 'zod';
import { DocumentFileName, DocumentTypeCode } from './documents.js';
import { namePart, PhoneField, text } from './fields.js';
import { Id, IsoDate, IsoDateTime } from './ids.js';
import { Sex } from './patients.js';
import { CentreCode, ConsultationRequest } from './requests.js';
import { Consultation } from './consultations.js';
import { NewPassword } from './users.js';

/**
 * The patient portal's own API shapes: self-registration and password reset by an SMS code,
 * consent to processing, resumable uploads, self-application, the duty doctor's slots, and the
 * doctor–patient chat tied to a request.
 */

// ── registration and reset ───────────────────────────────────────────────────────────────────

export const SMS_CODE_LENGTH = 6;
export const SmsCode = z.string().regex(/^\d{6}$/, 'Код из SMS — 6 цифр.');

/** Asks for a code by SMS. The answer never says whether the number has an account. */
export const PhoneBody = z.strictObject({ phone: PhoneField.pipe(z.string().min(1, 'Укажите номер мобильного телефона.')) });
export const CodeSent = z.object({
  ok: z.literal(true),
  /** When a new code may be asked for. */
  resendAfterSeconds: z.number().int(),
  /** How long the code works. */
  expiresInSeconds: z.number().int(),
});

export const RegisterConfirmBody = z.strictObject({
  phone: PhoneField.pipe(z.string().min(1)),
  code: SmsCode,
  lastName: namePart(),
  firstName: namePart(),
  middleName: namePart().nullable().default(null),
  sex: Sex,
  birthDate: IsoDate,
  password: NewPassword,
});

export const ResetConfirmBody = z.strictObject({
  phone: PhoneField.pipe(z.string().min(1)),
  code: SmsCode,
  newPassword: NewPassword,
});

// ── consent ──────────────────────────────────────────────────────────────────────────────────

export const ConsentText = z.object({ version: z.string(), title: z.string(), text: z.string() });
export const ConsentRecord = z.object({
  /** The version the patient agreed to, and when; null: not yet. */
  version: z.string().nullable(),
  at: IsoDateTime.nullable(),
  /** Is the agreed version the current one? (A new text needs a new consent.) */
  current: z.boolean(),
});
export const ConsentBody = z.strictObject({ version: z.string().min(1).max(40), agree: z.literal(true) });

// ── resumable uploads ─────────────────────────────────────────────────────────────────────────

/** Chunks of this size travel one by one; a broken connection costs at most one chunk. */
export const UPLOAD_CHUNK_BYTES = 512 * 1024;

export const UploadStartBody = z.strictObject({
  /** Made by the client: starting the same upload again returns the same session. */
  id: Id,
  type: DocumentTypeCode,
  fileName: DocumentFileName,
  size: z.number().int().min(1),
});
export const UploadSession = z.object({
  id: Id,
  patientId: Id,
  type: DocumentTypeCode,
  fileName: z.string(),
  size: z.number().int(),
  /** Bytes received so far: the next chunk starts here. */
  received: z.number().int(),
  chunkBytes: z.number().int(),
  state: z.enum(['open', 'complete']),
  /** Set once complete. */
  documentId: Id.nullable(),
});
export type UploadSession = z.infer<typeof UploadSession>;
export const UploadChunkQuery = z.strictObject({ offset: z.coerce.number().int().min(0) });

// ── self-application ──────────────────────────────────────────────────────────────────────────

export const ApplicationBody = z.strictObject({
  id: Id,
  centre: CentreCode,
  profile: z.string().min(1).max(64),
  /** As the patient writes them; the account's own name is used for the record. */
  diagnosis: text(1000).pipe(z.string().min(1, 'Укажите текущий диагноз (как в выписке).')),
  complaints: text(2000).pipe(z.string().min(1, 'Коротко опишите жалобы.')),
  pregnancyWeeks: z.number().int().min(1).max(45).nullable().default(null),
});

// ── duty doctor ──────────────────────────────────────────────────────────────────────────────

export const DutySlot = z.object({
  id: Id,
  centre: CentreCode,
  doctorId: Id,
  doctorName: z.string(),
  startsAt: IsoDateTime,
  endsAt: IsoDateTime,
  free: z.boolean(),
});
export type DutySlot = z.infer<typeof DutySlot>;
export const DutySlotsQuery = z.strictObject({
  centre: CentreCode.optional(),
  from: IsoDateTime.optional(),
  to: IsoDateTime.optional(),
});
export const DutySlotList = z.object({ items: z.array(DutySlot) });
/** A duty doctor publishes `count` consecutive slots of `durationMinutes` from `startsAt`. */
export const DutySlotsCreateBody = z.strictObject({
  startsAt: IsoDateTime,
  durationMinutes: z.number().int().min(10).max(120),
  count: z.number().int().min(1).max(48),
});
export const DutyBookBody = z.strictObject({
  /** The general question, briefly (prevention, treatment, rehabilitation, healthy lifestyle). */
  question: text(2000).pipe(z.string().min(1, 'Коротко напишите, о чём хотите спросить.')),
});
export const DutyBooking = z.object({ request: ConsultationRequest, consultation: Consultation });

// ── chat ─────────────────────────────────────────────────────────────────────────────────────

export const ChatMessage = z.object({
  id: Id,
  requestId: Id,
  senderId: Id,
  senderName: z.string(),
  senderRole: z.enum(['patient', 'doctor']),
  body: z.string(),
  /** A document of the patient's, attached by the patient. */
  documentId: Id.nullable(),
  createdAt: IsoDateTime,
  readAt: IsoDateTime.nullable(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;
export const MessageList = z.object({ items: z.array(ChatMessage), unread: z.number().int() });
export const MessageBody = z.strictObject({
  id: Id,
  body: text(4000).pipe(z.string().min(1, 'Напишите сообщение.')),
  documentId: Id.nullable().default(null),
});
/** A message as it syncs to the desktop: with its patient, so the local store can file it by patient. */
export const SyncMessage = ChatMessage.extend({ patientId: Id });
export type SyncMessage = z.infer<typeof SyncMessage>;
/** `message.send` from the desktop: the client makes the id, so a re-sent mutation stays one message. */
export const MessageSend = MessageBody.extend({ requestId: Id });
export type MessageSend = z.infer<typeof MessageSend>;
/**
 * `message.read`: the other side's messages up to and including `upTo` (what the reader had on
 * screen) are read; one that arrived later — possibly while the desktop was offline — stays unread.
 */
export const MessageRead = z.strictObject({ requestId: Id, upTo: Id });
export type MessageRead = z.infer<typeof MessageRead>;
