import type { z } from 'zod';
import type { PublicUser } from '../../../shared/domain/users.js';
import { RPC, type RpcMethod, type RpcMethodDef, type RpcOutput, type RpcParsedInput } from '../../../shared/rpc/contract.js';
import { RpcRequestMessage, type RpcErrorBody, type RpcResponseMessage } from '../../../shared/rpc/messages.js';
import { NOT_SIGNED_IN_MESSAGE, ServiceError } from '../errors.js';
import { createLogger } from '../logger.js';

const log = createLogger('rpc.router');

export const LOCKED_MESSAGE = 'Рабочее место заблокировано. Введите пароль, чтобы продолжить работу.';

export type Handler<M extends RpcMethod> = (input: RpcParsedInput<M>) => Promise<RpcOutput<M>> | RpcOutput<M>;

function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * One handler per contract method (a second registration throws). Every call is checked: the
 * message shape, the method name, the idle lock, the caller's role, the arguments against the
 * method's schema; a bad call is refused with `{code, message}` and logged, and never reaches a
 * handler.
 */
export class Router {
  private readonly handlers = new Map<RpcMethod, Handler<RpcMethod>>();

  constructor(
    private readonly currentUser: () => PublicUser | null,
    /** The idle lock: while true, only methods marked `whileLocked` in the contract are answered. */
    private readonly locked: () => boolean = () => false,
  ) {}

  register<M extends RpcMethod>(method: M, handler: Handler<M>): this {
    if (!(method in RPC)) throw new Error(`RPC method ${method} is not in the contract`);
    if (this.handlers.has(method)) throw new Error(`RPC method ${method} is registered twice`);
    this.handlers.set(method, handler as unknown as Handler<RpcMethod>);
    return this;
  }

  /** Throws unless every contract method has a handler: called once at start-up. */
  assertComplete(): void {
    const missing = (Object.keys(RPC) as RpcMethod[]).filter((m) => !this.handlers.has(m));
    if (missing.length > 0) throw new Error(`RPC methods without a handler: ${missing.join(', ')}`);
  }

  /** Answers one raw wire message. Never throws. */
  async handleRaw(raw: string): Promise<RpcResponseMessage | null> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      log.warn('rpc message is not JSON');
      return null; // no id to answer to
    }
    const msg = RpcRequestMessage.safeParse(parsed);
    if (!msg.success) {
      const id = typeof (parsed as { id?: unknown })?.id === 'number' ? (parsed as { id: number }).id : null;
      log.warn({ issues: zodIssues(msg.error) }, 'malformed rpc message');
      return id === null ? null : { id, error: { code: 'VALIDATION_FAILED', message: 'Неверный формат запроса.' } };
    }
    return this.handle(msg.data);
  }

  async handle(msg: RpcRequestMessage): Promise<RpcResponseMessage> {
    const error = (body: RpcErrorBody): RpcResponseMessage => ({ id: msg.id, error: body });
    const method = msg.method as RpcMethod;
    const def = Object.hasOwn(RPC, method) ? RPC[method] : undefined;
    const handler = this.handlers.get(method);
    if (!def || !handler) {
      log.warn({ method: msg.method }, 'unknown rpc method');
      return error({ code: 'UNKNOWN_METHOD', message: 'Неизвестная команда. Обновите приложение.' });
    }
    // One check for every method, so a handler added later cannot forget it.
    if (this.locked() && !(def as RpcMethodDef).whileLocked) {
      log.debug({ method }, 'rpc call refused: the workstation is locked');
      return error({ code: 'LOCKED', message: LOCKED_MESSAGE });
    }
    if (def.roles !== 'public') {
      const user = this.currentUser();
      if (!user) return error({ code: 'NOT_SIGNED_IN', message: NOT_SIGNED_IN_MESSAGE });
      if (def.roles !== 'signedIn' && !(def.roles as readonly string[]).includes(user.role)) {
        log.warn({ method, role: user.role }, 'rpc call denied by role');
        return error({ code: 'FORBIDDEN', message: 'Это действие недоступно для вашей роли.' });
      }
    }
    const input = def.input.safeParse(msg.params ?? {});
    if (!input.success) {
      const issues = zodIssues(input.error);
      log.warn({ method, issues }, 'rpc call with invalid arguments');
      return error({ code: 'VALIDATION_FAILED', message: 'Проверьте введённые данные.', issues });
    }
    try {
      const result = await handler(input.data as RpcParsedInput<RpcMethod>);
      return { id: msg.id, result };
    } catch (e) {
      if (e instanceof ServiceError) {
        return error({ code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) });
      }
      log.error({ err: e, method }, 'rpc handler failed');
      return error({ code: 'INTERNAL', message: 'Внутренняя ошибка приложения. Повторите действие; если ошибка повторится, сообщите администратору.' });
    }
  }
}
