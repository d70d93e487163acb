import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { API, type ApiBody, type ApiName, type ApiParams, type ApiQuery, type ApiResponse, type RouteDef } from '../../shared/api/contract.js';
import type { Actor } from '../auth/actor.js';
import { RateLimiter, type RateRule } from './rate-limit.js';
import { resolveSession } from '../auth/accounts.js';
import { appendAudit, type AuditInput } from '../audit/audit-log.js';
import { auditWriterFor } from '../audit/audit-writer.js';
import type { AppContext } from '../context.js';
import { AppError, forbidden } from '../errors.js';
import { createLogger } from '../logger.js';
import { validationError } from './validation.js';

const log = createLogger('http.route');

/** What a handler gets: the checked inputs, the caller, and the audit trail for this request. */
export interface HandlerInput<N extends ApiName> {
  actor: ApiRoute<N>['roles'] extends 'public' ? Actor | null : Actor;
  body: ApiBody<N>;
  query: ApiQuery<N>;
  params: ApiParams<N>;
  ip: string;
  /** Request headers (lower-case names), for the few routes that read them (Range). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request body as a byte stream, for `rawBody` routes only. */
  raw: AsyncIterable<Uint8Array> | null;
  /** Marks that the handler audited its access (in its own transaction via appendAudit). */
  audited(): void;
}

/** What a `binaryResponse` route returns: the status, headers and bytes to send as they are. */
export class BinaryReply {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: NodeJS.ReadableStream | Buffer,
  ) {}
}

const OCTET_STREAM = 'application/octet-stream';

function isStream(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v && !Buffer.isBuffer(v);
}
type ApiRoute<N extends ApiName> = (typeof API)[N];

export type Handler<N extends ApiName> = (input: HandlerInput<N>, ctx: AppContext) => Promise<ApiResponse<N>>;
export type Handlers = { [N in ApiName]: Handler<N> };

/** Audits inside the caller's transaction and remembers that it happened. */
export function auditIn(input: { audited(): void }, tx: Parameters<typeof appendAudit>[0], events: AuditInput[]) {
  input.audited();
  return appendAudit(tx, events);
}

/**
 * Audits a read that runs outside any transaction of its own, through the shared group-commit
 * writer (`audit/audit-writer.ts`); resolves once the events are committed. Never call it while
 * holding a transaction that has appended to the audit log: the writer would wait for its lock.
 */
export async function auditRead(input: { audited(): void }, ctx: AppContext, events: AuditInput[]): Promise<void> {
  await auditWriterFor(ctx.db).append(events);
  input.audited();
}

function parse<T extends z.ZodType | undefined>(schema: T, value: unknown): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw validationError(r.error);
  return r.data;
}

/** Counts the request; over the limit, refuses it with 429 and Retry-After. */
function limit(limiter: RateLimiter, reply: FastifyReply, key: string, rule: RateRule, factor: number): void {
  const wait = limiter.hit(key, { ...rule, limit: rule.limit * factor });
  if (wait === 0) return;
  void reply.header('retry-after', String(wait));
  throw new AppError('RATE_LIMITED', `Слишком много запросов. Повторите через ${wait} с.`);
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(h);
  return m?.[1] ?? null;
}

/**
 * Registers every route of the contract, each with: session check, role check (403, audited for
 * patient-data routes), validation of params/query/body, the handler, a check that patient-data
 * routes audited themselves, and (outside production) validation of the response.
 */
export function registerRoutes(app: FastifyInstance, ctx: AppContext, handlers: Handlers): void {
  const validateResponses = !ctx.config.production;
  const limiter = new RateLimiter();
  const factor = ctx.config.rateLimitFactor ?? 1;
  for (const name of Object.keys(API) as ApiName[]) {
    const def: RouteDef = API[name];
    const handler = handlers[name] as unknown as Handler<ApiName>;
    app.route({
      method: def.method,
      url: def.path,
      ...(def.bodyLimit ? { bodyLimit: Math.max(def.bodyLimit, ctx.config.bodyLimitBytes) } : {}),
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        if (def.rateLimit && def.rateLimit.by === 'ip') limit(limiter, reply, `${name}:ip:${req.ip}`, def.rateLimit, factor);
        let actor: Actor | null = null;
        if (def.roles !== 'public') {
          const token = bearer(req);
          actor = token ? await resolveSession(ctx.db.kysely, token) : null;
          if (!actor) throw new AppError('UNAUTHENTICATED', 'Сеанс истёк или не начат. Войдите снова.');
          if (actor.mustChangePassword && !def.allowWithPendingPasswordChange) {
            throw new AppError('PASSWORD_CHANGE_REQUIRED', 'Сначала смените временный пароль из SMS на постоянный.');
          }
          if (!def.roles.includes(actor.role)) {
            if (def.patientData) await auditDenied(ctx, actor, name, req, 'FORBIDDEN');
            throw forbidden();
          }
        }
        if (def.rateLimit && def.rateLimit.by === 'user') limit(limiter, reply, `${name}:user:${actor?.userId ?? req.ip}`, def.rateLimit, factor);
        let raw: AsyncIterable<Uint8Array> | null = null;
        if (def.rawBody) {
          const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
          if (type !== OCTET_STREAM) {
            throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Файл отправляется как есть, с типом содержимого application/octet-stream.');
          }
          const declared = Number(req.headers['content-length'] ?? 0);
          if (def.bodyLimit && declared > def.bodyLimit) {
            throw new AppError('PAYLOAD_TOO_LARGE', `Файл больше ${Math.round(def.bodyLimit / 1024 / 1024)} МБ. Уменьшите его и отправьте снова.`);
          }
          raw = isStream(req.body) ? req.body : null;
        } else if (isStream(req.body)) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Неподдерживаемый тип содержимого: отправляйте application/json.');
        }
        let audited = false;
        const input = {
          actor,
          params: parse(def.params, req.params),
          query: parse(def.query, req.query),
          body: def.rawBody ? undefined : parse(def.body, req.body),
          ip: req.ip,
          headers: req.headers,
          raw,
          audited: () => {
            audited = true;
          },
        } as HandlerInput<ApiName>;
        let result: unknown;
        try {
          result = await handler(input, ctx);
        } catch (err) {
          if (def.patientData && actor && err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN')) {
            await auditDenied(ctx, actor, name, req, err.code);
          }
          throw err;
        }
        if (def.patientData && !audited) {
          // A patient-data route that forgot to audit is a bug; refuse rather than leak silently.
          log.error({ route: name }, 'patient-data route returned without an audit event');
          throw new AppError('INTERNAL', 'Внутренняя ошибка сервера. Повторите позже.');
        }
        if (def.binaryResponse) {
          if (!(result instanceof BinaryReply)) {
            log.error({ route: name }, 'binary route returned something else');
            throw new AppError('INTERNAL', 'Внутренняя ошибка сервера. Повторите позже.');
          }
          return reply.code(result.status).headers(result.headers).send(result.body);
        }
        if (validateResponses) {
          const check = def.response.safeParse(result);
          if (!check.success) {
            log.error({ route: name, issues: check.error.issues.slice(0, 5) }, 'response does not match the contract');
            throw new AppError('INTERNAL', 'Внутренняя ошибка сервера. Повторите позже.');
          }
        }
        return reply.send(result);
      },
    });
  }
}

async function auditDenied(ctx: AppContext, actor: Actor, route: string, req: FastifyRequest, code: string): Promise<void> {
  const params = (req.params ?? {}) as Record<string, unknown>;
  const entityId = typeof params.id === 'string' ? params.id.slice(0, 64) : null;
  await ctx.db.kysely.transaction().execute((tx) =>
    appendAudit(tx, [{ actor, action: `api.${route}`, entityId, result: 'denied', details: { code } }]),
  );
}
