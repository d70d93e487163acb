import { z } from 'zod';
import { ErrorCode } from '../domain/errors.js';

/**
 * The one wire format of every RPC transport (Electron IPC, the browser-mode WebSocket, the
 * in-memory pair): `{id, method, params}` → `{id, result}` | `{id, error}`, plus `{event, payload}`
 * pushes from the services.
 */

export const RpcRequestMessage = z.strictObject({
  id: z.number().int().min(0),
  method: z.string().min(1).max(100),
  params: z.unknown(),
});
export type RpcRequestMessage = z.infer<typeof RpcRequestMessage>;

export const RpcErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type RpcErrorBody = z.infer<typeof RpcErrorBody>;

export type RpcResponseMessage = { id: number; result: unknown } | { id: number; error: RpcErrorBody };
export type RpcEventMessage = { event: string; payload: unknown };
export type RpcServerMessage = RpcResponseMessage | RpcEventMessage;

/** Largest message a transport accepts, in bytes of JSON (a bigger one is refused, not parsed).
 * Room for a 50 MiB document as base64 (about 70 MB); every method still caps its own fields. */
export const RPC_MAX_MESSAGE_BYTES = 72_000_000;

/** Thrown by the renderer's client for an `{error}` answer: the code is stable, the text Russian. */
export class RpcError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: RpcErrorBody['issues'],
  ) {
    super(message);
    this.name = 'RpcError';
  }
}
