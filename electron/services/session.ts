import { z } from 'zod';
import { IsoDateTime } from '../../shared/domain/ids.js';
import { STAFF_ROLES } from '../../shared/domain/roles.js';
import { PublicUser } from '../../shared/domain/users.js';
import { IDLE_LOCK_MAX_MS, IDLE_LOCK_MIN_MS, MAX_UNLOCK_ATTEMPTS, type IdleLockSettings, type Session } from '../../shared/rpc/contract.js';
import { ApiClient } from './api/http-client.js';
import { startDocumentCache, stopDocumentCache } from './doc-cache/session-cache.js';
import { notSignedIn, ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import { LOCKED_MESSAGE } from './rpc/router.js';
import type { EventBus } from './rpc/events.js';
import type { SecretStore } from './secrets.js';
import { IdleTimer, idleLockDefaultMs, LockRecords, systemClock, type Clock } from './session-lock.js';
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
  /** The idle time when the user has chosen none (default: OBLAKO_IDLE_LOCK_MS, else 15 min). */
  idleLockMs?: number;
  /** For tests that move time by hand. */
  clock?: Clock;
}

/** This user's idle time on this computer, kept in their own store. */
const IDLE_LOCK_META = 'idle_lock_ms';

const TOO_MANY_ATTEMPTS_MESSAGE =
  `Пароль введён неверно ${MAX_UNLOCK_ATTEMPTS} раз подряд, поэтому сеанс завершён. Войдите снова с логином и паролем. ` +
  'Неотправленные изменения сохранены на этом компьютере и уйдут на сервер при следующем входе под этой учётной записью.';

/** The locked session: nothing running, the store closed, its key gone from memory. */
interface LockedSession {
  stored: StoredSession;
  pending: number;
}

/**
 * Signs in and out, and restores the last session at start-up from the SecretStore without
 * contacting the server (the local data must be there while the central API is down). A 401 from
 * the server ends the session.
 *
 * The idle lock: after the idle time with no activity from the renderer (or on `lock()`), the
 * running pieces stop and the store closes, so the database on disk is ciphertext only and its
 * key is out of memory; the signed-in user stays. `unlock(password)` checks the password against
 * the verifier made at sign-in (offline) and starts everything again; too many wrong passwords
 * end the session. The lock survives a restart (see session-lock.ts).
 *
 * Sign-in, sign-out, expiry, lock and unlock run one at a time.
 */
export class SessionManager {
  private active: ActiveSession | null = null;
  private lockedSession: LockedSession | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly records: LockRecords;
  private readonly idle: IdleTimer;
  private readonly defaultIdleMs: number;

  constructor(private readonly opts: SessionManagerOptions) {
    this.records = new LockRecords(opts.secrets);
    this.idle = new IdleTimer(opts.clock ?? systemClock, () => void this.lock('idle').catch((err: unknown) => log.error({ err }, 'idle lock failed')));
    this.defaultIdleMs = opts.idleLockMs ?? idleLockDefaultMs();
  }

  /** The signed-in, unlocked session; null while signed out or locked. */
  get current(): ActiveSession | null {
    return this.active;
  }

  get locked(): boolean {
    return this.lockedSession !== null;
  }

  /** Who is signed in, locked or not (the router's role checks). */
  get user(): Session['user'] {
    return this.active?.stored.user ?? this.lockedSession?.stored.user ?? null;
  }

  session(): Session {
    const stored = this.active?.stored ?? this.lockedSession?.stored ?? null;
    return stored ? { user: stored.user, serverUrl: stored.serverUrl, locked: this.locked } : { user: null, serverUrl: null, locked: false };
  }

  require(): ActiveSession {
    // The router refuses calls while locked; this covers work that outlived the lock.
    if (this.lockedSession) throw new ServiceError('LOCKED', LOCKED_MESSAGE);
    if (!this.active) throw notSignedIn();
    return this.active;
  }

  /** Local changes not yet sent, also while locked (counted when the store was closed). */
  pendingCount(): number {
    if (this.lockedSession) return this.lockedSession.pending;
    return this.require().store.pendingCount();
  }

  /** The user is at the keyboard. */
  activity(): void {
    this.require();
    this.idle.touch();
  }

  idleLock(): IdleLockSettings {
    return { idleMs: this.idleMsOf(this.require().store), defaultMs: this.defaultIdleMs, minMs: IDLE_LOCK_MIN_MS, maxMs: IDLE_LOCK_MAX_MS };
  }

  setIdleLock(idleMs: number): IdleLockSettings {
    const a = this.require();
    a.store.setMeta(IDLE_LOCK_META, String(idleMs));
    this.idle.arm(idleMs);
    log.info({ userId: a.stored.user.id, idleMs }, 'idle lock time changed');
    return this.idleLock();
  }

  /** Locks now (idle time is over, the user asked, the OS screen locked). A no-op while locked. */
  lock(reason: 'idle' | 'user' | 'os'): Promise<Session> {
    return this.serial(async () => {
      const a = this.active;
      if (!a) {
        if (this.lockedSession) return this.session();
        throw notSignedIn();
      }
      const pending = a.store.pendingCount();
      const who = { userId: a.stored.user.id, serverUrl: a.stored.serverUrl };
      // Recorded first: a crash while stopping must not bring the app back unlocked. A secret
      // store that refuses the write must not keep the workstation open either.
      this.persistLock(who, true, pending);
      this.active = null;
      this.lockedSession = { stored: a.stored, pending };
      this.idle.disarm();
      await this.teardown(a);
      log.info({ userId: who.userId, reason, pending }, 'workstation locked');
      this.opts.bus.emit('session.changed', this.session());
      return this.session();
    });
  }

  /**
   * Checks the password on this computer and, if right, reopens the store and starts sync. A
   * session signed in before the lock existed has no verifier: its password goes to the server
   * once (a fresh sign-in of the same user), which needs the network.
   */
  unlock(password: string): Promise<Session> {
    return this.serial(async () => {
      const l = this.lockedSession;
      if (!l) {
        if (this.active) return this.session();
        throw notSignedIn();
      }
      const { stored } = l;
      const who = { userId: stored.user.id, serverUrl: stored.serverUrl };
      if (stored.expiresAt <= new Date().toISOString()) {
        log.info({ userId: who.userId }, 'the locked session has expired');
        await this.deactivate(false);
        throw new ServiceError('NOT_SIGNED_IN', 'Срок сеанса истёк. Войдите снова с логином и паролем.');
      }
      const check = await this.records.check(who, password);
      if (check.kind === 'noVerifier') {
        try {
          await this.signInNow({ serverUrl: stored.serverUrl, login: stored.user.login, password }, stored.user.id);
        } catch (err) {
          if (err instanceof ServiceError && err.code === 'INVALID_CREDENTIALS') {
            await this.wrongPassword(who, this.records.countFailure(who));
          }
          throw err;
        }
        log.info({ userId: who.userId }, 'workstation unlocked (password checked by the server)');
        return this.session();
      }
      if (check.kind === 'wrong') await this.wrongPassword(who, check.attemptsLeft);
      this.lockedSession = null;
      try {
        this.activate(stored);
      } catch (err) {
        // The store will not open (its key lost, say): stay locked and say why.
        this.lockedSession = l;
        throw err;
      }
      this.persistLock(who, false, 0);
      log.info({ userId: who.userId }, 'workstation unlocked');
      return this.session();
    });
  }

  private persistLock(who: { userId: string; serverUrl: string }, locked: boolean, pending: number): void {
    try {
      this.records.setLocked(who, locked, pending);
    } catch (err) {
      log.error({ err, locked }, 'could not record the lock state; it holds for this run only');
    }
  }

  /** Throws the answer to a wrong password; the last allowed one ends the session first. */
  private async wrongPassword(who: { userId: string }, attemptsLeft: number): Promise<never> {
    log.warn({ userId: who.userId, attemptsLeft }, 'wrong password on the lock screen');
    if (attemptsLeft > 0) {
      throw new ServiceError('INVALID_CREDENTIALS', `Неверный пароль. Осталось попыток: ${attemptsLeft}. После ${MAX_UNLOCK_ATTEMPTS} неверных попыток сеанс будет завершён.`);
    }
    log.warn({ userId: who.userId }, 'too many wrong passwords on the lock screen; signing out');
    await this.deactivate(true);
    throw new ServiceError('NOT_SIGNED_IN', TOO_MANY_ATTEMPTS_MESSAGE);
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
      const rec = this.records.read({ userId: stored.user.id, serverUrl: stored.serverUrl });
      if (rec?.locked) {
        // Locked when the app stopped: it comes back locked, the store still closed.
        this.lockedSession = { stored, pending: rec.pending };
        log.info({ userId: stored.user.id }, 'session restored, locked');
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
    return this.serial(() => this.signInNow(input));
  }

  /** `sameUser`: only this user may come out of it (an unlock checked by the server). */
  private async signInNow(input: { serverUrl: string; login: string; password: string }, sameUser?: string): Promise<Session> {
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
    if (sameUser !== undefined && res.user.id !== sameUser) throw bail(new ServiceError('FORBIDDEN', 'Разблокировать рабочее место может только тот, кто вошёл.'));
    if (this.active || this.lockedSession) await this.deactivate(true);
    const stored: StoredSession = { serverUrl: input.serverUrl, token: res.token, expiresAt: res.expiresAt, user: res.user };
    // The session is saved before it is used: if the secret store refuses (no OS keychain),
    // the user must not be signed in for this run only, with unsent changes tied to a token
    // that the next start cannot find. The lock's verifier too: a session that could not be
    // unlocked offline would make the idle lock a sign-out.
    try {
      this.opts.secrets.set(SESSION_KEY, JSON.stringify(stored));
      this.opts.secrets.set(LAST_SERVER_KEY, input.serverUrl);
      await this.records.signedIn({ userId: res.user.id, serverUrl: input.serverUrl }, input.password);
    } catch (err) {
      try {
        this.opts.secrets.delete(SESSION_KEY);
      } catch {
        // Nothing was saved then.
      }
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
  }

  signOut(): Promise<void> {
    return this.serial(() => this.deactivate(true));
  }

  /** Stops sync and closes the store, keeping the saved session (the app is quitting). */
  close(): Promise<void> {
    return this.serial(async () => {
      const a = this.active;
      this.active = null;
      this.idle.disarm();
      if (a) await this.teardown(a);
    });
  }

  /** Stops what runs for the session and closes its store (which wipes the store's key). */
  private async teardown(a: ActiveSession): Promise<void> {
    await stopDocumentCache(a);
    await a.engine.stop();
    a.store.close();
  }

  private idleMsOf(store: LocalStore): number {
    const chosen = Number(store.getMeta(IDLE_LOCK_META));
    return Number.isSafeInteger(chosen) && chosen >= IDLE_LOCK_MIN_MS && chosen <= IDLE_LOCK_MAX_MS ? chosen : this.defaultIdleMs;
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
    this.idle.arm(this.idleMsOf(store));
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
    const stored = a?.stored ?? this.lockedSession?.stored;
    if (!stored) return;
    this.active = null;
    this.lockedSession = null;
    this.idle.disarm();
    this.opts.secrets.delete(SESSION_KEY);
    this.records.clear();
    if (a) await this.teardown(a);
    if (logoutOnServer) {
      const api = a?.api ?? new ApiClient({ baseUrl: stored.serverUrl, token: () => stored.token });
      // Best effort: an unreachable server must not keep anyone signed in here.
      await api.call('logout', undefined, { timeoutMs: 3000 }).catch((err: unknown) => log.info({ err: String(err) }, 'server logout failed'));
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
