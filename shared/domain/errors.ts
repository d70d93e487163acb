import { z } from 'zod';

/**
 * Stable error codes. Clients branch on `code`, never on `message`; the message is Russian and
 * tells the user what to do next. Add codes, never rename them.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'PASSWORD_CHANGE_REQUIRED',
  'PASSWORD_TOO_WEAK',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'ALREADY_TAKEN',
  'DUPLICATE_PATIENT',
  'INVALID_STATE',
  'RATE_LIMITED',
  'UNKNOWN_MUTATION',
  'MUTATION_OUT_OF_ORDER',
  'INTERNAL',
  // Desktop RPC (renderer ⇄ desktop services).
  'UNKNOWN_METHOD',
  'NOT_SIGNED_IN',
  'SERVER_UNREACHABLE',
  'STORE_TOO_NEW',
  'PENDING_CHANGES',
  // Long jobs and files.
  'CANCELLED',
  'FILE_REJECTED',
  // Documents (added with the document store).
  'UNSUPPORTED_FILE_TYPE',
  'RANGE_NOT_SATISFIABLE',
  // The patient portal: no consent to processing on record for the current text.
  'CONSENT_REQUIRED',
  // Video calls: the consultation's room is not open at this time (too early, over, cancelled).
  'CALL_NOT_OPEN',
  // Desktop idle lock: the workstation is locked until the user enters their password again.
  'LOCKED',
  // Desktop local store: its encryption key is missing or does not fit (the file stays as it is).
  'STORE_UNREADABLE',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    /** Per-field problems for VALIDATION_FAILED: path → Russian message. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** Errors as data: what crosses a boundary (HTTP, RPC, sync rejection). */
export interface ErrorData {
  code: ErrorCode;
  message: string;
}
