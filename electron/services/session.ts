import { z } from 'zod';
import { IsoDateTime } from '../../shared/domain/ids.js';
import { STAFF_ROLES } from '../../shared/domain/roles.js';
import { PublicUser } from '../../shared/domain/users.js';
import type { Session } from '../../shared/rpc/contract.js';
import { ApiClient } from './api/http-client.js';
import { startDocumentCache, stopDocumentCache } from './doc-cache/session-cache.js';
import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import type { EventBus } from './rpc/events.js';
import type { SecretStore } from './secrets.js';
import { LocalStore } from './store/local-store.js';
import { storeFile } from './store/paths.js';
import { loadOrCreateStoreKey } from './store/store-key.js';
import { SyncEngine } from './sync/engine.js';

const log = createLogger('session');

/** Who works at the desktop: the staff who sync, and the administrator (online only). */
const DESKTOP_ROLES = [...STAFF_ROLES, 'admin'] as const;

export const SESSION_KEY = 'oblako.session';
export const LAST_SERVER_KEY = 'oblako.lastServerUrl';

/** What is kept in the SecretStore between runs, so the app starts signed in and offline-capable. */
export const StoredSession = z.object({
  serverUrl: z.string(),
  token: z.string(),
  expiresAt: IsoDateTime,
  user: PublicUser,
});
export type StoredSession = z.infer<typeof StoredSession>;

/** A signed-in user's running pieces: their own store, the API client with their token, sync. */
export interface ActiveSession {
  stored: StoredSession;
  store: LocalStore;
  api: ApiClient;
  engine: SyncEngine;
}

export interface SessionManagerOptions {
  dataDir: string;
  secrets: SecretStore;
  bus: EventBus;
}

/**
 * Signs in and out, and restores the last session at start-up from the SecretStore without
 * contacting the server (the local data must be there while the central API is down). A 401 from
 * the server ends the session. Sign-in, sign-out and expiry run one at a time.
 */
export class SessionManager {
  private active: ActiveSession | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: SessionManagerOptions) {}

  get current(): ActiveSession | null {
    return this.active;
  }

  session(): Session {
    return this.active ? { user: this.active.stored.user, serverUrl: this.active.stored.serverUrl } : { user: null, serverUrl: null };
  }

  require(): ActiveSession {
    if (!this.active) throw new ServiceError('NOT_SIGNED_IN', 'Войдите в систему, чтобы продолжить.');
    return this.active;
  }

  /** Restores the saved session, if any and not expired. Never contacts the server. */
  restore(): Promise<void> {
    return this.serial(async () => {
      const raw = this.opts.secrets.get(SESSION_KEY);
      if (!raw) return;
      let stored: StoredSession;
      try {
        stored = StoredSession.parse(JSON.parse(raw));
      } catch {
        log.warn('saved session is unreadable; starting signed out');
        this.opts.secrets.delete(SESSION_KEY);
        return;
      }
      if (stored.expiresAt <= new Date().toISOString()) {
        log.info('saved session has expired; starting signed out');
        this.opts.secrets.delete(SESSION_KEY);
        return;
      }
      try {
        this.activate(stored);
        log.info({ userId: stored.user.id }, 'session restored');
      } catch (err) {
        // A store from a newer app, say: stay signed out; signing in shows the reason.
        log.error({ err }, 'could not open the local store of the saved session');
      }
    });
  }

  signIn(input: { serverUrl: string; login: string; password: string }): Promise<Session> {
    return this.serial(async () => {
      const api = new ApiClient({ baseUrl: input.serverUrl });
      const res = await api.call('login', { login: input.login, password: input.password }, { token: null });
      const bail = (e: ServiceError) => {
        void api.call('logout', undefined, { token: res.token, timeoutMs: 3000 }).catch(() => undefined);
        return e;
      };
      if (!(DESKTOP_ROLES as readonly string[]).includes(res.user.role)) {
        throw bail(new ServiceError('FORBIDDEN', 'Эта учётная запись не предназначена для рабочего места врача. Пациенты входят через веб-кабинет.'));
      }
      if (res.user.mustChangePassword) {
        throw bail(new ServiceError('PASSWORD_CHANGE_REQUIRED', 'Смените временный пароль в веб-кабинете, затем войдите снова.'));
      }
      if (this.active) await this.deactivate(true);
      const stored: StoredSession = { serverUrl: input.serverUrl, token: res.token, expiresAt: res.expiresAt, user: res.user };
      // The session is saved before it is used: if the secret store refuses (no OS keychain),
      // the user must not be signed in for this run only, with unsent changes tied to a token
      // that the next start cannot find.
      try {
        this.opts.secrets.set(SESSION_KEY, JSON.stringify(stored));
        this.opts.secrets.set(LAST_SERVER_KEY, input.serverUrl);
      } catch (err) {
        throw bail(err instanceof ServiceError ? err : new ServiceError('INTERNAL', 'Не удалось сохранить сеанс в защищённом хранилище. Обратитесь к администратору.'));
      }
      try {
        this.activate(stored);
      } catch (err) {
        this.opts.secrets.delete(SESSION_KEY);
        throw bail(err instanceof ServiceError ? err : new ServiceError('INTERNAL', 'Не удалось открыть локальные данные. Перезапустите приложение.'));
      }
      log.info({ userId: res.user.id, role: res.user.role }, 'signed in');
      return this.session();
    });
  }

  signOut(): Promise<void> {
    return this.serial(() => this.deactivate(true));
  }

  /** Stops sync and closes the store, keeping the saved session (the app is quitting). */
  close(): Promise<void> {
    return this.serial(async () => {
      const a = this.active;
      this.active = null;
      if (a) {
        await stopDocumentCache(a);
        await a.engine.stop();
        a.store.close();
      }
    });
  }

  private activate(stored: StoredSession): void {
    const file = storeFile(this.opts.dataDir, stored.serverUrl, stored.user.id);
    const store = LocalStore.open(file, loadOrCreateStoreKey(this.opts.secrets, file, stored.user.id));
    const api = new ApiClient({ baseUrl: stored.serverUrl, token: () => stored.token });
    const session: ActiveSession = {
      stored,
      store,
      api,
      engine: new SyncEngine({
        store,
        api,
        bus: this.opts.bus,
        token: () => stored.token,
        // Deferred: the engine reports this from inside its loop, which stopping waits for.
        onUnauthenticated: () => setImmediate(() => void this.expire(session)),
        // The administrator sees no patient data: nothing to keep on this computer.
        syncs: (STAFF_ROLES as readonly string[]).includes(stored.user.role),
      }),
    };
    this.active = session;
    session.engine.start();
    startDocumentCache(session, { secrets: this.opts.secrets, bus: this.opts.bus });
    this.opts.bus.emit('session.changed', this.session());
  }

  private expire(session: ActiveSession): Promise<void> {
    return this.serial(async () => {
      if (this.active !== session) return;
      log.info({ userId: session.stored.user.id }, 'the server ended the session');
      await this.deactivate(false);
    });
  }

  private async deactivate(logoutOnServer: boolean): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.active = null;
    this.opts.secrets.delete(SESSION_KEY);
    await stopDocumentCache(a);
    await a.engine.stop();
    a.store.close();
    if (logoutOnServer) {
      // Best effort: an unreachable server must not keep anyone signed in here.
      await a.api.call('logout', undefined, { timeoutMs: 3000 }).catch((err: unknown) => log.info({ err: String(err) }, 'server logout failed'));
    }
    this.opts.bus.emit('sync.status', { state: 'signed_out', pending: 0, lastSyncedAt: null, lastError: null });
    this.opts.bus.emit('session.changed', this.session());
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
