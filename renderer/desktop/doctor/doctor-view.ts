import type { Conclusion } from '../../../shared/domain/conclusions';
import type { CachedDocument } from '../../../shared/rpc/contract';

/** Pure view logic of the queue and the patient card (tested without a DOM). */

export type CacheView = { kind: 'cached' | 'pinned' | 'absent' | 'queued' | 'failed' } | { kind: 'downloading'; percent: number };

/** What the cache indicator of a document shows. */
export function cacheView(cache: CachedDocument | null, size: number): CacheView {
  if (!cache) return { kind: 'absent' };
  if (cache.state === 'cached') return { kind: cache.pinned ? 'pinned' : 'cached' };
  if (cache.state === 'downloading') {
    const total = cache.size || size;
    return { kind: 'downloading', percent: total > 0 ? Math.min(99, Math.floor((cache.bytesDone / total) * 100)) : 0 };
  }
  return { kind: cache.state };
}

/** The queue's filters as the form keeps them ('' = any); turned into `requests.queue` input. */
export interface QueueFilterState {
  profile: string;
  source: string;
  region: string;
  stage: string;
  documents: '' | 'complete' | 'incomplete';
  overdue: boolean;
  mine: boolean;
  status: string;
}

export const NO_FILTERS: QueueFilterState = { profile: '', source: '', region: '', stage: '', documents: '', overdue: false, mine: false, status: '' };

export function activeFilterCount(f: QueueFilterState): number {
  return [f.profile, f.source, f.region, f.stage, f.documents, f.status].filter((v) => v !== '').length + Number(f.overdue) + Number(f.mine);
}

/** The input of `requests.queue`; only what is set, so the cache key stays short. */
export function queueInput(f: QueueFilterState, q: string, page: number, pageSize: number): Record<string, string | number | boolean> {
  const input: Record<string, string | number | boolean> = { limit: pageSize, offset: page * pageSize };
  if (q) input.q = q;
  if (f.profile) input.profile = f.profile;
  if (f.source) input.source = f.source;
  if (f.region) input.region = f.region;
  if (f.stage) input.stage = f.stage;
  if (f.status) input.status = f.status;
  if (f.documents) input.documentsComplete = f.documents === 'complete';
  if (f.overdue) input.overdue = true;
  if (f.mine) input.mine = true;
  return input;
}

/** The version in force of a request's conclusions (the one nobody corrected), if any. */
export function currentConclusion<C extends Pick<Conclusion, 'supersededBy' | 'version'>>(versions: readonly C[]): C | null {
  const live = versions.filter((c) => c.supersededBy === null);
  return live.sort((a, b) => b.version - a.version)[0] ?? null;
}
