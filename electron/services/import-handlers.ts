import crypto from 'node:crypto';
import { ReferralSubmit, type ReferralBatch } from '../../shared/domain/referrals.js';
import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import type { EventBus } from './rpc/events.js';
import type { Router } from './rpc/router.js';
import type { ActiveSession, SessionManager } from './session.js';

const log = createLogger('import');

export const IMPORT_OFFLINE_MESSAGE =
  'Нет связи с сервером: проверка дубликатов и импорт выполняются на сервере. Проверьте подключение к сети и нажмите «Повторить».';
export const NOT_SENT_YET_MESSAGE =
  'Таблица ещё не дошла до сервера: она отправится автоматически, когда появится связь. Откройте её снова после синхронизации.';

// Characters no file system accepts in a name, control characters included on purpose.
// eslint-disable-next-line no-control-regex
const XLSX_NAME = (title: string) => `${title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').slice(0, 120) || 'Отчёт'}.xlsx`;

/**
 * The batch id of a file the manager takes in: derived from the manager and the file's bytes, so
 * a repeated «Принять в работу» (a double click, a retry after an error) is the same batch and
 * the outbox never carries the same file twice.
 */
export function intakeBatchId(userId: string, fileHash: string): string {
  const h = crypto.createHash('sha256').update(`intake\n${userId}\n${fileHash}`).digest('hex');
  // RFC 9562 layout, version 8 (custom), variant 10xx.
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The manager's intake and bulk import. Taking in a received file is queued like a physician's
 * table (works offline, appears in the inbox at once as pending); duplicates, decisions, the
 * import job and its report live on the central API, so those calls are online only.
 */
export function registerImportHandlers(router: Router, sessions: SessionManager, bus: EventBus): void {
  router.register('intake.submitFile', (input) => {
    const { store, engine, stored } = sessions.require();
    const batchId = intakeBatchId(stored.user.id, input.fileHash);
    if (store.getBatch(batchId)) return { batchId };
    // Row numbers name the patients in the server's answers and the report: they must be unique.
    const seen = new Set<number>();
    const repeated = new Set<number>();
    for (const r of [...input.rows, ...input.rejectedRows]) (seen.has(r.row) ? repeated : seen).add(r.row);
    if (repeated.size > 0) {
      const list = [...repeated].sort((a, b) => a - b);
      throw new ServiceError(
        'VALIDATION_FAILED',
        `В файле повторяются номера строк: ${list.slice(0, 10).join(', ')}${list.length > 10 ? '…' : ''}. Прочитайте файл снова, не сопоставляя столбец «№» с номером строки.`,
      );
    }
    const args = ReferralSubmit.safeParse({
      id: batchId,
      title: input.title,
      fileName: input.fileName,
      fileHash: input.fileHash,
      rows: input.rows,
      origin: { ...input.origin, kind: 'file' },
      rejectedRows: input.rejectedRows,
    });
    if (!args.success) {
      log.error({ issues: args.error.issues.slice(0, 5) }, 'an intake file does not fit the submit schema');
      throw new ServiceError('VALIDATION_FAILED', 'Файл не удалось подготовить к приёму: проверьте строки с предупреждениями и повторите.');
    }
    const origin = args.data.origin ?? input.origin;
    const now = new Date().toISOString();
    const batch: ReferralBatch = {
      id: batchId,
      // Until the server answers: the sender as the manager described them.
      physicianId: origin.physicianId ?? stored.user.id,
      physicianName: origin.referrer ?? stored.user.fullName,
      title: args.data.title,
      fileName: args.data.fileName,
      fileHash: args.data.fileHash,
      rowCount: args.data.rows.length,
      rows: args.data.rows,
      status: 'sent',
      createdAt: now,
      updatedAt: now,
      source: 'file',
      submittedBy: stored.user.id,
      region: origin.region,
      organization: origin.organization,
      referrer: origin.referrer,
      receivedAt: origin.receivedAt ?? now,
      rejectedRows: args.data.rejectedRows,
    };
    engine.mutate({
      name: 'referral.submit',
      args: args.data,
      summary: `Входящая таблица «${args.data.title}» (${args.data.rows.length} пац.)`,
      entity: 'batch',
      entityId: batchId,
      optimistic: { entity: 'batch', data: batch },
    });
    log.info({ batchId, rows: args.data.rows.length, rejected: args.data.rejectedRows.length }, 'intake file queued');
    return { batchId };
  });

  /** An online call for a batch: offline and not-yet-sent batches get a message that says what to do. */
  async function online<T>(batchId: string, call: (s: ActiveSession) => Promise<T>): Promise<T> {
    const s = sessions.require();
    if (s.store.isPending('batch', batchId)) {
      // The batch is still in the outbox: push it first (it may just have been taken in).
      await s.engine.syncNow().catch(() => undefined);
      if (sessions.current !== s) throw new ServiceError('UNAUTHENTICATED', 'Сеанс завершён. Войдите снова.');
      if (s.store.isPending('batch', batchId)) {
        throw new ServiceError(s.engine.status().state === 'online' ? 'CONFLICT' : 'SERVER_UNREACHABLE', NOT_SENT_YET_MESSAGE);
      }
    }
    try {
      return await call(s);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'SERVER_UNREACHABLE') throw new ServiceError('SERVER_UNREACHABLE', IMPORT_OFFLINE_MESSAGE);
      throw err;
    }
  }

  /** The batch's status moved on the server (importing, imported): pull it so the inbox shows it. */
  function refreshIfChanged(s: ActiveSession, batchId: string, status: ReferralBatch['status']): void {
    if (s.store.getBatch(batchId)?.status === status) return;
    void s.engine.syncNow().catch(() => undefined);
  }

  const params = (batchId: string) => ({ params: { id: batchId } });

  router.register('import.duplicates', (input) => online(input.batchId, (s) => s.api.call('getBatchDuplicates', undefined, params(input.batchId))));

  router.register('import.decide', (input) =>
    online(input.batchId, (s) => s.api.call('saveBatchDecisions', { decisions: input.decisions }, { ...params(input.batchId), timeoutMs: 60_000 })),
  );

  router.register('import.commit', (input) =>
    online(input.batchId, async (s) => {
      const progress = await s.api.call('commitBatch', undefined, params(input.batchId));
      log.info({ batchId: input.batchId, status: progress.status, done: progress.done, total: progress.total }, 'import started');
      refreshIfChanged(s, input.batchId, progress.status);
      bus.emit('data.changed', { entities: ['batch'] });
      return progress;
    }),
  );

  router.register('import.status', (input) =>
    online(input.batchId, async (s) => {
      const status = await s.api.call('getBatchImport', undefined, { ...params(input.batchId), timeoutMs: 30_000 });
      if (!status.running) refreshIfChanged(s, input.batchId, status.status);
      return status;
    }),
  );

  router.register('import.cancel', (input) =>
    online(input.batchId, async (s) => {
      const progress = await s.api.call('cancelBatchImport', undefined, params(input.batchId));
      log.info({ batchId: input.batchId, done: progress.done, total: progress.total }, 'import stop requested');
      return progress;
    }),
  );

  router.register('import.report', (input) =>
    online(input.batchId, async (s) => {
      const { bytes, fileName } = await s.api.getBytes('getBatchReport', params(input.batchId));
      const title = s.store.getBatch(input.batchId)?.title ?? 'Таблица';
      return { fileName: fileName ?? XLSX_NAME(`Отчёт — ${title}`), base64: bytes.toString('base64') };
    }),
  );
}
