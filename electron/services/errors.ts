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
