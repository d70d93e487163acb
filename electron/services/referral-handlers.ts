import crypto from 'node:crypto';
import { REFERRAL_BATCH_MAX_ROWS, ReferralSubmit, type ReferralBatch } from '../../shared/domain/referrals.js';
import type { ReferralAnalysis, ReferralRow } from '../../shared/referral/analyse.js';
import { ReferralFileError, REFERRAL_FILE_ERROR_CODES } from '../../shared/referral/codes.js';
import { REFERRAL_COLUMNS, SEX_VALUES, URGENCY_VALUES, type ReferralFieldKey } from '../../shared/referral/columns.js';
import { analyseDraftRows, validateDraftRows } from '../../shared/referral/draft-validate.js';
import type { ConfirmedMapping, MappingTarget } from '../../shared/referral/mapping.js';
import { CENTRES, REGIONS } from '../../shared/reference/index.js';
import type { BatchSummary, DraftRow, ReadFileOutput, ReferralStatusRow } from '../../shared/rpc/contract.js';
import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import type { EventBus } from './rpc/events.js';
import type { Router } from './rpc/router.js';
import type { SessionManager } from './session.js';
import { createDraft, deleteDraft, getDraft, listDrafts, markDraftSent, rememberedMapping, rememberMapping, saveDraft } from './store/drafts.js';
import { listBatches, referralStatus } from './store/referral-queries.js';
import { buildDraftExport } from './xlsx/draft-export.js';
import { startReferralImport, type ReferralImportJob } from './xlsx/referral-import.js';
import { buildReferralTemplate } from './xlsx/template.js';

const log = createLogger('referrals');

// Characters no file system accepts in a name, control characters included on purpose.
// eslint-disable-next-line no-control-regex
const XLSX_NAME = (title: string) => `${title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').slice(0, 120) || 'Таблица'}.xlsx`;

/** A normalised field as the grid shows it: labels, not codes (the engine reads both back). */
function displayValue(key: ReferralFieldKey, value: string | number): string {
  switch (key) {
    case 'sex':
      return SEX_VALUES[value as keyof typeof SEX_VALUES]?.label ?? String(value);
    case 'urgency':
      return URGENCY_VALUES[value as keyof typeof URGENCY_VALUES]?.label ?? String(value);
    case 'region':
      return REGIONS.find((r) => r.code === value)?.name ?? String(value);
    case 'centre':
      return CENTRES.find((c) => c.code === value)?.shortName ?? String(value);
    case 'birthDate': {
      const [y, m, d] = String(value).split('-');
      return `${d}.${m}.${y}`;
    }
    default:
      return String(value);
  }
}

/**
 * An analysed file row as a grid row: the normalised value where the cell was valid, the text
 * as it stood in the file where it was not — so the physician fixes what they typed.
 */
function toDraftRow(r: ReferralRow & { raw?: Partial<Record<string, string>> }): DraftRow {
  const cells: Partial<Record<string, string>> = {};
  for (const c of REFERRAL_COLUMNS) {
    const key = c.key as ReferralFieldKey;
    const v = r.fields[key];
    if (v !== null && v !== undefined && !r.errors.some((e) => e.field === key)) {
      cells[key] = key === 'profile' ? profileName(r.fields.centre, String(v)) : displayValue(key, v);
    } else if (r.raw?.[key] !== undefined && r.raw[key] !== '') {
      cells[key] = r.raw[key];
    }
  }
  return { row: r.row, cells, excluded: false };
}

function profileName(centre: string | number | null, code: string): string {
  return CENTRES.find((c) => c.code === centre)?.profiles.find((p) => p.code === code)?.name ?? code;
}

function fileError(err: unknown): ServiceError {
  if (err instanceof ReferralFileError) {
    if (err.code === REFERRAL_FILE_ERROR_CODES.CANCELLED) return new ServiceError('CANCELLED', 'Чтение файла отменено.');
    return new ServiceError('FILE_REJECTED', err.message);
  }
  log.error({ err }, 'referral file import failed');
  return new ServiceError('FILE_REJECTED', 'Не удалось прочитать файл. Сохраните его в Excel как «Книга Excel (*.xlsx)» и попробуйте снова.');
}

/** Referral tables: template, reading files, drafts, sending, status, batches. */
export function registerReferralHandlers(router: Router, sessions: SessionManager, bus: EventBus): void {
  const jobs = new Map<string, ReferralImportJob>();

  async function analyse(jobId: string, bytes: Uint8Array, mapping: ConfirmedMapping | undefined): Promise<ReferralAnalysis> {
    const job = startReferralImport(
      { bytes },
      {
        options: { keepRaw: true, ...(mapping ? { mapping } : {}) },
        onProgress: (p) => bus.emit('job.progress', { jobId, label: p.stage, done: p.done, total: p.total }),
      },
    );
    jobs.set(jobId, job);
    try {
      return await job.result;
    } catch (err) {
      throw fileError(err);
    } finally {
      jobs.delete(jobId);
    }
  }

  router.register('referral.template', () => ({ fileName: 'Шаблон таблицы направлений.xlsx', base64: buildReferralTemplate().toString('base64') }));

  router.register('referral.readFile', async (input): Promise<ReadFileOutput> => {
    const { store } = sessions.require();
    const bytes = Buffer.from(input.base64, 'base64');
    const fileHash = crypto.createHash('sha256').update(bytes).digest('hex');
    const explicit: ConfirmedMapping | undefined =
      input.mapping && input.signature ? { signature: input.signature, columns: input.mapping.map((m) => ({ index: m.index, target: m.target as MappingTarget | null })) } : undefined;
    let analysis = await analyse(input.jobId, bytes, explicit);
    let remembered = false;
    if (!explicit) {
      const saved = rememberedMapping(store, analysis.mapping.signature);
      if (saved) {
        // The same layout was confirmed before: read again with the user's mapping.
        analysis = await analyse(input.jobId, bytes, { signature: analysis.mapping.signature, columns: saved.map((c) => ({ index: c.index, target: c.target as MappingTarget | null })) });
        remembered = true;
      }
    }
    return {
      fileName: input.fileName,
      fileHash,
      sheet: analysis.sheet,
      sheets: analysis.sheets,
      headerRow: analysis.mapping.headerRow + 1,
      signature: analysis.mapping.signature,
      columns: analysis.mapping.columns.map((c) => ({ index: c.index, header: c.header, target: c.target, confidence: c.confidence })),
      remembered,
      rows: analysis.rows.map(toDraftRow),
      skipped: analysis.skipped,
      notices: analysis.notices,
      summary: analysis.summary,
    };
  });

  router.register('referral.cancelJob', (input) => {
    jobs.get(input.jobId)?.cancel();
    return { ok: true as const };
  });

  router.register('referral.rememberMapping', (input) => {
    rememberMapping(sessions.require().store, input.signature, input.mapping);
    return { ok: true as const };
  });

  router.register('drafts.list', () => ({ items: listDrafts(sessions.require().store) }));
  router.register('drafts.get', (input) => getDraft(sessions.require().store, input.id));
  router.register('drafts.create', (input) => createDraft(sessions.require().store, input));
  router.register('drafts.save', (input) => saveDraft(sessions.require().store, input));
  router.register('drafts.delete', (input) => {
    deleteDraft(sessions.require().store, input.id);
    return { ok: true as const };
  });

  router.register('drafts.send', (input) => {
    const { store, engine, stored } = sessions.require();
    const draft = getDraft(store, input.id);
    if (draft.sentBatchId) return { batchId: draft.sentBatchId };
    const included = draft.rows.filter((r) => !r.excluded);
    // The server takes at most this many rows in one batch; refused there, the table would only come back.
    if (included.length > REFERRAL_BATCH_MAX_ROWS) {
      throw new ServiceError(
        'VALIDATION_FAILED',
        `В таблице ${included.length} строк; за один раз можно отправить не более ${REFERRAL_BATCH_MAX_ROWS} — разделите таблицу.`,
      );
    }
    // Row numbers name the patients in the server's answers («строка N»): they must be unique.
    const seen = new Set<number>();
    const repeated = new Set<number>();
    for (const r of included) (seen.has(r.row) ? repeated : seen).add(r.row);
    if (repeated.size > 0) {
      const list = [...repeated].sort((a, b) => a - b);
      throw new ServiceError(
        'VALIDATION_FAILED',
        `В таблице повторяются номера строк: ${list.slice(0, 10).join(', ')}${list.length > 10 ? '…' : ''}. У каждой строки должен быть свой номер — исправьте нумерацию и отправьте снова.`,
        list.slice(0, 1000).map((n) => ({ path: `${n}.row`, message: 'Номер строки повторяется.' })),
      );
    }
    const analysed = analyseDraftRows(draft.rows);
    const bad = analysed.filter((r) => r.result && r.result.errors.length > 0);
    if (bad.length > 0) {
      const issues = bad.flatMap((r) => r.result!.errors.map((e) => ({ path: `${r.row}.${e.field}`, message: e.message })));
      throw new ServiceError(
        'VALIDATION_FAILED',
        `В таблице ${bad.length} строк(и) с ошибками: исправьте их или исключите эти строки из отправки.`,
        issues.slice(0, 1000),
      );
    }
    const rows = analysed.flatMap((r) => (r.result ? [{ row: r.row, fields: r.result.fields }] : []));
    if (rows.length === 0) throw new ServiceError('VALIDATION_FAILED', 'В таблице нет ни одной строки для отправки: добавьте пациентов.');
    const batchId = crypto.randomUUID();
    const args = ReferralSubmit.safeParse({ id: batchId, title: draft.title, fileName: draft.fileName, fileHash: draft.fileHash, rows });
    if (!args.success) {
      log.error({ issues: args.error.issues.slice(0, 5) }, 'a validated draft does not fit the submit schema');
      throw new ServiceError('VALIDATION_FAILED', 'Таблицу не удалось подготовить к отправке: проверьте строки с предупреждениями и повторите.');
    }
    const now = new Date().toISOString();
    const batch: ReferralBatch = {
      id: batchId,
      physicianId: stored.user.id,
      physicianName: stored.user.fullName,
      title: draft.title,
      fileName: draft.fileName,
      fileHash: draft.fileHash,
      rowCount: rows.length,
      rows: args.data.rows,
      status: 'sent',
      createdAt: now,
      updatedAt: now,
      source: 'app',
      submittedBy: stored.user.id,
      region: null,
      organization: null,
      referrer: null,
      receivedAt: null,
      rejectedRows: [],
    };
    // The outbox row and the draft's "sent" mark commit together; events follow the commit.
    engine.mutate(
      {
        name: 'referral.submit',
        args: args.data,
        summary: `Таблица направлений «${draft.title}» (${rows.length} пац.)`,
        entity: 'batch',
        entityId: batchId,
        optimistic: { entity: 'batch', data: batch },
      },
      () => markDraftSent(store, draft.id, batchId),
    );
    log.info({ draftId: draft.id, batchId, rows: rows.length }, 'referral batch queued');
    return { batchId };
  });

  router.register('drafts.export', (input) => {
    const draft = getDraft(sessions.require().store, input.id);
    const problems = validateDraftRows(draft.rows);
    return { fileName: XLSX_NAME(draft.title), base64: buildDraftExport({ title: draft.title, rows: draft.rows, problems }).toString('base64') };
  });

  router.register('referrals.status', (input): { items: ReferralStatusRow[]; total: number; counts: Record<string, number> } =>
    referralStatus(sessions.require().store, input),
  );
  router.register('batches.list', (): { items: BatchSummary[] } => ({ items: listBatches(sessions.require().store) }));
  router.register('batches.get', (input) => {
    const batch = sessions.require().store.getBatch(input.id);
    if (!batch) throw new ServiceError('NOT_FOUND', 'Таблица не найдена на этом компьютере. Дождитесь синхронизации и повторите.');
    return batch;
  });
}
