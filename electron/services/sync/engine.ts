import type { ErrorData } from '../../../shared/domain/errors.js';
import type { SyncStatus } from '../../../shared/rpc/contract.js';
import type { SyncEntity } from '../../../shared/sync/protocol.js';
import { RequestTimeoutError, type ApiClient } from '../api/http-client.js';
import { PokeClient } from '../api/poke-client.js';
import { ServiceError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { EventBus } from '../rpc/events.js';
import type { LocalMutation, LocalStore } from '../store/local-store.js';
import { backoffDelay } from './backoff.js';

const log = createLogger('sync.engine');

/** A push stops before this much serialized data; a single larger change goes alone. */
export const PUSH_BATCH_BYTES = 1024 * 1024;
/** A pull page's size is unknown in advance (documents' metadata, a 5000-row table): more time. */
const PULL_TIMEOUT_MS = 60_000;
const MIN_PULL_LIMIT = 50;

export interface SyncEngineOptions {
  store: LocalStore;
  api: ApiClient;
  bus: EventBus;
  token: () => string | null;
  /** The server said the session is over (401): the app signs out. */
  onUnauthenticated(): void;
  /** Listen for pokes on the central API's WebSocket (on by default). */
  pokes?: boolean;
  /**
   * False for a user who keeps no local data (the administrator: no patient data, everything
   * online): the engine never starts and reports itself idle and online.
   */
  syncs?: boolean;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** At most this many mutations per push (also cut at `pushBatchBytes`). */
  pushBatch?: number;
  pushBatchBytes?: number;
  pullLimit?: number;
  /** Base time for a pull page (the API client's default for the rest). */
  pullTimeoutMs?: number;
  /** A pull now and then even without pokes, in case one was lost. */
  periodicPullMs?: number;
}

type EngineState = Exclude<SyncStatus['state'], 'signed_out'>;

/**
 * Keeps the local store and the central API in step. Local changes go to the outbox with the
 * optimistic row (one transaction) and are pushed in order; the server applies each mutation
 * id once per client, so anything unacknowledged is simply sent again (after a timeout, a
 * crash, a restart) and a replayed answer is handled like a first one. Pulls run after pushes,
 * on pokes, and periodically, one page per transaction with its cursor. Push and pull share one
 * loop, so the answer to a push is never overtaken by an older pull.
 */
export class SyncEngine {
  private state: EngineState = 'syncing';
  private lastError: ErrorData | null = null;
  private wantPush = false;
  private wantPull = false;
  private loop: Promise<void> | null = null;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private pokeTimer: NodeJS.Timeout | null = null;
  private periodicTimer: NodeJS.Timeout | null = null;
  private abort = new AbortController();
  private lastEmitted = '';
  /** Halved after a pull timed out (a slow line), back to normal after a pull went through. */
  private pullLimitNow: number | null = null;
  private readonly poke: PokeClient | null;

  constructor(private readonly opts: SyncEngineOptions) {
    this.poke =
      opts.pokes === false
        ? null
        : new PokeClient({
            baseUrl: opts.api.baseUrl,
            token: opts.token,
            onReady: () => {
              // Connected again: whatever was missed while away is pulled now, pending changes go.
              this.cancelRetry();
              this.request(true, true);
            },
            onPoke: () => this.pokeSoon(),
            onUnauthenticated: () => this.request(false, true),
          });
  }

  start(): void {
    if (this.opts.syncs === false) {
      this.state = 'online';
      this.emitStatus();
      return;
    }
    if (!this.stopped) return;
    this.stopped = false;
    this.abort = new AbortController();
    this.poke?.start();
    this.request(true, true);
    const every = this.opts.periodicPullMs ?? 5 * 60_000;
    this.periodicTimer = setInterval(() => this.request(false, true), every);
    this.periodicTimer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelRetry();
    if (this.pokeTimer) clearTimeout(this.pokeTimer);
    if (this.periodicTimer) clearInterval(this.periodicTimer);
    this.pokeTimer = this.periodicTimer = null;
    this.poke?.stop();
    this.abort.abort();
    while (this.loop) await this.loop;
  }

  status(): SyncStatus {
    return { state: this.state, pending: this.opts.store.pendingCount(), lastSyncedAt: this.opts.store.lastSyncedAt, lastError: this.lastError };
  }

  /**
   * Applies a change locally and queues it for the server; returns its mutation id. `also` runs
   * in the same transaction; events and the push go out only once it has committed.
   */
  mutate(m: LocalMutation, also?: () => void): number {
    const id = this.opts.store.mutate(m, also);
    this.opts.bus.emit('data.changed', { entities: [m.entity] });
    this.emitStatus();
    this.request(true, false);
    return id;
  }

  /** Push and pull now (the user pressed "sync"), resolving when this attempt is over. */
  async syncNow(): Promise<SyncStatus> {
    if (this.opts.syncs === false) return this.status();
    this.poke?.reconnectSoon();
    // An attempt already under way may have started before the network came back: let it end,
    // then make a fresh one rather than report its outcome.
    while (this.loop) await this.loop;
    this.cancelRetry();
    this.request(true, true);
    while (this.loop) await this.loop;
    return this.status();
  }

  private request(push: boolean, pull: boolean): void {
    this.wantPush ||= push;
    this.wantPull ||= pull;
    // While waiting out a backoff, the retry timer decides when to try again.
    if (this.retryTimer) return;
    this.kick();
  }

  private kick(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run()
      .catch((err: unknown) => this.crashed(err))
      .finally(() => {
        this.loop = null;
        if (!this.stopped && !this.retryTimer && (this.wantPush || this.wantPull)) this.kick();
      });
  }

  /**
   * Something outside run()'s own try (the store, a status listener) threw: an unhandled
   * rejection would take the process down. Log it, report it, try again later.
   */
  private crashed(err: unknown): void {
    log.error({ err }, 'sync loop failed');
    if (this.stopped) return;
    this.lastError = {
      code: 'INTERNAL',
      message: 'Синхронизация прервалась из-за внутренней ошибки. Она повторится автоматически; если ошибка не проходит, сообщите администратору.',
    };
    this.state = 'offline';
    try {
      this.emitStatus();
    } catch (e) {
      log.error({ err: e }, 'sync status could not be reported');
    }
    this.scheduleRetry();
  }

  private pokeSoon(): void {
    if (this.pokeTimer) return;
    // Pokes come in bursts (one per write); a short delay folds them into one pull.
    this.pokeTimer = setTimeout(() => {
      this.pokeTimer = null;
      this.request(false, true);
    }, 30);
  }

  private async run(): Promise<void> {
    while (!this.stopped && (this.wantPush || this.wantPull)) {
      const push = this.wantPush || this.opts.store.pendingCount() > 0;
      this.wantPush = this.wantPull = false;
      this.setState('syncing');
      try {
        if (push) await this.pushAll();
        // Always pull after a push: it brings what the push caused and corrects replayed rows.
        await this.pullAll();
        if (this.stopped) return;
        this.attempt = 0;
        this.lastError = null;
        this.opts.store.markSynced();
        this.setState('online');
      } catch (err) {
        if (this.stopped) return;
        this.fail(err);
        return;
      }
    }
  }

  private async pushAll(): Promise<void> {
    const { store, api, bus } = this.opts;
    let stuck = 0;
    let restarts = 0;
    for (;;) {
      // The server has seen ids from this client that this store never made: the store is older
      // than the server's record of it (a restored backup, a copied profile). Our next ids would
      // be answered as replays of other changes and silently dropped.
      if (store.lastAcknowledged >= store.nextMutationId) this.startAsNewClient(store.lastAcknowledged, ++restarts);
      const batch = store.outboxBatch(this.opts.pushBatchBytes ?? PUSH_BATCH_BYTES, this.opts.pushBatch ?? 100);
      if (batch.length === 0 || this.stopped) return;
      const res = await api.call(
        'syncPush',
        { clientId: store.clientId, mutations: batch.map((m) => ({ id: m.id, name: m.name, args: m.args })) },
        { signal: this.abort.signal },
      );
      if (this.stopped) return;
      if (res.lastMutationId >= store.nextMutationId) {
        // Same, found by this answer: none of its results can be trusted, so none is applied.
        this.startAsNewClient(res.lastMutationId, ++restarts);
        continue;
      }
      const out = store.applyPushResults(res.results, res.lastMutationId);
      if (out.changed.size > 0) bus.emit('data.changed', { entities: [...out.changed] });
      for (const r of out.rejections) {
        log.info({ mutationId: r.mutationId, name: r.name, code: r.error.code }, 'local change rejected by the server');
        bus.emit('sync.rejected', r);
      }
      this.emitStatus();
      if (out.deferredExpected !== null) {
        log.warn({ expected: out.deferredExpected, first: batch[0]?.id }, 'server expects an earlier mutation');
        store.renumberOutbox(out.deferredExpected);
      }
      if (out.acknowledged === 0 && ++stuck >= 3) {
        throw new ServiceError('MUTATION_OUT_OF_ORDER', 'Не удаётся отправить изменения: сервер ожидает другие данные. Обратитесь к администратору.');
      }
    }
  }

  private startAsNewClient(serverLast: number, restarts: number): void {
    const { store } = this.opts;
    if (restarts > 2) {
      throw new ServiceError('MUTATION_OUT_OF_ORDER', 'Не удаётся отправить изменения: сервер ожидает другие данные. Обратитесь к администратору.');
    }
    const old = store.clientId;
    const clientId = store.startAsNewClient();
    log.warn({ old, clientId, serverLast, pending: store.pendingCount() }, 'local store is older than the server knows: continuing as a new client');
  }

  private async pullAll(): Promise<void> {
    const { store, api, bus } = this.opts;
    const normal = this.opts.pullLimit ?? 2000;
    let since = store.cursor;
    for (;;) {
      const limit = this.pullLimitNow ?? normal;
      let res;
      try {
        res = await api.call('syncPull', { since, limit }, { signal: this.abort.signal, timeoutMs: this.opts.pullTimeoutMs ?? PULL_TIMEOUT_MS });
      } catch (err) {
        // A slow line: smaller pages next time, so each fits in the time a request gets.
        if (err instanceof RequestTimeoutError) this.pullLimitNow = Math.max(MIN_PULL_LIMIT, Math.floor(limit / 2));
        throw err;
      }
      if (this.stopped) return;
      const changed = store.applyPull(res.changes, res.cursor);
      if (changed.size > 0) bus.emit('data.changed', { entities: [...changed] as SyncEntity[] });
      since = res.cursor;
      if (!res.hasMore) {
        this.pullLimitNow = null;
        return;
      }
    }
  }

  private fail(err: unknown): void {
    const e =
      err instanceof ServiceError
        ? err
        : new ServiceError('INTERNAL', 'Синхронизация прервалась из-за внутренней ошибки. Она повторится автоматически; если ошибка не проходит, сообщите администратору.');
    if (!(err instanceof ServiceError)) log.error({ err }, 'sync failed');
    this.lastError = { code: e.code, message: e.message };
    // The session is over (expired, revoked, or the password was reset): only signing in helps.
    if (e.code === 'UNAUTHENTICATED' || e.code === 'PASSWORD_CHANGE_REQUIRED') {
      this.setState('offline');
      this.opts.onUnauthenticated();
      return;
    }
    // A timeout means the line is slow, not gone: no probe first, just another try.
    this.setState(e.code === 'SERVER_UNREACHABLE' && !(e instanceof RequestTimeoutError) ? 'offline' : 'online');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = backoffDelay(this.attempt++, this.opts.retryBaseMs ?? 1000, this.opts.retryMaxMs ?? 30_000);
    log.debug({ delay, attempt: this.attempt }, 'sync retry scheduled');
    this.retryTimer = setTimeout(() => void this.retry(), delay);
    this.retryTimer.unref?.();
  }

  private async retry(): Promise<void> {
    if (this.stopped) return;
    if (this.state === 'offline') {
      // Offline: a cheap probe first; the full sync only once the server answers.
      try {
        await this.opts.api.call('health', undefined, { timeoutMs: 5000, signal: this.abort.signal });
      } catch {
        this.retryTimer = null;
        this.scheduleRetry();
        return;
      }
    }
    this.retryTimer = null;
    this.request(true, true);
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setState(state: EngineState): void {
    this.state = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    if (this.stopped) return;
    const s = this.status();
    const text = JSON.stringify(s);
    if (text === this.lastEmitted) return;
    this.lastEmitted = text;
    this.opts.bus.emit('sync.status', s);
  }
}
