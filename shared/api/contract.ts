import { z } from 'zod';
import { BatchDuplicates, ImportDecisionsBody, ImportProgress, ImportStatus } from '../domain/batch-import.js';
import { ConsentBasis, DOCUMENT_MAX_BYTES, DocumentFileName, DocumentTypeCode, PatientDocument } from '../domain/documents.js';
import { Id, IsoDateTime } from '../domain/ids.js';
import { Patient, PatientCreate } from '../domain/patients.js';
import { Conclusion, ConclusionVerification } from '../domain/conclusions.js';
import { Consultation, ConsultationCancelBody } from '../domain/consultations.js';
import { NotificationList, NotificationsReadBody } from '../domain/notifications.js';
import { PipelineList, PipelineListQuery, PipelineSummary } from '../domain/pipeline.js';
import {
  ApplicationBody,
  ChatMessage,
  CodeSent,
  ConsentBody,
  ConsentRecord,
  ConsentText,
  DutyBookBody,
  DutyBooking,
  DutySlotList,
  DutySlotsCreateBody,
  DutySlotsQuery,
  MessageBody,
  MessageList,
  PhoneBody,
  RegisterConfirmBody,
  ResetConfirmBody,
  UPLOAD_CHUNK_BYTES,
  UploadChunkQuery,
  UploadSession,
  UploadStartBody,
} from '../domain/portal.js';
import { ReferralBatch, ReferralBatchSummary } from '../domain/referrals.js';
import { SmsOutboxItem, SmsOutboxList, SmsOutboxQuery } from '../domain/sms.js';
import { CentreCode, ConsultationRequest, RequestCreate, RequestScheduleBody, RequestSource, RequestStatus } from '../domain/requests.js';
import type { Role } from '../domain/roles.js';
import { NewPassword, PublicUser, UserCreate } from '../domain/users.js';
import { CALL_PROBE_BYTES, CallProbeResult, CallTicket } from '../call/protocol.js';
import { PullRequest, PullResponse, PUSH_MAX_BODY_BYTES, PushRequest, PushResponse } from '../sync/protocol.js';

/**
 * The central API contract: every HTTP route once, with who may call it and the schemas of what
 * goes in and out. The server registers exactly these routes (and fails to start if one is
 * missing or extra), generates /api/openapi.json from them, and the role × route test walks them.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDef {
  method: HttpMethod;
  path: string;
  summary: string;
  /** `public` needs no session; otherwise the roles allowed. */
  roles: 'public' | readonly Role[];
  /** Reads or writes patient data: must leave an audit event (enforced by the server). */
  patientData: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  /** Allowed while a one-time password still has to be replaced. */
  allowWithPendingPasswordChange?: boolean;
  /** Overrides the server's default request body limit for this route only (bytes). */
  bodyLimit?: number;
  /** The body is raw bytes (`application/octet-stream`), streamed to the handler, not JSON. */
  rawBody?: true;
  /** The answer is bytes (with Range support), not JSON; `response` describes nothing then. */
  binaryResponse?: true;
  /** Requests allowed per window, per client address or per user (429 RATE_LIMITED beyond). */
  rateLimit?: { limit: number; windowSeconds: number; by: 'ip' | 'user' };
}

function route<const R extends RouteDef>(def: R): R {
  return def;
}

const IdParams = z.strictObject({ id: Id });

export const HealthResponse = z.object({
  status: z.literal('ok'),
  version: z.string(),
  database: z.enum(['sqlite', 'postgres']),
  demo: z.boolean(),
  time: IsoDateTime,
});

export const LoginBody = z.strictObject({
  login: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
export const LoginResponse = z.object({
  token: z.string(),
  expiresAt: IsoDateTime,
  user: PublicUser,
});

export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: NewPassword,
});

export const Ok = z.object({ ok: z.literal(true) });

const Page = {
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};

export const PatientListQuery = z.strictObject({
  ...Page,
  q: z.string().trim().max(100).optional(),
});
export const PatientList = z.object({ items: z.array(Patient), total: z.number().int() });

export const RequestListQuery = z.strictObject({
  ...Page,
  centre: CentreCode.optional(),
  status: RequestStatus.optional(),
  source: RequestSource.optional(),
  patientId: Id.optional(),
});
export const RequestList = z.object({ items: z.array(ConsultationRequest), total: z.number().int() });

export const ReferralBatchListQuery = z.strictObject({ ...Page });
export const ReferralBatchList = z.object({ items: z.array(ReferralBatchSummary), total: z.number().int() });

export const ImportDecisionsResponse = z.object({ saved: z.number().int() });

export { SmsOutboxItem, SmsOutboxList, SmsOutboxQuery };

export const ReferenceResponse = z.object({
  centres: z.array(
    z.object({
      code: CentreCode,
      shortName: z.string(),
      fullName: z.string(),
      profiles: z.array(
        z.object({
          code: z.string(),
          name: z.string(),
          needsPregnancyWeeks: z.boolean(),
          documents: z.array(z.object({ type: z.string(), required: z.boolean() })),
        }),
      ),
    }),
  ),
  regions: z.array(z.object({ code: z.string(), name: z.string() })),
  documentTypes: z.record(z.string(), z.string()),
});

/**
 * Metadata of an upload travels in the query (the body is the file itself). A physician uploading
 * on the patient's behalf must confirm that consent was obtained and say on what basis.
 */
export const DocumentUploadQuery = z.strictObject({
  /** Made by the client, so a retried upload is the same document. */
  id: Id.optional(),
  type: DocumentTypeCode,
  fileName: DocumentFileName,
  consentObtained: z.enum(['true']).optional(),
  consentBasis: ConsentBasis.optional(),
});
const PatientIdParams = z.strictObject({ id: Id });
/** The bytes themselves: described, not validated (see `binaryResponse`). */
const XlsxBytes = z.unknown().describe('Файл XLSX (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)');
const DocumentBytes = z.unknown().describe('Содержимое документа (application/octet-stream), поддерживается Range');

export const UserList = z.object({ items: z.array(PublicUser) });

export const AuditEvent = z.object({
  seq: z.number().int(),
  at: IsoDateTime,
  actorId: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  patientId: z.string().nullable(),
  entity: z.string().nullable(),
  entityId: z.string().nullable(),
  result: z.enum(['ok', 'denied', 'error']),
  details: z.record(z.string(), z.unknown()).nullable(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.strictObject({
  ...Page,
  patientId: Id.optional(),
  actorId: Id.optional(),
  action: z.string().max(64).optional(),
  from: IsoDateTime.optional(),
  to: IsoDateTime.optional(),
});
export const AuditList = z.object({ items: z.array(AuditEvent), total: z.number().int() });
export const AuditVerifyResponse = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBadSeq: z.number().int().nullable(),
  reason: z.string().nullable(),
});

export const ConsultationListQuery = z.strictObject({
  requestId: Id.optional(),
  from: IsoDateTime.optional(),
  to: IsoDateTime.optional(),
});
export const ConsultationList = z.object({ items: z.array(Consultation) });
export const ConclusionListQuery = z.strictObject({ requestId: Id.optional() });
export const ConclusionList = z.object({ items: z.array(Conclusion) });
const CodeParams = z.strictObject({ code: z.string().regex(/^[0-9a-f]{64}$/, 'Код проверки: 64 шестнадцатеричных символа.') });
const ProbeBytes = z.unknown().describe('Случайные байты для оценки скорости (application/octet-stream)');
const PdfBytes = z.unknown().describe('Файл заключения (application/pdf)');
/** A conclusion PDF is far below this; the limit only stops a verification request from being a DoS. */
export const CONCLUSION_PDF_MAX_BYTES = 10 * 1024 * 1024;

export const API = {
  health: route({ method: 'GET', path: '/api/health', summary: 'Состояние сервиса', roles: 'public', patientData: false, response: HealthResponse }),
  openapi: route({ method: 'GET', path: '/api/openapi.json', summary: 'Описание API (OpenAPI)', roles: 'public', patientData: false, response: z.record(z.string(), z.unknown()) }),
  // Per address on top of the per-account lockout: guessing across many logins from one place.
  login: route({ method: 'POST', path: '/api/auth/login', summary: 'Вход', roles: 'public', patientData: false, body: LoginBody, response: LoginResponse, rateLimit: { limit: 30, windowSeconds: 60, by: 'ip' } }),
  logout: route({ method: 'POST', path: '/api/auth/logout', summary: 'Выход', roles: ['physician', 'manager', 'doctor', 'patient', 'admin'], patientData: false, response: Ok, allowWithPendingPasswordChange: true }),
  changePassword: route({ method: 'POST', path: '/api/auth/change-password', summary: 'Смена пароля', roles: ['physician', 'manager', 'doctor', 'patient', 'admin'], patientData: false, body: ChangePasswordBody, response: Ok, allowWithPendingPasswordChange: true }),
  me: route({ method: 'GET', path: '/api/me', summary: 'Текущий пользователь', roles: ['physician', 'manager', 'doctor', 'patient', 'admin'], patientData: false, response: PublicUser, allowWithPendingPasswordChange: true }),
  reference: route({ method: 'GET', path: '/api/reference', summary: 'Справочники: центры, профили, регионы', roles: ['physician', 'manager', 'doctor', 'patient', 'admin'], patientData: false, response: ReferenceResponse }),
  listUsers: route({ method: 'GET', path: '/api/users', summary: 'Пользователи', roles: ['admin'], patientData: false, response: UserList }),
  createUser: route({ method: 'POST', path: '/api/users', summary: 'Создать пользователя', roles: ['admin'], patientData: false, body: UserCreate, response: PublicUser }),
  listPatients: route({ method: 'GET', path: '/api/patients', summary: 'Пациенты (в пределах видимости роли)', roles: ['physician', 'manager', 'doctor'], patientData: true, query: PatientListQuery, response: PatientList }),
  getPatient: route({ method: 'GET', path: '/api/patients/:id', summary: 'Пациент', roles: ['physician', 'manager', 'doctor', 'patient'], patientData: true, params: IdParams, response: Patient }),
  createPatient: route({ method: 'POST', path: '/api/patients', summary: 'Создать пациента', roles: ['physician', 'manager'], patientData: true, body: PatientCreate, response: Patient }),
  listRequests: route({ method: 'GET', path: '/api/requests', summary: 'Заявки на консультацию (в пределах видимости роли)', roles: ['physician', 'manager', 'doctor', 'patient'], patientData: true, query: RequestListQuery, response: RequestList }),
  getRequest: route({ method: 'GET', path: '/api/requests/:id', summary: 'Заявка', roles: ['physician', 'manager', 'doctor', 'patient'], patientData: true, params: IdParams, response: ConsultationRequest }),
  createRequest: route({ method: 'POST', path: '/api/requests', summary: 'Создать заявку (направление)', roles: ['physician', 'manager'], patientData: true, body: RequestCreate, response: ConsultationRequest }),
  takeRequest: route({ method: 'POST', path: '/api/requests/:id/take', summary: 'Взять заявку в работу', roles: ['doctor'], patientData: true, params: IdParams, response: ConsultationRequest }),
  scheduleRequest: route({ method: 'POST', path: '/api/requests/:id/schedule', summary: 'Назначить консультацию по заявке', roles: ['doctor'], patientData: true, params: IdParams, body: RequestScheduleBody, response: ConsultationRequest }),
  listReferralBatches: route({ method: 'GET', path: '/api/referral-batches', summary: 'Таблицы направлений (врач — свои, руководитель — все)', roles: ['physician', 'manager'], patientData: true, query: ReferralBatchListQuery, response: ReferralBatchList }),
  getReferralBatch: route({ method: 'GET', path: '/api/referral-batches/:id', summary: 'Таблица направлений со строками', roles: ['physician', 'manager'], patientData: true, params: IdParams, response: ReferralBatch }),
  getBatchDuplicates: route({ method: 'GET', path: '/api/referral-batches/:id/duplicates', summary: 'Импорт таблицы: возможные дубликаты по строкам', roles: ['manager'], patientData: true, params: IdParams, response: BatchDuplicates }),
  saveBatchDecisions: route({ method: 'POST', path: '/api/referral-batches/:id/decisions', summary: 'Импорт таблицы: решения по строкам (создать, связать, пропустить)', roles: ['manager'], patientData: true, params: IdParams, body: ImportDecisionsBody, response: ImportDecisionsResponse }),
  commitBatch: route({ method: 'POST', path: '/api/referral-batches/:id/commit', summary: 'Импорт таблицы: запустить или продолжить', roles: ['manager'], patientData: true, params: IdParams, response: ImportProgress }),
  getBatchImport: route({ method: 'GET', path: '/api/referral-batches/:id/import', summary: 'Импорт таблицы: ход и итог по строкам', roles: ['manager'], patientData: true, params: IdParams, response: ImportStatus }),
  cancelBatchImport: route({ method: 'POST', path: '/api/referral-batches/:id/cancel', summary: 'Импорт таблицы: остановить после текущей порции', roles: ['manager'], patientData: true, params: IdParams, response: ImportProgress }),
  getBatchReport: route({ method: 'GET', path: '/api/referral-batches/:id/report', summary: 'Отчёт по таблице (XLSX): создано, связано, пропущено, отклонено с причинами', roles: ['physician', 'manager'], patientData: true, params: IdParams, response: XlsxBytes, binaryResponse: true }),
  pipelineSummary: route({ method: 'GET', path: '/api/pipeline', summary: 'Воронка программы: пациенты по этапам, регионам, центрам, организациям; заявки по дням; просроченные', roles: ['manager'], patientData: false, response: PipelineSummary }),
  pipelineList: route({ method: 'GET', path: '/api/pipeline/rows', summary: 'Список за числом воронки (фильтр как на графике)', roles: ['manager'], patientData: true, query: PipelineListQuery, response: PipelineList }),
  resendSms: route({ method: 'POST', path: '/api/sms-outbox/:id/resend', summary: 'Отправить SMS повторно (для входа — с новым одноразовым паролем)', roles: ['manager'], patientData: true, params: IdParams, response: SmsOutboxItem, rateLimit: { limit: 20, windowSeconds: 60, by: 'user' } }),
  listSmsOutbox: route({ method: 'GET', path: '/api/sms-outbox', summary: 'Очередь SMS (пароли скрыты, кроме демо-режима)', roles: ['manager'], patientData: true, query: SmsOutboxQuery, response: SmsOutboxList }),
  listPatientDocuments: route({ method: 'GET', path: '/api/patients/:id/documents', summary: 'Документы пациента', roles: ['physician', 'manager', 'doctor', 'patient'], patientData: true, params: PatientIdParams, response: z.object({ items: z.array(PatientDocument) }) }),
  uploadDocument: route({ method: 'POST', path: '/api/patients/:id/documents', summary: 'Загрузить документ пациента (тело — файл)', roles: ['physician', 'manager', 'patient'], patientData: true, params: PatientIdParams, query: DocumentUploadQuery, response: PatientDocument, bodyLimit: DOCUMENT_MAX_BYTES, rawBody: true }),
  getDocumentContent: route({ method: 'GET', path: '/api/documents/:id/content', summary: 'Содержимое документа (ETag = SHA-256, Range)', roles: ['physician', 'manager', 'doctor', 'patient'], patientData: true, params: IdParams, response: DocumentBytes, binaryResponse: true }),
  listConsultations: route({ method: 'GET', path: '/api/consultations', summary: 'Консультации (в пределах видимости роли)', roles: ['physician', 'manager', 'doctor', 'patient'], patientData: true, query: ConsultationListQuery, response: ConsultationList }),
  cancelConsultation: route({ method: 'POST', path: '/api/consultations/:id/cancel', summary: 'Отменить консультацию с указанием причины (пациент или врач)', roles: ['doctor', 'patient'], patientData: true, params: IdParams, body: ConsultationCancelBody, response: Consultation }),
  listConclusions: route({ method: 'GET', path: '/api/conclusions', summary: 'Заключения (все версии, в пределах видимости роли)', roles: ['physician', 'manager', 'doctor', 'patient'], patientData: true, query: ConclusionListQuery, response: ConclusionList }),
  getConclusionPdf: route({ method: 'GET', path: '/api/conclusions/:id/pdf', summary: 'Заключение (PDF)', roles: ['physician', 'manager', 'doctor', 'patient'], patientData: true, params: IdParams, response: PdfBytes, binaryResponse: true }),
  verifyConclusionCode: route({ method: 'GET', path: '/api/conclusions/verify/:code', summary: 'Проверка заключения по коду (QR)', roles: 'public', patientData: false, params: CodeParams, response: ConclusionVerification, rateLimit: { limit: 60, windowSeconds: 60, by: 'ip' } }),
  verifyConclusionPdf: route({ method: 'POST', path: '/api/conclusions/verify', summary: 'Проверка файла заключения (тело — PDF)', roles: 'public', patientData: false, response: ConclusionVerification, bodyLimit: CONCLUSION_PDF_MAX_BYTES, rawBody: true, rateLimit: { limit: 20, windowSeconds: 60, by: 'ip' } }),
  listNotifications: route({ method: 'GET', path: '/api/notifications', summary: 'Уведомления пользователя', roles: ['physician', 'manager', 'doctor', 'patient', 'admin'], patientData: false, response: NotificationList }),
  markNotificationsRead: route({ method: 'POST', path: '/api/notifications/read', summary: 'Отметить уведомления прочитанными', roles: ['physician', 'manager', 'doctor', 'patient', 'admin'], patientData: false, body: NotificationsReadBody, response: Ok }),
  // ── patient portal ──
  registerStart: route({ method: 'POST', path: '/api/auth/register', summary: 'Регистрация пациента: код в SMS', roles: 'public', patientData: false, body: PhoneBody, response: CodeSent, rateLimit: { limit: 5, windowSeconds: 600, by: 'ip' } }),
  registerConfirm: route({ method: 'POST', path: '/api/auth/register/confirm', summary: 'Регистрация пациента: код, данные, пароль', roles: 'public', patientData: false, body: RegisterConfirmBody, response: LoginResponse, rateLimit: { limit: 10, windowSeconds: 600, by: 'ip' } }),
  resetStart: route({ method: 'POST', path: '/api/auth/reset', summary: 'Восстановление пароля: код в SMS', roles: 'public', patientData: false, body: PhoneBody, response: CodeSent, rateLimit: { limit: 5, windowSeconds: 600, by: 'ip' } }),
  resetConfirm: route({ method: 'POST', path: '/api/auth/reset/confirm', summary: 'Восстановление пароля: код и новый пароль', roles: 'public', patientData: false, body: ResetConfirmBody, response: Ok, rateLimit: { limit: 10, windowSeconds: 600, by: 'ip' } }),
  consentText: route({ method: 'GET', path: '/api/consent/text', summary: 'Текст согласия на обработку персональных данных', roles: 'public', patientData: false, response: ConsentText }),
  myConsent: route({ method: 'GET', path: '/api/me/consent', summary: 'Согласие пациента: версия и дата', roles: ['patient'], patientData: true, response: ConsentRecord }),
  giveConsent: route({ method: 'POST', path: '/api/me/consent', summary: 'Дать согласие на обработку персональных данных', roles: ['patient'], patientData: true, body: ConsentBody, response: ConsentRecord }),
  startUpload: route({ method: 'POST', path: '/api/patients/:id/uploads', summary: 'Начать (или продолжить) загрузку документа частями', roles: ['patient', 'physician', 'manager'], patientData: true, params: PatientIdParams, body: UploadStartBody, response: UploadSession }),
  getUpload: route({ method: 'GET', path: '/api/uploads/:id', summary: 'Загрузка документа: сколько получено', roles: ['patient', 'physician', 'manager'], patientData: true, params: IdParams, response: UploadSession }),
  uploadChunk: route({ method: 'PUT', path: '/api/uploads/:id', summary: 'Загрузка документа: следующая часть (тело — байты с offset)', roles: ['patient', 'physician', 'manager'], patientData: true, params: IdParams, query: UploadChunkQuery, response: UploadSession, bodyLimit: UPLOAD_CHUNK_BYTES, rawBody: true }),
  completeUpload: route({ method: 'POST', path: '/api/uploads/:id/complete', summary: 'Загрузка документа: завершить (проверка типа по содержимому)', roles: ['patient', 'physician', 'manager'], patientData: true, params: IdParams, response: PatientDocument }),
  createApplication: route({ method: 'POST', path: '/api/applications', summary: 'Заявка пациента в центр (самостоятельное обращение)', roles: ['patient'], patientData: true, body: ApplicationBody, response: ConsultationRequest }),
  listDutySlots: route({ method: 'GET', path: '/api/duty/slots', summary: 'Расписание дежурного врача', roles: ['patient', 'doctor'], patientData: false, query: DutySlotsQuery, response: DutySlotList }),
  createDutySlots: route({ method: 'POST', path: '/api/duty/slots', summary: 'Дежурный врач открывает приём', roles: ['doctor'], patientData: false, body: DutySlotsCreateBody, response: DutySlotList }),
  bookDutySlot: route({ method: 'POST', path: '/api/duty/slots/:id/book', summary: 'Записаться к дежурному врачу', roles: ['patient'], patientData: true, params: IdParams, body: DutyBookBody, response: DutyBooking, rateLimit: { limit: 10, windowSeconds: 60, by: 'user' } }),
  listMessages: route({ method: 'GET', path: '/api/requests/:id/messages', summary: 'Переписка по заявке', roles: ['patient', 'doctor'], patientData: true, params: IdParams, response: MessageList }),
  sendMessage: route({ method: 'POST', path: '/api/requests/:id/messages', summary: 'Написать сообщение по заявке', roles: ['patient', 'doctor'], patientData: true, params: IdParams, body: MessageBody, response: ChatMessage, rateLimit: { limit: 60, windowSeconds: 60, by: 'user' } }),
  markMessagesRead: route({ method: 'POST', path: '/api/requests/:id/messages/read', summary: 'Отметить сообщения прочитанными', roles: ['patient', 'doctor'], patientData: true, params: IdParams, response: Ok }),
  // ── video calls ──
  callTicket: route({ method: 'POST', path: '/api/consultations/:id/call', summary: 'Билет на подключение к звонку консультации (врач консультации или её пациент, в её время)', roles: ['doctor', 'patient'], patientData: true, params: IdParams, response: CallTicket, rateLimit: { limit: 30, windowSeconds: 60, by: 'user' } }),
  callProbeDown: route({ method: 'GET', path: '/api/call/probe', summary: 'Проверка связи перед звонком: загрузка', roles: ['doctor', 'patient'], patientData: false, response: ProbeBytes, binaryResponse: true, rateLimit: { limit: 20, windowSeconds: 60, by: 'user' } }),
  callProbeUp: route({ method: 'POST', path: '/api/call/probe', summary: 'Проверка связи перед звонком: отправка (тело — байты)', roles: ['doctor', 'patient'], patientData: false, response: CallProbeResult, bodyLimit: 4 * CALL_PROBE_BYTES, rawBody: true, rateLimit: { limit: 20, windowSeconds: 60, by: 'user' } }),
  syncPull: route({ method: 'POST', path: '/api/sync/pull', summary: 'Синхронизация: получить изменения', roles: ['physician', 'manager', 'doctor'], patientData: true, body: PullRequest, response: PullResponse }),
  syncPush: route({ method: 'POST', path: '/api/sync/push', summary: 'Синхронизация: отправить изменения', roles: ['physician', 'manager', 'doctor'], patientData: true, body: PushRequest, response: PushResponse, bodyLimit: PUSH_MAX_BODY_BYTES }),
  listAudit: route({ method: 'GET', path: '/api/audit', summary: 'Журнал аудита', roles: ['admin'], patientData: false, query: AuditQuery, response: AuditList }),
  verifyAudit: route({ method: 'GET', path: '/api/audit/verify', summary: 'Проверка целостности журнала аудита', roles: ['admin'], patientData: false, response: AuditVerifyResponse }),
} as const satisfies Record<string, RouteDef>;

export type ApiName = keyof typeof API;
export type ApiRoute<N extends ApiName> = (typeof API)[N];
type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;
export type ApiResponse<N extends ApiName> = z.infer<ApiRoute<N>['response']>;
export type ApiBody<N extends ApiName> = ApiRoute<N> extends { body: infer B } ? Infer<B> : undefined;
export type ApiQuery<N extends ApiName> = ApiRoute<N> extends { query: infer Q } ? Infer<Q> : undefined;
export type ApiParams<N extends ApiName> = ApiRoute<N> extends { params: infer P } ? Infer<P> : undefined;

/** WebSocket endpoint for pokes (auth by first message, see WsClientMessage). */
export const WS_PATH = '/api/ws';
export const DEFAULT_PORT = 8780;
