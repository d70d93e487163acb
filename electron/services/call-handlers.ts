import { CALL_PROBE_BYTES } from '../../shared/call/protocol.js';
import { API } from '../../shared/api/contract.js';
import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import type { Router } from './rpc/router.js';
import type { SessionManager } from './session.js';

const log = createLogger('call');

/**
 * The doctor's side of a video call, as far as the services go: the ticket that lets the renderer
 * join the room (fetched with the session token, which never reaches the renderer), and the
 * pre-call link check. Media and signalling run in the renderer, straight to the central API.
 */
export function registerCallHandlers(router: Router, sessions: SessionManager): void {
  router.register('call.ticket', async (input) => {
    const s = sessions.require();
    const ticket = await s.api.call('callTicket', undefined, { params: { id: input.consultationId }, timeoutMs: 10_000 });
    log.info({ consultationId: input.consultationId }, 'call ticket issued');
    return { ticket, serverUrl: s.stored.serverUrl };
  });

  router.register('call.probe', async () => {
    const s = sessions.require();
    const base = s.api.baseUrl;
    const headers = { authorization: `Bearer ${s.stored.token}` };
    try {
      const t0 = performance.now();
      await (await fetch(`${base}${API.health.path}`, { signal: AbortSignal.timeout(5_000) })).arrayBuffer();
      const rttMs = performance.now() - t0;
      const t1 = performance.now();
      const down = await fetch(`${base}${API.callProbeDown.path}`, { headers, signal: AbortSignal.timeout(20_000) });
      const got = (await down.arrayBuffer()).byteLength;
      const downBps = (got * 8) / Math.max(0.001, (performance.now() - t1 - rttMs / 2) / 1000);
      const body = Buffer.alloc(CALL_PROBE_BYTES, 7);
      const t2 = performance.now();
      const up = await fetch(`${base}${API.callProbeUp.path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' }, body, signal: AbortSignal.timeout(20_000) });
      await up.arrayBuffer();
      if (!down.ok || !up.ok) throw new Error(`probe answered ${down.status}/${up.status}`);
      const upBps = (body.byteLength * 8) / Math.max(0.001, (performance.now() - t2 - rttMs / 2) / 1000);
      return { downBps, upBps, rttMs: Math.round(rttMs) };
    } catch (err) {
      log.info({ err: err instanceof Error ? err.message : String(err) }, 'link probe failed');
      throw new ServiceError('SERVER_UNREACHABLE', 'Не удалось проверить связь с сервером. Звонок всё равно можно начать.');
    }
  });
}
