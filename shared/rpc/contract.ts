import { z } from 'zod';
import { ErrorCode } from '../domain/errors.js';
import { Id, IsoDateTime } from '../domain/ids.js';
import { Patient, PatientCreate } from '../domain/patients.js';
import { ConsultationRequest, RequestStatus } from '../domain/requests.js';
import type { Role } from '../domain/roles.js';
import { PublicUser } from '../domain/users.js';
import { SyncEntity } from '../sync/protocol.js';

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
});
export type Session = z.infer<typeof Session>;

/** Only http(s) URLs with a host; a trailing slash is dropped so one server has one data dir. */
export const ServerUrl = z
  .url({ protocol: /^https?$/, error: 'Укажите адрес сервера вида https://oblako.example.ru' })
  .max(300)
  .transform((u) => u.replace(/\/+$/, ''));

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
});
export const QueueOutput = z.object({ items: z.array(QueueRow), total: z.number().int() });

/** The renderer does not make ids: the services do, so a retried create stays one patient. */
export const PatientCreateInput = PatientCreate.omit({ id: true });

export const RPC = {
  'app.info': method({ roles: 'public', input: Empty, output: AppInfo }),
  'session.get': method({ roles: 'public', input: Empty, output: Session }),
  'session.signIn': method({ roles: 'public', input: SignInInput, output: Session }),
  'session.signOut': method({ roles: 'signedIn', input: Empty, output: Ok }),
  'sync.status': method({ roles: 'signedIn', input: Empty, output: SyncStatus }),
  'sync.now': method({ roles: 'signedIn', input: Empty, output: SyncStatus }),
  'sync.rejections': method({ roles: 'signedIn', input: Empty, output: z.object({ items: z.array(Rejection) }) }),
  'sync.dismissRejection': method({ roles: 'signedIn', input: z.strictObject({ mutationId: z.number().int() }), output: Ok }),
  'patients.list': method({ roles: ['physician', 'manager'], input: PatientListInput, output: PatientListOutput }),
  'patients.statusCounts': method({ roles: ['physician', 'manager'], input: Empty, output: StatusCounts }),
  'patients.create': method({ roles: ['physician', 'manager'], input: PatientCreateInput, output: PatientRow }),
  'requests.queue': method({ roles: ['doctor', 'manager'], input: QueueInput, output: QueueOutput }),
  'requests.take': method({ roles: ['doctor'], input: z.strictObject({ id: Id }), output: QueueRow }),
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
