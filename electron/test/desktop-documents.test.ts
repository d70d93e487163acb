import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RpcError } from '../../shared/rpc/messages.js';
import { CONSENT_BASIS, PASSWORD, pdfBytes, type World } from '../../server/test/world.js';
import { desktopTestFrame, type Central, startDesktop, tempDataDir, waitFor, type Desktop } from './helpers.js';

/** Attaching a document on the patient's behalf from the physician's desktop, against a real central API. */
let central: Central;
let world: World;

const open = desktopTestFrame({ restartAfterEach: true }, async (c, w) => {
  central = c;
  world = w;
});

async function signedIn(login: string): Promise<Desktop> {
  const dir = tempDataDir();
  const desktop = await startDesktop(dir.dir);
  open.push({ desktop, cleanup: dir.cleanup });
  await desktop.rpc.call('session.signIn', { serverUrl: central.url, login, password: PASSWORD });
  await waitFor(async () => {
    const s = await desktop.rpc.call('sync.status');
    return s.state === 'online' && s.lastSyncedAt !== null;
  }, `${login} to sync`);
  return desktop;
}

const consent = { obtained: true as const, basis: CONSENT_BASIS };

describe('documents on the desktop', () => {
  it('the physician attaches a PDF; the centre doctor’s desktop lists it after sync', async () => {
    const doctor = await signedIn('doc-bakulev');
    const physician = await signedIn('phys-a');
    const bytes = pdfBytes('desktop');
    const attached = await physician.rpc.call('documents.attach', {
      patientId: world.pA.patientId,
      type: 'ecg',
      fileName: 'C:\\Сканы\\ЭКГ 12.11.pdf',
      base64: bytes.toString('base64'),
      consent,
    });
    expect(attached).toMatchObject({
      patientId: world.pA.patientId,
      type: 'ecg',
      fileName: 'ЭКГ 12.11.pdf',
      mime: 'application/pdf',
      size: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      uploadedByRole: 'physician',
      consentBasis: CONSENT_BASIS,
      pending: false,
    });
    // At once in the physician's own list.
    expect((await physician.rpc.call('documents.list', { patientId: world.pA.patientId })).items.map((d) => d.id)).toContain(attached.id);

    // The doctor's desktop gets it by the poke and pull, marked as uploaded by the physician.
    const seen = await waitFor(
      async () => (await doctor.rpc.call('documents.list', { patientId: world.pA.patientId })).items.find((d) => d.id === attached.id),
      'the document on the doctor’s desktop',
    );
    expect(seen).toMatchObject({ uploadedByRole: 'physician', uploadedByName: 'phys-a', consentBasis: CONSENT_BASIS, pending: false });
  });

  it('refuses an attachment offline with SERVER_UNREACHABLE, and nothing is queued', async () => {
    const physician = await signedIn('phys-a');
    const before = (await physician.rpc.call('documents.list', { patientId: world.pA.patientId })).items.length;
    await central.stop();
    const err = await physician.rpc
      .call('documents.attach', { patientId: world.pA.patientId, type: 'echo', fileName: 'эхокг.pdf', base64: pdfBytes().toString('base64'), consent })
      .then(
        () => null,
        (e: unknown) => e as RpcError,
      );
    expect(err?.code).toBe('SERVER_UNREACHABLE');
    expect(err?.message).toMatch(/Прикрепите его ещё раз, когда связь появится/);
    expect((await physician.rpc.call('documents.list', { patientId: world.pA.patientId })).items.length).toBe(before);
    expect((await physician.rpc.call('sync.status')).pending).toBe(0);
  });

  it('checks the file and the consent before uploading, and keeps the role rules', async () => {
    const physician = await signedIn('phys-a');
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300)]).toString('base64');
    await expect(
      physician.rpc.call('documents.attach', { patientId: world.pA.patientId, type: 'ecg', fileName: 'ecg.pdf', base64: exe, consent }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE' });
    await expect(
      physician.rpc.call('documents.attach', {
        patientId: world.pA.patientId,
        type: 'ecg',
        fileName: 'ecg.pdf',
        base64: pdfBytes().toString('base64'),
        consent: { obtained: false, basis: CONSENT_BASIS } as never,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    // Physician B's patient is not in A's store.
    await expect(
      physician.rpc.call('documents.attach', { patientId: world.pB.patientId, type: 'ecg', fileName: 'ecg.pdf', base64: pdfBytes().toString('base64'), consent }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const doctor = await signedIn('doc-kulakov');
    await expect(
      doctor.rpc.call('documents.attach', { patientId: world.pB.patientId, type: 'ecg', fileName: 'ecg.pdf', base64: pdfBytes().toString('base64'), consent }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
