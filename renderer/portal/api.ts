import type { ApiBody, ApiName, ApiParams, ApiQuery, ApiResponse, ApiRoute } from '../../shared/api/contract';
import type { ErrorCode } from '../../shared/domain/errors';

/**
 * The portal's client of the central API (same origin). Types come from the contract; only
 * type imports, so the zod schemas stay out of the portal bundle. The table below repeats method
 * and path of the few routes the portal calls, and the compiler checks them against the contract.
 */
type PortalRoute = 'login' | 'logout' | 'changePassword' | 'me' | 'reference' | 'getPatient' | 'listRequests';

const ROUTES: { [N in PortalRoute]: { method: ApiRoute<N>['method']; path: ApiRoute<N>['path'] } } = {
  login: { method: 'POST', path: '/api/auth/login' },
  logout: { method: 'POST', path: '/api/auth/logout' },
  changePassword: { method: 'POST', path: '/api/auth/change-password' },
  me: { method: 'GET', path: '/api/me' },
  reference: { method: 'GET', path: '/api/reference' },
  getPatient: { method: 'GET', path: '/api/patients/:id' },
  listRequests: { method: 'GET', path: '/api/requests' },
};

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

export async function call<N extends PortalRoute>(name: N, opts: Opts<N> = {}): Promise<ApiResponse<N>> {
  const route = ROUTES[name];
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(urlFor(route.path, opts.params as object | undefined, opts.query), {
      method: route.method,
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('SERVER_UNREACHABLE', 'Нет связи с сервером.', 0);
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page (502/504) means the API itself was not reached.
  }
  if (res.ok && data !== null) return data as ApiResponse<N>;
  const err = (data as ErrorBody | null)?.error;
  if (!err?.code) throw new ApiError('SERVER_UNREACHABLE', 'Нет связи с сервером.', res.status);
  throw new ApiError(err.code as ErrorCode, err.message ?? '', res.status, err.issues ?? []);
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;
