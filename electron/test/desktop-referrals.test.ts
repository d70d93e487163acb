import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RpcError } from '../../shared/rpc/messages.js';
import { PASSWORD } from '../../server/test/world.js';
import { buildReferralTemplate } from '../services/xlsx/template.js';
import { desktopTestFrame, type Central, openStoreDb, syncSettled, startDesktop, tempDataDir, waitFor, type Desktop } from './helpers.js';

/** The physician's referral tables through the services, against a real central API. */
let central: Central;

const open = desktopTestFrame({ restartAfterEach: false }, async (c) => {
  central = c;
});

async function signedIn(login: string, dir = tempDataDir()): Promise<Desktop> {
  const desktop = await startDesktop(dir.dir);
  open.push({ desktop, cleanup: dir.cleanup });
  await desktop.rpc.call('session.signIn', { serverUrl: central.url, login, password: PASSWORD });
  return desktop;
}


const row = (n: number, over: Record<string, string> = {}) => ({
  row: n,
  excluded: false,
  cells: {
    lastName: `Табличный${'абвгдежзик'[n % 10]}`,
    firstName: 'Семён',
    middleName: 'Ильич',
    sex: 'м',
    birthDate: `0${(n % 9) + 1}.03.1975`,
    snils: '112-233-445 95',
    phone: '+7 912 345-67-89',
    region: 'Республика Татарстан',
    referringOrganization: 'ГАУЗ «РКБ»',
    attendingPhysician: 'Иванова А. А.',
    centre: 'НМИЦ ССХ им. А.Н. Бакулева',
    profile: 'Ишемическая болезнь сердца',
    icd10: 'I25.1',
    diagnosis: 'ИБС, стенокардия напряжения',
    urgency: 'плановая',
    ...over,
  },
});

describe('referral tables', () => {
  it('a draft survives a restart, cannot be sent with errors, and reaches the manager exactly once', async () => {
    const dir = tempDataDir();
    let d = await signedIn('phys-a', dir);
    await syncSettled(d);
    const draft = await d.rpc.call('drafts.create', { title: 'Направления, ноябрь' });
    // Row 2 repeats row 1's СНИЛС (a duplicate) and has a bad phone.
    await d.rpc.call('drafts.save', { id: draft.id, title: draft.title, rows: [row(1), row(2, { phone: '123' })] });

    // Restart the services: the draft is in the local store.
    await d.close();
    open.splice(0);
    d = await startDesktop(dir.dir);
    open.push({ desktop: d, cleanup: dir.cleanup });
    const reopened = await d.rpc.call('drafts.get', { id: draft.id });
    expect(reopened.rows).toHaveLength(2);

    const err = await d.rpc.call('drafts.send', { id: draft.id }).then(
      () => null,
      (e: unknown) => e as RpcError,
    );
    expect(err?.code).toBe('VALIDATION_FAILED');
    expect(err?.issues?.map((i) => i.path).sort()).toEqual(['2.phone', '2.snils']);

    // The physician fixes row 2 (another patient's СНИЛС) and excludes a third, broken row.
    await d.rpc.call('drafts.save', {
      id: draft.id,
      title: draft.title,
      rows: [row(1), row(2, { snils: '123-456-789 64', lastName: 'Другой' }), { ...row(3, { birthDate: 'никогда' }), excluded: true }],
    });
    const sent = await d.rpc.call('drafts.send', { id: draft.id });
    const again = await d.rpc.call('drafts.send', { id: draft.id });
    expect(again.batchId).toBe(sent.batchId);
    await expect(d.rpc.call('drafts.save', { id: draft.id, title: 'x', rows: [] })).rejects.toMatchObject({ code: 'INVALID_STATE' });

    const mine = await d.rpc.call('batches.list');
    expect(mine.items.map((b) => b.id)).toContain(sent.batchId);
    await syncSettled(d);

    const status = await d.rpc.call('referrals.status', { stage: 'sent' });
    expect(status.items.filter((r) => r.batchId === sent.batchId).map((r) => r.batchRow).sort()).toEqual([1, 2]);

    const manager = await signedIn('manager');
    await syncSettled(manager);
    const seen = await waitFor(async () => (await manager.rpc.call('batches.list')).items.find((b) => b.id === sent.batchId), 'the batch at the manager');
    expect(seen).toMatchObject({ rowCount: 2, status: 'sent', title: 'Направления, ноябрь' });
    const onServer = await central.server.api.ctx.db.kysely.selectFrom('referral_batches').select('id').where('id', '=', sent.batchId).execute();
    expect(onServer).toHaveLength(1);
  });

  it('reads a messy file into grid rows, remembering a confirmed mapping per layout', async () => {
    const d = await signedIn('phys-a');
    const template = await d.rpc.call('referral.template');
    expect(Buffer.from(template.base64, 'base64').subarray(0, 2).toString()).toBe('PK');
    // The template itself reads back as an empty table.
    const read = await d.rpc.call('referral.readFile', { jobId: crypto.randomUUID(), fileName: template.fileName, base64: buildReferralTemplate().toString('base64') });
    expect(read.summary.valid).toBe(0);
    expect(read.columns.filter((c) => c.target).length).toBeGreaterThanOrEqual(19);
    await d.rpc.call('referral.rememberMapping', { signature: read.signature, mapping: read.columns.map((c) => ({ index: c.index, target: c.target as never })) });
    const again = await d.rpc.call('referral.readFile', { jobId: crypto.randomUUID(), fileName: template.fileName, base64: template.base64 });
    expect(again.remembered).toBe(true);
    await expect(d.rpc.call('referral.readFile', { jobId: crypto.randomUUID(), fileName: 'x.xlsx', base64: Buffer.from('not a zip').toString('base64') })).rejects.toMatchObject({ code: 'FILE_REJECTED' });
  });

  it('sending refuses repeated row numbers and more rows than one batch may hold, with a clear message', async () => {
    const d = await signedIn('phys-a');
    const draft = await d.rpc.call('drafts.create', { title: 'Повторы' });
    await d.rpc.call('drafts.save', { id: draft.id, title: draft.title, rows: [row(1), row(2, { snils: '123-456-789 64', lastName: 'Другой' }), row(2, { snils: '', lastName: 'Третий' })] });
    const dup = await d.rpc.call('drafts.send', { id: draft.id }).then(() => null, (e: unknown) => e as RpcError);
    expect(dup?.code).toBe('VALIDATION_FAILED');
    expect(dup?.message).toMatch(/повторяются номера строк: 2/);
    const many = Array.from({ length: 5001 }, (_, i) => ({ row: i + 1, excluded: false, cells: { lastName: 'Много' } }));
    await d.rpc.call('drafts.save', { id: draft.id, title: draft.title, rows: many });
    const big = await d.rpc.call('drafts.send', { id: draft.id }).then(() => null, (e: unknown) => e as RpcError);
    expect(big?.code).toBe('VALIDATION_FAILED');
    expect(big?.message).toBe('В таблице 5001 строк; за один раз можно отправить не более 5000 — разделите таблицу.');
    expect((await d.rpc.call('drafts.get', { id: draft.id })).sentBatchId).toBeNull();
  });

  it('drafts.send announces the batch only after the outbox row and the "sent" mark have committed', async () => {
    const dir = tempDataDir();
    const d = await signedIn('phys-a', dir);
    await syncSettled(d);
    const [file] = fs.readdirSync(dir.dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('store.sqlite'));
    if (!file) throw new Error('no local store');
    // Another connection sees only committed data.
    const reader = openStoreDb(dir.dir, path.join(dir.dir, file), path.basename(path.dirname(file)), { readonly: true });
    try {
      const draft = await d.rpc.call('drafts.create', { title: 'После фиксации' });
      await d.rpc.call('drafts.save', { id: draft.id, title: draft.title, rows: [row(1, { snils: '987-654-321 83', lastName: 'Фиксированный' })] });
      const seen: { sent: string | null; queued: number }[] = [];
      const unsubscribe = d.services.bus.subscribe((event, payload) => {
        if (event !== 'data.changed' || !(payload as { entities: string[] }).entities.includes('batch') || seen.length > 0) return;
        const sent = reader.prepare('SELECT sent_batch_id FROM drafts WHERE id = ?').get(draft.id) as { sent_batch_id: string | null };
        const queued = reader.prepare("SELECT COUNT(*) AS n FROM outbox WHERE name = 'referral.submit'").get() as { n: number };
        seen.push({ sent: sent.sent_batch_id, queued: queued.n });
      });
      const { batchId } = await d.rpc.call('drafts.send', { id: draft.id });
      unsubscribe();
      expect(seen[0]).toEqual({ sent: batchId, queued: 1 });
      await syncSettled(d);
    } finally {
      reader.close();
    }
  });

  it('only a physician has drafts; a doctor is refused', async () => {
    const d = await signedIn('doc-bakulev');
    await expect(d.rpc.call('drafts.list')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
