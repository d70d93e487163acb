import type { ApiBody, ApiName, ApiParams, ApiQuery, ApiResponse, ApiRoute } from '../../shared/api/contract';
import type { PatientDocument } from '../../shared/domain/documents';
import type { ErrorCode } from '../../shared/domain/errors';

/**
 * The portal's client of the central API (same origin). Types come from the contract; only
 * type imports, so the zod schemas stay out of the portal bundle. The table below repeats method
 * and path of the few routes the portal calls, and the compiler checks them against the contract.
 */
type PortalRoute =
  | 'login'
  | 'logout'
  | 'changePassword'
  | 'me'
  | 'reference'
  | 'getPatient'
  | 'listRequests'
  | 'listNotifications'
  | 'registerStart'
  | 'registerConfirm'
  | 'resetStart'
  | 'resetConfirm'
  | 'consentText'
  | 'myConsent'
  | 'giveConsent'
  | 'startUpload'
  | 'getUpload'
  | 'uploadChunk'
  | 'completeUpload';

const ROUTES: { [N in PortalRoute]: { method: ApiRoute<N>['method']; path: ApiRoute<N>['path'] } } = {
  login: { method: 'POST', path: '/api/auth/login' },
  logout: { method: 'POST', path: '/api/auth/logout' },
  changePassword: { method: 'POST', path: '/api/auth/change-password' },
  me: { method: 'GET', path: '/api/me' },
  reference: { method: 'GET', path: '/api/reference' },
  getPatient: { method: 'GET', path: '/api/patients/:id' },
  listRequests: { method: 'GET', path: '/api/requests' },
  listNotifications: { method: 'GET', path: '/api/notifications' },
  registerStart: { method: 'POST', path: '/api/auth/register' },
  registerConfirm: { method: 'POST', path: '/api/auth/register/confirm' },
  resetStart: { method: 'POST', path: '/api/auth/reset' },
  resetConfirm: { method: 'POST', path: '/api/auth/reset/confirm' },
  consentText: { method: 'GET', path: '/api/consent/text' },
  myConsent: { method: 'GET', path: '/api/me/consent' },
  giveConsent: { method: 'POST', path: '/api/me/consent' },
  startUpload: { method: 'POST', path: '/api/patients/:id/uploads' },
  getUpload: { method: 'GET', path: '/api/uploads/:id' },
  uploadChunk: { method: 'PUT', path: '/api/uploads/:id' },
  completeUpload: { method: 'POST', path: '/api/uploads/:id/complete' },
};

/** Routes whose body is raw bytes (`rawBody` in the contract), sent by `putBytes`, never as JSON. */
type RawRoute = 'uploadChunk';

/** A failed call: the server's stable code and Russian message, or SERVER_UNREACHABLE. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Opts<N extends ApiName> = {
  token?: string | null;
  params?: ApiParams<N>;
  query?: Partial<NonNullable<ApiQuery<N>>>;
  body?: ApiBody<N>;
  /** Aborting rejects with an ApiError of code CANCELLED. */
  signal?: AbortSignal;
};

interface ErrorBody {
  error?: { code?: string; message?: string; issues?: { path: string; message: string }[] };
}

function urlFor(path: string, params: object | undefined, query: object | undefined): string {
  let url = path.replace(/:(\w+)/g, (_m, name: string) => {
    const v = (params as Record<string, unknown> | undefined)?.[name];
    if (typeof v !== 'string') throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(v);
  });
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  if (s) url += `?${s}`;
  return url;
}

export async function call<N extends Exclude<PortalRoute, RawRoute>>(name: N, opts: Opts<N> = {}): Promise<ApiResponse<N>> {
  const route = ROUTES[name];
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return send<ApiResponse<N>>(urlFor(route.path, opts.params as object | undefined, opts.query), {
    method: route.method,
    headers,
    body: opts.body === undefined ? null : JSON.stringify(opts.body),
    signal: opts.signal,
  });
}

/** A raw-bytes request (an upload chunk): the body is sent as it is, `application/octet-stream`. */
export async function putBytes<N extends RawRoute>(
  name: N,
  opts: Omit<Opts<N>, 'body'> & { body: Blob },
): Promise<ApiResponse<N>> {
  const route = ROUTES[name];
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/octet-stream' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return send<ApiResponse<N>>(urlFor(route.path, opts.params as object | undefined, opts.query), {
    method: route.method,
    headers,
    body: opts.body,
    signal: opts.signal,
  });
}

async function send<T>(url: string, init: { method: string; headers: Record<string, string>; body: BodyInit | null; signal: AbortSignal | undefined }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: init.signal ?? null, credentials: 'omit', cache: 'no-store' });
  } catch {
    if (init.signal?.aborted) throw new ApiError('CANCELLED', 'Отменено.', 0);
    throw new ApiError('SERVER_UNREACHABLE', 'Нет связи с сервером.', 0);
  }
  let text: string;
  try {
    text = await res.text();
  } catch {
    if (init.signal?.aborted) throw new ApiError('CANCELLED', 'Отменено.', 0);
    throw new ApiError('SERVER_UNREACHABLE', 'Нет связи с сервером.', res.status);
  }
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page (502/504) means the API itself was not reached.
  }
  if (res.ok && data !== null) return data as T;
  const err = (data as ErrorBody | null)?.error;
  if (!err?.code) throw new ApiError('SERVER_UNREACHABLE', 'Нет связи с сервером.', res.status);
  throw new ApiError(err.code as ErrorCode, err.message ?? '', res.status, err.issues ?? []);
}

/**
 * The patient's own documents. NOT IN THE CONTRACT YET: the portal needs
 * `GET /api/patients/:id/documents` → `{ items: PatientDocument[] }` (patients: their own only).
 * Until the route exists this answers null and the page shows what was uploaded in this tab.
 */
export async function listMyDocuments(token: string, patientId: string): Promise<{ items: PatientDocument[] } | null> {
  try {
    const r = await send<{ items?: unknown }>(`/api/patients/${encodeURIComponent(patientId)}/documents`, {
      method: 'GET',
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
      body: null,
      signal: undefined,
    });
    return Array.isArray(r.items) ? { items: r.items as PatientDocument[] } : null;
  } catch (err) {
    if (isApiError(err) && (err.code === 'UNAUTHENTICATED' || err.code === 'PASSWORD_CHANGE_REQUIRED')) throw err;
    return null;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

// ── care pages (issue #7: application, duty doctor, chat, consultations, notifications) ──────
// Kept apart from `call` above so the two UI helpers' additions do not collide; same error rules.

type CareRoute =
  | 'reference'
  | 'listRequests'
  | 'createApplication'
  | 'listDutySlots'
  | 'bookDutySlot'
  | 'listMessages'
  | 'sendMessage'
  | 'markMessagesRead'
  | 'listConsultations'
  | 'cancelConsultation'
  | 'listConclusions'
  | 'listNotifications'
  | 'markNotificationsRead'
  | 'listPatientDocuments'
  | 'callTicket';

const CARE_ROUTES: { [N in CareRoute]: { method: ApiRoute<N>['method']; path: ApiRoute<N>['path'] } } = {
  reference: { method: 'GET', path: '/api/reference' },
  listRequests: { method: 'GET', path: '/api/requests' },
  createApplication: { method: 'POST', path: '/api/applications' },
  listDutySlots: { method: 'GET', path: '/api/duty/slots' },
  bookDutySlot: { method: 'POST', path: '/api/duty/slots/:id/book' },
  listMessages: { method: 'GET', path: '/api/requests/:id/messages' },
  sendMessage: { method: 'POST', path: '/api/requests/:id/messages' },
  markMessagesRead: { method: 'POST', path: '/api/requests/:id/messages/read' },
  listConsultations: { method: 'GET', path: '/api/consultations' },
  cancelConsultation: { method: 'POST', path: '/api/consultations/:id/cancel' },
  listConclusions: { method: 'GET', path: '/api/conclusions' },
  listNotifications: { method: 'GET', path: '/api/notifications' },
  markNotificationsRead: { method: 'POST', path: '/api/notifications/read' },
  listPatientDocuments: { method: 'GET', path: '/api/patients/:id/documents' },
  callTicket: { method: 'POST', path: '/api/consultations/:id/call' },
};

async function careFetch(method: string, url: string, token: string | null | undefined, body: unknown, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(url, { method, headers, body: body === undefined ? null : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError('SERVER_UNREACHABLE', 'Нет связи с сервером.', 0);
  }
}

async function careError(res: Response): Promise<ApiError> {
  let data: unknown = null;
  try {
    const text = await res.text();
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a proxy's error page.
  }
  const err = (data as ErrorBody | null)?.error;
  if (!err?.code) return new ApiError('SERVER_UNREACHABLE', 'Нет связи с сервером.', res.status);
  return new ApiError(err.code as ErrorCode, err.message ?? '', res.status, err.issues ?? []);
}

/** The care pages' calls: like `call`, over their own table of routes. */
export async function callCare<N extends CareRoute>(name: N, opts: Opts<N> = {}): Promise<ApiResponse<N>> {
  const route = CARE_ROUTES[name];
  const res = await careFetch(route.method, urlFor(route.path, opts.params as object | undefined, opts.query), opts.token, opts.body, 'application/json');
  if (!res.ok) throw await careError(res);
  const text = await res.text();
  try {
    return JSON.parse(text) as ApiResponse<N>;
  } catch {
    throw new ApiError('SERVER_UNREACHABLE', 'Нет связи с сервером.', res.status);
  }
}

/** The conclusion's PDF (GET /api/conclusions/:id/pdf) as a Blob, to save with a proper name. */
export async function fetchConclusionPdf(token: string, id: string): Promise<Blob> {
  const res = await careFetch('GET', urlFor('/api/conclusions/:id/pdf', { id }, undefined), token, undefined, 'application/pdf');
  if (!res.ok) throw await careError(res);
  return res.blob();
}
