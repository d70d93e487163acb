import { AUDIT_EXPORT_MAX_ROWS, type AuditFilter } from '../../shared/rpc/contract.js';
import type { AuditEvent } from '../../shared/api/contract.js';
import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import type { Router } from './rpc/router.js';
import type { SessionManager } from './session.js';

const log = createLogger('admin');

const ADMIN_OFFLINE_MESSAGE =
  'Нет связи с сервером: журнал аудита хранится только на сервере. Проверьте подключение к сети и нажмите «Повторить».';

async function online<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'SERVER_UNREACHABLE') throw new ServiceError('SERVER_UNREACHABLE', ADMIN_OFFLINE_MESSAGE);
    throw err;
  }
}

const PAGE = 500;
const COLUMNS = ['seq', 'at', 'actorId', 'actorRole', 'action', 'patientId', 'entity', 'entityId', 'result', 'details', 'hash'] as const;
const HEADER = ['№', 'Время (UTC)', 'Пользователь', 'Роль', 'Действие', 'Пациент', 'Объект', 'Идентификатор', 'Результат', 'Подробности', 'Хеш записи'];

/** One CSV cell: quoted, quotes doubled, and text that a spreadsheet would run as a formula neutralised. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function auditCsv(events: readonly AuditEvent[]): string {
  const lines = [HEADER.map(csvCell).join(';'), ...events.map((e) => COLUMNS.map((c) => csvCell(e[c])).join(';'))];
  // BOM: Excel opens UTF-8 CSV as Cyrillic only with it.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The administrator's audit viewer: filters, chain verification and export, straight from the central API. */
export function registerAdminHandlers(router: Router, sessions: SessionManager): void {
  router.register('users.list', () => online(() => sessions.require().api.call('listUsers')));
  router.register('audit.list', (input) => online(() => sessions.require().api.call('listAudit', undefined, { query: input })));
  router.register('audit.verify', () => online(() => sessions.require().api.call('verifyAudit')));
  router.register('audit.export', async (input: AuditFilter) => {
    const { api } = sessions.require();
    const events: AuditEvent[] = [];
    let total = 0;
    for (let offset = 0; offset < AUDIT_EXPORT_MAX_ROWS; offset += PAGE) {
      const page = await online(() => api.call('listAudit', undefined, { query: { ...input, limit: PAGE, offset } }));
      total = page.total;
      events.push(...page.items);
      if (page.items.length < PAGE || events.length >= total) break;
    }
    const rows = events.slice(0, AUDIT_EXPORT_MAX_ROWS);
    log.info({ rows: rows.length, total }, 'audit exported');
    const stamp = new Date().toISOString().slice(0, 10);
    return { fileName: `Журнал аудита ${stamp}.csv`, base64: Buffer.from(auditCsv(rows), 'utf8').toString('base64'), rows: rows.length, truncated: total > rows.length };
  });
}
