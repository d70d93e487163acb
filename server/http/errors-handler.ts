import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApiErrorBody, ErrorCode } from '../../shared/domain/errors.js';
import { AppError, HTTP_STATUS } from '../errors.js';
import { createLogger } from '../logger.js';

const log = createLogger('http.errors');

/** Maps Fastify's own errors (body parsing, limits) onto our stable codes. */
function fromFastify(err: FastifyError): AppError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'Запрос слишком большой. Уменьшите объём данных или отправьте их частями.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Неподдерживаемый тип содержимого: отправляйте application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('MALFORMED_JSON', 'Тело запроса не является корректным JSON.');
    default:
      break;
  }
  // JSON.parse failures and prototype-poisoning refusals come from the body parser as plain 400s.
  if (err.statusCode === 400 && (err instanceof SyntaxError || /JSON|prototype|constructor/i.test(err.message))) {
    return new AppError('MALFORMED_JSON', 'Тело запроса не является корректным JSON.');
  }
  if (err.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE', 'Запрос слишком большой.');
  if (err.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Неподдерживаемый тип содержимого: отправляйте application/json.');
  return null;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const appError = error instanceof AppError ? error : fromFastify(error);
    if (!appError) {
      log.error({ err: error, url: req.url, method: req.method }, 'unhandled error');
    }
    const e = appError ?? new AppError('INTERNAL', 'Внутренняя ошибка сервера. Повторите позже; если ошибка повторяется, сообщите администратору.');
    const status = HTTP_STATUS[e.code as ErrorCode];
    const body: ApiErrorBody = { error: { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) } };
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const body: ApiErrorBody = { error: { code: 'NOT_FOUND', message: `Адрес ${req.method} ${req.url.split('?')[0]} не найден.` } };
    return reply.status(404).send(body);
  });
}
