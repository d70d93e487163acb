import { API } from '../api/contract.js';
import type { ProbeFigures } from './precheck.js';
import { CALL_PROBE_BYTES } from './protocol.js';

/**
 * The pre-call link measurement, the same on both sides of the call: the portal runs it in the
 * patient's browser, the desktop in its services (where the session token lives). A round trip to
 * /api/health, then a quarter-megabyte down and one up, each timed without half the round trip.
 * Uses only fetch and performance, which the browser and Node (20+, and Electron's) both have;
 * the API answers every request with Cache-Control: no-store, so nothing on the way serves a copy.
 */
export interface LinkProbeOptions {
  /** The central API's origin, with or without a trailing slash. */
  baseUrl: string;
  /** The session's authorization header. */
  headers: Record<string, string>;
  /** Cancels the whole measurement (the person closed the check). */
  signal?: AbortSignal;
  /** Each request's own limit, so a dead link ends the check rather than hanging it. */
  requestTimeoutMs?: number;
}

export async function measureLink(opts: LinkProbeOptions): Promise<ProbeFigures> {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.requestTimeoutMs ?? 20_000;
  const signal = () => (opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs));

  const t0 = performance.now();
  await (await fetch(`${base}${API.health.path}`, { signal: signal() })).arrayBuffer();
  const rttMs = performance.now() - t0;
  const secondsOf = (since: number) => Math.max(0.001, (performance.now() - since - rttMs / 2) / 1000);

  const t1 = performance.now();
  const down = await fetch(`${base}${API.callProbeDown.path}`, { headers: opts.headers, signal: signal() });
  if (!down.ok) throw new Error(`link probe (down) answered ${down.status}`);
  const got = (await down.arrayBuffer()).byteLength;
  const downBps = (got * 8) / secondsOf(t1);

  // Random bytes at the front, so nothing on the way can compress the upload into a flattering figure.
  const body = new Uint8Array(CALL_PROBE_BYTES);
  crypto.getRandomValues(body.subarray(0, 65_536));
  const t2 = performance.now();
  const up = await fetch(`${base}${API.callProbeUp.path}`, { method: 'POST', headers: { ...opts.headers, 'content-type': 'application/octet-stream' }, body, signal: signal() });
  if (!up.ok) throw new Error(`link probe (up) answered ${up.status}`);
  await up.arrayBuffer();
  const upBps = (body.byteLength * 8) / secondsOf(t2);
  return { downBps, upBps, rttMs: Math.round(rttMs) };
}
