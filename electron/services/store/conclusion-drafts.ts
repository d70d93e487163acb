import { ConclusionDraftContent } from '../../../shared/domain/conclusions.js';
import type { ConclusionDraft } from '../../../shared/rpc/contract.js';
import type { LocalStore } from './local-store.js';

/**
 * Conclusion drafts: local only, one per request, so a half-written conclusion survives offline
 * work and restarts. Issuing hands the draft to the outbox; until the server has accepted that
 * conclusion, the draft is kept aside (in `meta`, keyed by request and conclusion id) so a
 * refused issue gives the doctor their text back instead of losing it.
 */

interface DraftRow {
  request_id: string;
  consultation_id: string | null;
  corrects_id: string | null;
  content: string;
  updated_at: string;
}

const ASIDE = 'conclusion_draft_aside:';
const asideKey = (requestId: string, conclusionId: string) => `${ASIDE}${requestId}:${conclusionId}`;
const asidePattern = (requestId: string) => `${ASIDE}${requestId}:%`;

function fromRow(r: DraftRow): ConclusionDraft {
  // Parsed with defaults: a draft saved by an older version of the editor still opens.
  const content = ConclusionDraftContent.safeParse(JSON.parse(r.content));
  return {
    requestId: r.request_id,
    consultationId: r.consultation_id,
    correctsId: r.corrects_id,
    content: content.success ? content.data : ConclusionDraftContent.parse({}),
    updatedAt: r.updated_at,
  };
}

export function saveDraft(
  store: LocalStore,
  input: { requestId: string; consultationId: string | null; correctsId: string | null; content: ConclusionDraftContent },
  now = new Date(),
): ConclusionDraft {
  const updatedAt = now.toISOString();
  store
    .sql(
      `INSERT INTO conclusion_drafts (request_id, consultation_id, corrects_id, content, updated_at)
       VALUES (@requestId, @consultationId, @correctsId, @content, @updatedAt)
       ON CONFLICT(request_id) DO UPDATE SET consultation_id = excluded.consultation_id,
         corrects_id = excluded.corrects_id, content = excluded.content, updated_at = excluded.updated_at`,
    )
    .run({ requestId: input.requestId, consultationId: input.consultationId, correctsId: input.correctsId, content: JSON.stringify(input.content), updatedAt });
  return { requestId: input.requestId, consultationId: input.consultationId, correctsId: input.correctsId, content: input.content, updatedAt };
}

/**
 * The request's draft. A draft set aside at issue comes back when its conclusion is gone (the
 * server refused it and the optimistic row was rolled back); it is forgotten once the server has
 * the conclusion.
 */
export function getDraft(store: LocalStore, requestId: string): ConclusionDraft | null {
  return store.db.transaction(() => {
    const asides = store.sql('SELECT key, value FROM meta WHERE key LIKE ?').all(asidePattern(requestId)) as { key: string; value: string }[];
    let current = store.sql('SELECT * FROM conclusion_drafts WHERE request_id = ?').get(requestId) as DraftRow | undefined;
    for (const a of asides) {
      const conclusionId = a.key.slice(a.key.lastIndexOf(':') + 1);
      const exists = store.sql('SELECT 1 FROM conclusions WHERE id = ?').get(conclusionId) !== undefined;
      const pending = store.isPending('conclusion', conclusionId);
      if (pending) continue;
      store.sql('DELETE FROM meta WHERE key = ?').run(a.key);
      if (!exists && !current) {
        // Refused: the doctor's text is a draft again.
        const row = JSON.parse(a.value) as DraftRow;
        store
          .sql('INSERT INTO conclusion_drafts (request_id, consultation_id, corrects_id, content, updated_at) VALUES (?, ?, ?, ?, ?)')
          .run(row.request_id, row.consultation_id, row.corrects_id, row.content, row.updated_at);
        current = row;
      }
    }
    return current ? fromRow(current) : null;
  })();
}

/** At issue, in the same transaction as the queued mutation: the draft is set aside, not deleted. */
export function setDraftAside(store: LocalStore, requestId: string, conclusionId: string): void {
  const row = store.sql('SELECT * FROM conclusion_drafts WHERE request_id = ?').get(requestId) as DraftRow | undefined;
  if (!row) return;
  store.setMeta(asideKey(requestId, conclusionId), JSON.stringify(row));
  store.sql('DELETE FROM conclusion_drafts WHERE request_id = ?').run(requestId);
}

export function deleteDraft(store: LocalStore, requestId: string): void {
  store.sql('DELETE FROM conclusion_drafts WHERE request_id = ?').run(requestId);
}
