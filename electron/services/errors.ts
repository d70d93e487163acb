import type { ErrorCode } from '../../shared/domain/errors.js';

/** An expected failure of a service method: crosses the RPC boundary as `{code, message}`. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** What a signed-out caller is told, wherever the check is (the router, the session, a cache). */
export const NOT_SIGNED_IN_MESSAGE = 'Войдите в систему, чтобы продолжить.';

export function notSignedIn(): ServiceError {
  return new ServiceError('NOT_SIGNED_IN', NOT_SIGNED_IN_MESSAGE);
}
