import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import type { EventBus } from './rpc/events.js';
import type { Router } from './rpc/router.js';
import type { SessionManager } from './session.js';

const log = createLogger('manager');

export const MANAGER_OFFLINE_MESSAGE =
  'Нет связи с сервером: сводка по программе и очередь SMS берутся прямо с сервера и на этом компьютере не хранятся. Проверьте подключение к сети и нажмите «Повторить».';

/** Online-only reads: a failed connection gets a message that fits a read, not a queued write. */
async function online<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'SERVER_UNREACHABLE') {
      log.info({ what }, 'central API unreachable');
      throw new ServiceError('SERVER_UNREACHABLE', MANAGER_OFFLINE_MESSAGE);
    }
    throw err;
  }
}

/**
 * The manager's pipeline dashboard and SMS outbox. Neither is synced to the desktop (the whole
 * programme's figures and the message queue live on the server), so every call goes straight to
 * the central API and fails with SERVER_UNREACHABLE offline.
 */
export function registerManagerHandlers(router: Router, sessions: SessionManager, _bus: EventBus): void {
  router.register('pipeline.summary', () => online('pipeline.summary', () => sessions.require().api.call('pipelineSummary')));

  router.register('pipeline.list', (input) => {
    const { limit, offset, ...filter } = input;
    return online('pipeline.list', () =>
      sessions.require().api.call('pipelineList', undefined, { query: { ...filter, limit, offset } }),
    );
  });

  router.register('sms.list', (input) =>
    online('sms.list', () =>
      sessions.require().api.call('listSmsOutbox', undefined, { query: { status: input.status, limit: input.limit, offset: input.offset } }),
    ),
  );

  router.register('sms.resend', async (input) => {
    const item = await online('sms.resend', () => sessions.require().api.call('resendSms', undefined, { params: { id: input.id } }));
    log.info({ smsId: input.id, newId: item.id }, 'sms resent');
    return item;
  });
}
