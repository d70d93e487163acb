import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import { registerDataHandlers } from './data-handlers.js';
import { registerDocumentHandlers } from './document-handlers.js';
import { registerAdminHandlers } from './admin-handlers.js';
import { registerCalendarHandlers } from './calendar-handlers.js';
import { registerCallHandlers } from './call-handlers.js';
import { registerChatHandlers } from './chat-handlers.js';
import { registerConclusionHandlers } from './conclusion-handlers.js';
import { registerDocCacheHandlers } from './doc-cache-handlers.js';
import { registerDoctorHandlers } from './doctor-handlers.js';
import { registerImportHandlers } from './import-handlers.js';
import { registerManagerHandlers } from './manager-handlers.js';
import { registerReferralHandlers } from './referral-handlers.js';
import { EventBus } from './rpc/events.js';
import { Router } from './rpc/router.js';
import type { SecretStore } from './secrets.js';
import type { Clock } from './session-lock.js';
import { LAST_SERVER_KEY, SessionManager } from './session.js';

const log = createLogger('app');

export interface DesktopServicesOptions {
  dataDir: string;
  secrets: SecretStore;
  shell: 'electron' | 'browser';
  defaultServerUrl: string;
  version: string;
  /** Idle time before the lock when the user has chosen none (default: OBLAKO_IDLE_LOCK_MS, else 15 min). */
  idleLockMs?: number;
  /** For tests that move time by hand. */
  clock?: Clock;
}

export interface DesktopServices {
  router: Router;
  bus: EventBus;
  /** Locks the workstation from outside the RPC (the OS screen lock, sleep); no-op if signed out. */
  lock(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The desktop services, composed: the session (restored from the SecretStore without contacting
 * the server), the signed-in user's local store and sync engine, and one RPC handler per
 * contract method. Shared by the Electron shell and the browser-mode host.
 */
export async function createDesktopServices(opts: DesktopServicesOptions): Promise<DesktopServices> {
  const bus = new EventBus();
  const sessions = new SessionManager({ dataDir: opts.dataDir, secrets: opts.secrets, bus, idleLockMs: opts.idleLockMs, clock: opts.clock });
  const router = new Router(
    () => sessions.user,
    () => sessions.locked,
  );

  router.register('app.info', () => ({
    version: opts.version,
    shell: opts.shell,
    defaultServerUrl: opts.secrets.get(LAST_SERVER_KEY) ?? opts.defaultServerUrl,
  }));
  router.register('session.get', () => sessions.session());
  router.register('session.signIn', (input) => sessions.signIn(input));
  router.register('session.signOut', async (input) => {
    const pending = sessions.pendingCount();
    // Unsent changes stay in this user's local store and go out only when the same user signs in
    // here again: the user decides that knowingly.
    if (pending > 0 && !input.force) {
      throw new ServiceError('PENDING_CHANGES', `Не отправлено изменений: ${pending}. Они сохранятся на этом компьютере и уйдут на сервер при следующем входе под этой учётной записью.`);
    }
    await sessions.signOut();
    return { ok: true as const };
  });
  router.register('session.lock', () => sessions.lock('user'));
  router.register('session.unlock', (input) => sessions.unlock(input.password));
  router.register('session.activity', () => {
    sessions.activity();
    return { ok: true as const };
  });
  router.register('session.idleLock', () => sessions.idleLock());
  router.register('session.setIdleLock', (input) => sessions.setIdleLock(input.idleMs));

  router.register('sync.status', () => sessions.require().engine.status());
  router.register('sync.now', () => sessions.require().engine.syncNow());
  router.register('sync.rejections', () => ({ items: sessions.require().store.rejections() }));
  router.register('sync.dismissRejection', (input) => {
    sessions.require().store.dismissRejection(input.mutationId);
    return { ok: true as const };
  });

  registerDataHandlers(router, sessions);
  registerReferralHandlers(router, sessions, bus);
  registerDocumentHandlers(router, sessions, bus);
  registerImportHandlers(router, sessions, bus);
  registerManagerHandlers(router, sessions, bus);
  registerAdminHandlers(router, sessions);
  registerDoctorHandlers(router, sessions, bus);
  registerDocCacheHandlers(router, sessions, bus);
  registerCalendarHandlers(router, sessions, bus);
  registerConclusionHandlers(router, sessions, bus);
  registerCallHandlers(router, sessions);
  registerChatHandlers(router, sessions);
  router.assertComplete();

  await sessions.restore();
  log.info({ shell: opts.shell, version: opts.version, signedIn: sessions.current !== null }, 'desktop services ready');

  return {
    router,
    bus,
    lock: async () => {
      if (sessions.current) await sessions.lock('os');
    },
    close: () => sessions.close(),
  };
}
