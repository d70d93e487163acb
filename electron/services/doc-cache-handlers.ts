import { documentCacheOf } from './doc-cache/session-cache.js';
import type { EventBus } from './rpc/events.js';
import type { Router } from './rpc/router.js';
import type { SessionManager } from './session.js';

/** The document cache: its state for the indicator, reading (audited), pinning. */
export function registerDocCacheHandlers(router: Router, sessions: SessionManager, _bus: EventBus): void {
  router.register('documents.cacheStatus', (input) => documentCacheOf(sessions.require()).status(input.patientId));
  router.register('documents.read', (input) => documentCacheOf(sessions.require()).read(input.documentId));
  router.register('documents.pin', (input) => documentCacheOf(sessions.require()).pin(input.documentId, input.pinned));
}
