import { notSignedIn } from '../errors.js';
import type { EventBus } from '../rpc/events.js';
import type { SecretStore } from '../secrets.js';
import type { ActiveSession } from '../session.js';
import { cacheKeyName } from './cache-key.js';
import { DocumentCache } from './document-cache.js';

/** One cache per signed-in session, started and stopped with it (see SessionManager). */
const caches = new WeakMap<ActiveSession, DocumentCache>();

export function startDocumentCache(session: ActiveSession, deps: { secrets: SecretStore; bus: EventBus }): void {
  const { stored } = session;
  const cache = new DocumentCache({
    store: session.store,
    api: session.api,
    engine: session.engine,
    bus: deps.bus,
    secrets: deps.secrets,
    keyName: cacheKeyName(stored.serverUrl, stored.user.id),
    prefetch: stored.user.role === 'doctor',
  });
  caches.set(session, cache);
  cache.start();
}

/** Stops downloads (completed chunks are kept); call before the store closes. */
export async function stopDocumentCache(session: ActiveSession): Promise<void> {
  const cache = caches.get(session);
  caches.delete(session);
  await cache?.stop();
}

export function documentCacheOf(session: ActiveSession): DocumentCache {
  const cache = caches.get(session);
  if (!cache) throw notSignedIn();
  return cache;
}
