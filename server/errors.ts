import type { ErrorCode, ErrorData } from '../shared/domain/errors.js';

/** HTTP status for each stable code; the code, not the status, is the contract. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  ACCOUNT_LOCKED: 423,
  ACCOUNT_DISABLED: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  PASSWORD_TOO_WEAK: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ALREADY_TAKEN: 409,
  DUPLICATE_PATIENT: 409,
  INVALID_STATE: 409,
  RATE_LIMITED: 429,
  UNKNOWN_MUTATION: 400,
  MUTATION_OUT_OF_ORDER: 409,
  INTERNAL: 500,
  // Desktop-only codes: never sent by the server, mapped for completeness.
  UNKNOWN_METHOD: 400,
  NOT_SIGNED_IN: 401,
  SERVER_UNREACHABLE: 503,
  STORE_TOO_NEW: 409,
  CANCELLED: 409,
  FILE_REJECTED: 422,
  PENDING_CHANGES: 409,
  UNSUPPORTED_FILE_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  CONSENT_REQUIRED: 403,
  CALL_NOT_OPEN: 409,
  LOCKED: 423,
  STORE_UNREADABLE: 500,
};

/** A domain error with a stable code and a Russian message that says what to do. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  toData(): ErrorData {
    return { code: this.code, message: this.message };
  }
}

export const notFound = (what = 'Запись') =>
  new AppError('NOT_FOUND', `${what} не найдена или недоступна вам. Проверьте ссылку или обратитесь к администратору.`);

export const forbidden = () =>
  new AppError('FORBIDDEN', 'Недостаточно прав для этого действия. Если доступ нужен, обратитесь к администратору.');
