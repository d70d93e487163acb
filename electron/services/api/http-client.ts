import { API, type ApiBody, type ApiName, type ApiQuery, type ApiResponse } from '../../../shared/api/contract.js';
import { ApiErrorBody } from '../../../shared/domain/errors.js';
import { ServiceError } from '../errors.js';
import { createLogger } from '../logger.js';

const log = createLogger('api.http');

export const UNREACHABLE_MESSAGE =
  'Нет связи с сервером. Проверьте подключение к сети и адрес сервера; данные на этом компьютере доступны, изменения отправятся автоматически, когда связь появится.';

/** A request that did not finish in time: the line is slow, not necessarily down. */
export const SLOW_LINK_MESSAGE =
  'Медленная связь: данные передаются дольше обычного, отправка продолжится автоматически.';

/** The slowest line a request body is expected to cross in time: 32 KiB/s ≈ 256 kbit/s. */
export const MIN_BYTES_PER_SECOND = 32 * 1024;

/** Time to allow for a request: the base, plus the body at the slowest expected line speed. */
export function timeoutFor(baseMs: number, bodyBytes: number): number {
  return Math.ceil(baseMs + (bodyBytes * 1000) / MIN_BYTES_PER_SECOND);
}

/** A request that ran out of time (SERVER_UNREACHABLE, with its own message). */
export class RequestTimeoutError extends ServiceError {
  constructor() {
    super('SERVER_UNREACHABLE', SLOW_LINK_MESSAGE);
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  /** Per request, including reading the body; a request body adds time at MIN_BYTES_PER_SECOND. */
  timeoutMs?: number;
  token?: () => string | null;
}

export interface CallOptions {
  token?: string | null;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Values for the route's `:name` segments. */
  params?: Record<string, string>;
  /** The query string of a GET route; undefined values are left out, booleans go as 'true'/'false'. */
  query?: Record<string, string | number | boolean | undefined>;
}

/** The route's path with its parameters filled in and the query appended. */
export function routeUrl(path: string, params?: Record<string, string>, query?: Record<string, string | number | boolean | undefined>): string {
  const filled = params ? path.replace(/:(\w+)/g, (whole, name: string) => (Object.hasOwn(params, name) ? encodeURIComponent(params[name] ?? '') : whole)) : path;
  if (!query) return filled;
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
  const qs = search.toString();
  return qs ? `${filled}?${qs}` : filled;
}

/** Routes the desktop calls; the ones with path parameters are not needed here. */
type CallableRoute = Exclude<ApiName, 'getPatient' | 'getRequest' | 'takeRequest' | 'uploadDocument' | 'getDocumentContent'>;

/**
 * A small client for the central API: JSON in and out, a timeout, the route table from the
 * shared contract, and errors as ServiceError: the server's `{error: {code, message}}` as is,
 * a failed connection or timeout as SERVER_UNREACHABLE.
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  async call<N extends CallableRoute>(name: N, body?: ApiBody<N>, opts: CallOptions = {}): Promise<ApiResponse<N>> {
    const route = API[name];
    const token = opts.token !== undefined ? opts.token : (this.opts.token?.() ?? null);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const json = body === undefined ? null : JSON.stringify(body);
    // A big push on a slow line must not be cut off forever: the time grows with the body.
    const timeoutMs = timeoutFor(opts.timeoutMs ?? this.timeoutMs, json === null ? 0 : Buffer.byteLength(json));
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    let status: number;
    let text: string;
    try {
      const res = await fetch(this.baseUrl + routeUrl(route.path, opts.params, opts.query), { method: route.method, headers, body: json, signal });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw unreachable(name, err, timeout, timeoutMs);
    }
    return this.answer(name, status, text);
  }

  /**
   * Uploads a patient's document: the bytes as the body, the metadata in the query. Long timeout
   * (50 MiB over a slow regional line); SERVER_UNREACHABLE when the server cannot be reached.
   */
  async uploadDocument(
    patientId: string,
    query: ApiQuery<'uploadDocument'>,
    bytes: Uint8Array,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ApiResponse<'uploadDocument'>> {
    const route = API.uploadDocument;
    const token = this.opts.token?.() ?? null;
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/octet-stream' };
    if (token) headers.authorization = `Bearer ${token}`;
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
    const url = `${this.baseUrl}${route.path.replace(':id', encodeURIComponent(patientId))}?${search.toString()}`;
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10 * 60_000);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    let status: number;
    let text: string;
    try {
      const res = await fetch(url, { method: route.method, headers, body: bytes, signal });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw unreachable('uploadDocument', err, timeout, opts.timeoutMs ?? 10 * 60_000);
    }
    return this.answer('uploadDocument', status, text);
  }

  /**
   * GETs a route that answers with bytes (a report, a file): the body as is and the file name
   * from `content-disposition`; an error answer is read as JSON like any other route's.
   */
  async getBytes<N extends BinaryGetRoute>(
    name: N,
    opts: { params?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<{ bytes: Buffer; fileName: string | null; contentType: string | null }> {
    const route = API[name];
    const token = this.opts.token?.() ?? null;
    const headers: Record<string, string> = { accept: '*/*' };
    if (token) headers.authorization = `Bearer ${token}`;
    // A report of thousands of rows is built on request: allow more than a JSON call.
    const timeoutMs = opts.timeoutMs ?? Math.max(this.timeoutMs, 120_000);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    let res: Response;
    let bytes: Buffer;
    try {
      res = await fetch(this.baseUrl + routeUrl(route.path, opts.params), { method: 'GET', headers, signal });
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw unreachable(name, err, timeout, timeoutMs);
    }
    if (res.status < 200 || res.status >= 300) this.answer(name, res.status, bytes.toString('utf8'));
    return { bytes, fileName: dispositionFileName(res.headers.get('content-disposition')), contentType: res.headers.get('content-type') };
  }

  /**
   * Streams a document's bytes, optionally from `start` (a `Range` request guarded by `If-Range`,
   * so a changed file answers 200 with the whole of it rather than a mismatched tail). The time
   * limit applies to the headers and then to each pause between pieces of the body, not to the
   * whole transfer: 50 MiB over a slow line may take long but must keep moving.
   */
  async streamDocumentContent(
    documentId: string,
    opts: { start?: number; end?: number; ifRange?: string; signal?: AbortSignal; idleTimeoutMs?: number } = {},
  ): Promise<DocumentStream> {
    const route = API.getDocumentContent;
    const token = this.opts.token?.() ?? null;
    const headers: Record<string, string> = { accept: '*/*' };
    if (token) headers.authorization = `Bearer ${token}`;
    if ((opts.start ?? 0) > 0 || opts.end !== undefined) {
      headers.range = `bytes=${opts.start ?? 0}-${opts.end ?? ''}`;
      if (opts.ifRange) headers['if-range'] = `"${opts.ifRange}"`;
    }
    const idleMs = opts.idleTimeoutMs ?? this.timeoutMs;
    const ctl = new AbortController();
    const signal = opts.signal ? AbortSignal.any([ctl.signal, opts.signal]) : ctl.signal;
    let timedOut = false;
    let timer: NodeJS.Timeout | null = null;
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        ctl.abort();
      }, idleMs);
    };
    const disarm = () => {
      if (timer) clearTimeout(timer);
      timer = null;
    };
    const failed = (err: unknown): ServiceError => {
      disarm();
      if (timedOut) {
        log.info({ route: 'getDocumentContent', idleMs }, 'document download stalled');
        return new RequestTimeoutError();
      }
      log.debug({ route: 'getDocumentContent', err: err instanceof Error ? err.message : String(err) }, 'document download interrupted');
      return new ServiceError('SERVER_UNREACHABLE', UNREACHABLE_MESSAGE);
    };
    arm();
    let res: Response;
    try {
      res = await fetch(this.baseUrl + routeUrl(route.path, { id: documentId }), { method: 'GET', headers, signal });
    } catch (err) {
      throw failed(err);
    }
    if (res.status !== 200 && res.status !== 206) {
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw failed(err);
      }
      disarm();
      if (res.status >= 300) this.answer('getDocumentContent', res.status, text);
      throw new ServiceError('INTERNAL', `Сервер ответил неожиданно (${res.status}). Повторите позже; если не поможет, сообщите администратору.`);
    }
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
    const etag = res.headers.get('etag')?.replace(/^W\//, '').replace(/"/g, '') ?? null;
    const body = res.body;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      if (!body) return;
      const reader = body.getReader();
      try {
        for (;;) {
          arm();
          let r: Awaited<ReturnType<typeof reader.read>>;
          try {
            r = await reader.read();
          } catch (err) {
            throw failed(err);
          }
          if (r.done) return;
          yield r.value;
        }
      } finally {
        disarm();
        reader.releaseLock();
        // Stopped early (cancelled, or the caller had enough): free the connection.
        if (!ctl.signal.aborted) ctl.abort();
      }
    }
    return {
      status: res.status === 206 ? 206 : 200,
      start: res.status === 206 && range ? Number(range[1]) : 0,
      total: res.status === 206 && range ? Number(range[3]) : Number(res.headers.get('content-length') ?? NaN),
      etag,
      mime: res.headers.get('content-type'),
      fileName: dispositionFileName(res.headers.get('content-disposition')),
      body: chunks(),
    };
  }

  private answer<N extends ApiName>(name: N, status: number, text: string): ApiResponse<N> {
    const route = API[name];
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = undefined;
    }
    if (status >= 200 && status < 300 && json !== undefined) {
      const parsed = route.response.safeParse(json);
      if (parsed.success) return parsed.data as ApiResponse<N>;
      log.error({ route: name, issues: parsed.error.issues.slice(0, 3) }, 'central API answer does not match the contract');
      throw new ServiceError('INTERNAL', 'Сервер прислал ответ неожиданного вида. Обновите приложение; если не поможет, сообщите администратору.');
    }
    const error = ApiErrorBody.safeParse(json);
    if (error.success) {
      throw new ServiceError(error.data.error.code, error.data.error.message, error.data.error.issues);
    }
    // Not our server's answer: a proxy's error page or a gateway timeout.
    log.warn({ route: name, status }, 'central API answered without an error body');
    if (status === 502 || status === 503 || status === 504) throw new ServiceError('SERVER_UNREACHABLE', UNREACHABLE_MESSAGE);
    throw new ServiceError('INTERNAL', `Сервер ответил ошибкой ${status}. Повторите позже; если ошибка повторяется, сообщите администратору.`);
  }
}

function unreachable(route: string, err: unknown, timeout: AbortSignal, timeoutMs: number): ServiceError {
  if (timeout.aborted) {
    log.info({ route, timeoutMs }, 'central API request timed out');
    return new RequestTimeoutError();
  }
  log.debug({ route, err: err instanceof Error ? err.message : String(err) }, 'central API unreachable');
  return new ServiceError('SERVER_UNREACHABLE', UNREACHABLE_MESSAGE);
}

/** A document's bytes as they arrive: 200 with all of them, or 206 from `start`. */
export interface DocumentStream {
  status: 200 | 206;
  /** Offset of the first byte of `body` in the file. */
  start: number;
  /** The whole file's size (NaN when the server did not say). */
  total: number;
  /** The SHA-256 the server names the file by (its ETag), unquoted. */
  etag: string | null;
  mime: string | null;
  fileName: string | null;
  /** Throws SERVER_UNREACHABLE when the transfer breaks off or stalls. */
  body: AsyncGenerator<Uint8Array>;
}

/** Routes that answer with bytes to a GET. */
type BinaryGetRoute = { [K in ApiName]: (typeof API)[K] extends { method: 'GET'; binaryResponse: true } ? K : never }[ApiName];

/** `attachment; filename*=UTF-8''…` (RFC 6266) or a plain `filename="…"`. */
export function dispositionFileName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      return null;
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain?.[1]?.trim() ?? null;
}
