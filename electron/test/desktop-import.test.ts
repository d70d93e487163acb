import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ImportDecision } from '../../shared/domain/batch-import.js';
import { readXlsx } from '../../shared/referral/read-xlsx.js';
import type { RpcError } from '../../shared/rpc/messages.js';
import { batchRow, PASSWORD, type World } from '../../server/test/world.js';
import { desktopTestFrame, type Central, syncSettled, startDesktop, tempDataDir, waitFor, type Desktop } from './helpers.js';

/** The manager's intake and bulk import through the services, against a real central API. */
let central: Central;
let world: World;

const open = desktopTestFrame({ restartAfterEach: false }, async (c, w) => {
  central = c;
  world = w;
});

async function signedIn(login: string, dir = tempDataDir()): Promise<Desktop> {
  const desktop = await startDesktop(dir.dir);
  open.push({ desktop, cleanup: dir.cleanup });
  await desktop.rpc.call('session.signIn', { serverUrl: central.url, login, password: PASSWORD });
  return desktop;
}

async function snilsOf(patientId: string): Promise<string> {
  const p = await central.server.api.ctx.db.kysely.selectFrom('patients').select('snils').where('id', '=', patientId).executeTakeFirstOrThrow();
  if (!p.snils) throw new Error('world patient has no СНИЛС');
  return p.snils;
}

describe('manager intake and import', () => {
  it('takes in a received file, resolves duplicates, imports it to the end and reports', async () => {
    const d = await signedIn('manager');
    await syncSettled(d);
    const fileHash = crypto.randomBytes(32).toString('hex');
    // Row 3 is the world's patient A (same СНИЛС): a link candidate. Row 5 failed validation in the file.
    const rows = [batchRow(2), batchRow(3, { snils: await snilsOf(world.pA.patientId) }), batchRow(4)];
    const input = {
      title: 'Письмо из Казани, ноябрь',
      fileName: 'kazan-noyabr.xlsx',
      fileHash,
      rows,
      rejectedRows: [{ row: 5, label: 'Неверова А. П.', reason: 'СНИЛС: неверная контрольная сумма.' }],
      origin: { kind: 'file' as const, physicianId: null, region: '16', organization: 'ГАУЗ «РКБ»', referrer: 'Петрова А. С.', receivedAt: '2026-11-20T09:30:00.000Z' },
    };
    const { batchId } = await d.rpc.call('intake.submitFile', input);

    // At once in the inbox, pending, with the origin and the rejected count.
    const pending = (await d.rpc.call('batches.list')).items.find((b) => b.id === batchId);
    expect(pending).toMatchObject({ pending: true, source: 'file', region: '16', organization: 'ГАУЗ «РКБ»', referrer: 'Петрова А. С.', rowCount: 3, rejectedCount: 1, fileHash });
    // The same file again is the same batch, not a second one.
    expect(await d.rpc.call('intake.submitFile', input)).toEqual({ batchId });

    await syncSettled(d);
    const synced = await waitFor(async () => (await d.rpc.call('batches.list')).items.find((b) => b.id === batchId && !b.pending), 'the batch to reach the server');
    expect(synced).toMatchObject({ source: 'file', status: 'sent', rowCount: 3, rejectedCount: 1, fileName: 'kazan-noyabr.xlsx' });
    expect((await d.rpc.call('batches.list')).items.filter((b) => b.fileHash === fileHash)).toHaveLength(1);

    // Duplicates with the server's defaults: the СНИЛС match is linked, the others created.
    const dups = await d.rpc.call('import.duplicates', { batchId });
    const byRow = new Map(dups.rows.map((r) => [r.row, r]));
    expect(byRow.get(3)?.candidates.map((c) => c.id)).toContain(world.pA.patientId);
    expect(byRow.get(3)?.candidates.find((c) => c.id === world.pA.patientId)?.why).toContain('snils');
    // Patient A already has an open request: the server proposes to skip (a re-sent row), else to link.
    const candidate = byRow.get(3)?.candidates.find((c) => c.id === world.pA.patientId);
    expect(byRow.get(3)).toMatchObject(candidate?.openRequestId ? { defaultDecision: 'skip' } : { defaultDecision: 'link', defaultPatientId: world.pA.patientId });
    expect(byRow.get(2)).toMatchObject({ defaultDecision: 'create', candidates: [] });

    // The manager links row 3 to patient A, skips row 4 and creates row 2.
    const decisions: ImportDecision[] = [
      { row: 2, decision: 'create' },
      { row: 3, decision: 'link', patientId: world.pA.patientId },
      { row: 4, decision: 'skip' },
    ];
    expect(await d.rpc.call('import.decide', { batchId, decisions })).toEqual({ saved: 3 });
    const saved = await d.rpc.call('import.duplicates', { batchId });
    expect(saved.undecided).toEqual([]);
    expect(saved.rows.find((r) => r.row === 4)?.decision).toBe('skip');

    const started = await d.rpc.call('import.commit', { batchId });
    expect(started.total).toBe(3);
    const done = await waitFor(async () => {
      const s = await d.rpc.call('import.status', { batchId });
      return !s.running && s.status === 'imported' ? s : null;
    }, 'the import to finish');
    expect(done).toMatchObject({ done: 3, total: 3, created: 1, linked: 1, skipped: 1, error: null });
    expect(done.rows.map((r) => [r.row, r.outcome]).sort()).toEqual(expect.arrayContaining([[2, 'created'], [3, 'linked'], [4, 'skipped']]));
    expect(done.rows.find((r) => r.row === 3)?.patientId).toBe(world.pA.patientId);

    // The inbox learns the new status by sync.
    await waitFor(async () => (await d.rpc.call('batches.list')).items.find((b) => b.id === batchId && b.status === 'imported'), 'the inbox to show the batch imported');

    // The report is a real workbook that names the rejected row with its reason.
    const report = await d.rpc.call('import.report', { batchId });
    expect(report.fileName).toMatch(/\.xlsx$/);
    const workbook = await readXlsx(Buffer.from(report.base64, 'base64'));
    expect(workbook.sheets.length).toBeGreaterThan(0);
    const text = workbook.sheets.flatMap((s) => s.rows.flat()).map((c) => String(c ?? '')).join('\n');
    expect(text).toContain('Неверова');
    expect(text).toContain('контрольная сумма');
  });

  it('answers offline with a message that says what to do, and refuses a physician', async () => {
    const d = await signedIn('manager');
    await syncSettled(d);
    const phys = await signedIn('phys-a');
    await expect(phys.rpc.call('import.duplicates', { batchId: crypto.randomUUID() })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    await central.stop();
    try {
      const err = await d.rpc.call('import.duplicates', { batchId: crypto.randomUUID() }).then(
        () => null,
        (e: unknown) => e as RpcError,
      );
      expect(err?.code).toBe('SERVER_UNREACHABLE');
      expect(err?.message).toMatch(/Нет связи с сервером/);

      // Taking a file in works offline: it waits in the outbox, visible as pending.
      const { batchId } = await d.rpc.call('intake.submitFile', {
        title: 'Без связи',
        fileName: 'offline.xlsx',
        fileHash: crypto.randomBytes(32).toString('hex'),
        rows: [batchRow(2)],
        origin: { kind: 'file', physicianId: null, region: '16', organization: null, referrer: null, receivedAt: null },
      });
      expect((await d.rpc.call('batches.list')).items.find((b) => b.id === batchId)).toMatchObject({ pending: true, source: 'file', rejectedCount: 0 });
      // Its import cannot start before it has reached the server.
      await expect(d.rpc.call('import.duplicates', { batchId })).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    } finally {
      await central.restart();
    }
    await syncSettled(d);
  });
});
