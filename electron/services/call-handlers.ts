import { measureLink } from '../../shared/call/link-probe.js';
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
    try {
      return await measureLink({ baseUrl: s.api.baseUrl, headers: { authorization: `Bearer ${s.stored.token}` } });
    } catch (err) {
      log.info({ err: err instanceof Error ? err.message : String(err) }, 'link probe failed');
      throw new ServiceError('SERVER_UNREACHABLE', 'Не удалось проверить связь с сервером. Звонок всё равно можно начать.');
    }
  });
}
