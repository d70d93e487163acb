import { describe, expect, it } from 'vitest';
import type { RequestSource } from '../../shared/domain/requests.js';
import { RequestCreate } from '../../shared/domain/requests.js';
import { PatientCreate } from '../../shared/domain/patients.js';
import type { RpcInput } from '../../shared/rpc/contract.js';
import type { RpcError } from '../../shared/rpc/messages.js';
import { writeTransaction } from '../../server/context.js';
import { createPatient } from '../../server/modules/patients.js';
import { createRequest } from '../../server/modules/requests.js';
import { call } from '../../server/test/harness.js';
import { PASSWORD, patientInput, pdfBytes, requestInput, uploadPath, type World } from '../../server/test/world.js';
import { desktopTestFrame, type Central, startDesktop, syncSettled, tempDataDir, waitFor, type Desktop } from './helpers.js';

/** The centre doctor's desktop: the queue with its filters, the patient card, conclusions. */
let central: Central;
let world: World;

/** Extra Bakulev requests, made before any desktop syncs (an overdue one is back-dated then). */
const extra: Record<'rhythm' | 'self' | 'duty' | 'overdue', { patientId: string; requestId: string; snils: string }> = {} as never;

async function addRequest(source: RequestSource, profile: string, region: string) {
  const input = patientInput({ region });
  const created = await writeTransaction(central.api!.ctx, async (w) => {
    // Physician A's patients, so the physician may upload their documents; the source is as given.
    const actor = world.physicianA.actor;
    const p = await createPatient(w, actor, PatientCreate.parse(input));
    const r = await createRequest(w, actor, RequestCreate.parse(requestInput(p.id, 'bakulev', { profile, icd10: profile === 'rhythm_disorders' ? 'I48' : 'I25.1' })), source);
    return { patientId: p.id, requestId: r.id };
  });
  return { ...created, snils: PatientCreate.parse(input).snils ?? '' };
}

const open = desktopTestFrame({ restartAfterEach: true }, async (c, w) => {
  central = c;
  world = w;
  extra.rhythm = await addRequest('referral', 'rhythm_disorders', '16');
  extra.self = await addRequest('self_application', 'ischemic_heart_disease', '77');
  extra.duty = await addRequest('duty_booking', 'ischemic_heart_disease', '77');
  extra.overdue = await addRequest('referral', 'ischemic_heart_disease', '50');
  await central.api!.ctx.db.kysely
    .updateTable('consultation_requests')
    .set({ due_at: new Date(Date.now() - 3 * 86_400_000).toISOString() })
    .where('id', '=', extra.overdue.requestId)
    .execute();
});

async function signedIn(login: string, dir = tempDataDir()): Promise<Desktop> {
  const desktop = await startDesktop(dir.dir);
  open.push({ desktop, cleanup: dir.cleanup });
  await desktop.rpc.call('session.signIn', { serverUrl: central.url, login, password: PASSWORD });
  await syncSettled(desktop);
  return desktop;
}

async function rejected(p: Promise<unknown>): Promise<RpcError> {
  return p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as RpcError,
  );
}

async function upload(patientId: string, type: string): Promise<void> {
  const res = await call(central.url, 'POST', uploadPath(patientId, { type, fileName: `${type}.pdf` }), { token: world.physicianA.token, bytes: pdfBytes() });
  expect(res.status).toBe(200);
}

const ids = async (d: Desktop, filters: RpcInput<'requests.queue'>) =>
  (await d.rpc.call('requests.queue', filters)).items.map((i) => i.request.id).sort();

describe('the centre doctor’s queue', () => {
  it('lists the centre’s requests from all sources and filters them in the local store', async () => {
    const doctor = await signedIn('doc-bakulev');
    const all = await doctor.rpc.call('requests.queue', {});
    expect(all.total).toBe(5);
    expect(all.items.every((i) => i.request.centre === 'bakulev')).toBe(true);
    expect(new Set(all.items.map((i) => i.request.source))).toEqual(new Set(['referral', 'self_application', 'duty_booking']));
    // Sorted by due date: the back-dated one first.
    expect(all.items[0]?.request.id).toBe(extra.overdue.requestId);

    expect(await ids(doctor, { profile: 'rhythm_disorders' })).toEqual([extra.rhythm.requestId]);
    expect(await ids(doctor, { source: 'self_application' })).toEqual([extra.self.requestId]);
    expect(await ids(doctor, { source: 'duty_booking' })).toEqual([extra.duty.requestId]);
    expect(await ids(doctor, { region: '16' })).toEqual([extra.rhythm.requestId]);
    expect(await ids(doctor, { overdue: true })).toEqual([extra.overdue.requestId]);
    expect(await ids(doctor, { q: extra.self.snils })).toEqual([extra.self.requestId]);
    expect((await doctor.rpc.call('requests.queue', { limit: 2, offset: 4 })).items).toHaveLength(1);

    // Take one: it is «mine» at once (pending), and stays so once the server has it.
    expect(await ids(doctor, { mine: true })).toEqual([]);
    const taken = await doctor.rpc.call('requests.take', { id: extra.rhythm.requestId });
    expect(taken.request.assignedDoctorId).toBe(world.doctorBakulev.id);
    expect(await ids(doctor, { mine: true })).toEqual([extra.rhythm.requestId]);
    await syncSettled(doctor);
    expect(await ids(doctor, { mine: true, status: 'under_review' })).toEqual([extra.rhythm.requestId]);

    // Documents complete: all of the cardiac profile's required documents uploaded.
    expect(await ids(doctor, { documentsComplete: true })).toEqual([]);
    for (const type of ['discharge_summary', 'ecg', 'echo']) await upload(extra.duty.patientId, type);
    await waitFor(async () => (await ids(doctor, { documentsComplete: true })).includes(extra.duty.requestId), 'documents complete after the uploads');
    expect(await ids(doctor, { documentsComplete: false })).not.toContain(extra.duty.requestId);
  });
});

describe('the patient card', () => {
  it('shows the request’s checklist, and a document uploaded later turns its item present', async () => {
    const doctor = await signedIn('doc-bakulev');
    const card = await doctor.rpc.call('patients.card', { patientId: extra.self.patientId });
    expect(card.patient.id).toBe(extra.self.patientId);
    expect(card.requests.map((r) => r.id)).toEqual([extra.self.requestId]);
    const checklist = card.checklists[0]!;
    expect(checklist.requestId).toBe(extra.self.requestId);
    expect(checklist.complete).toBe(false);
    expect(checklist.items.find((i) => i.type === 'ecg')).toMatchObject({ label: 'ЭКГ', required: true, present: false });
    expect(checklist.items.find((i) => i.type === 'ct_mri')).toMatchObject({ required: false, present: false });

    await upload(extra.self.patientId, 'ecg');
    const after = await waitFor(async () => {
      const c = await doctor.rpc.call('patients.card', { patientId: extra.self.patientId });
      return c.checklists[0]!.items.find((i) => i.type === 'ecg')?.present ? c : null;
    }, 'the ECG to be present');
    expect(after.documents).toHaveLength(1);
    expect(after.documents[0]).toMatchObject({ type: 'ecg', fileName: 'ecg.pdf', pending: false });
    expect(after.checklists[0]!.complete).toBe(false);

    const err = await rejected(doctor.rpc.call('patients.card', { patientId: world.pB.patientId }));
    expect(err.code).toBe('NOT_FOUND');
  });
});

describe('conclusions', () => {
  const content = {
    complaints: 'Одышка при нагрузке',
    anamnesis: 'Болеет 3 года',
    documentsReviewed: [{ documentId: null, title: 'Выписка из стационара от 01.10.2026' }],
    mainDiagnosis: { icd10: 'i25,1', text: 'Атеросклеротическая болезнь сердца' },
    secondaryDiagnoses: [],
    conclusion: 'Показано плановое оперативное лечение.',
    recommendations: 'Наблюдение кардиолога',
    outcome: 'conclusion' as const,
    proposedDates: [],
  };

  it('keeps the draft across a restart of the desktop, and refuses to issue an incomplete one with field issues', async () => {
    const dir = tempDataDir();
    const first = await signedIn('doc-bakulev', dir);
    expect(await first.rpc.call('conclusions.getDraft', { requestId: extra.duty.requestId })).toBeNull();
    await first.rpc.call('conclusions.saveDraft', { requestId: extra.duty.requestId, consultationId: null, correctsId: null, content: { ...content, conclusion: '' } });
    await first.close();
    open.splice(open.findIndex((o) => o.desktop === first), 1);

    const second = await startDesktop(dir.dir);
    open.push({ desktop: second, cleanup: dir.cleanup });
    const draft = await second.rpc.call('conclusions.getDraft', { requestId: extra.duty.requestId });
    expect(draft?.content).toMatchObject({ complaints: 'Одышка при нагрузке', mainDiagnosis: { icd10: 'i25,1' }, conclusion: '' });

    const err = await rejected(second.rpc.call('conclusions.issue', { requestId: extra.duty.requestId }));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.issues?.map((i) => i.path)).toEqual(['conclusion']);
    expect(await second.rpc.call('conclusions.getDraft', { requestId: extra.duty.requestId })).not.toBeNull();

    // The preview is rendered here, offline too, as a draft.
    await central.stop();
    const preview = await second.rpc.call('conclusions.preview', { requestId: extra.duty.requestId });
    expect(preview.fileName).toMatch(/^Черновик заключения.*\.pdf$/);
    expect(Buffer.from(preview.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('issues offline as pending; once online the central API has the conclusion and it syncs back', async () => {
    const doctor = await signedIn('doc-bakulev');
    const requestId = extra.overdue.requestId;
    await doctor.rpc.call('conclusions.saveDraft', { requestId, consultationId: null, correctsId: null, content });
    await central.stop();
    const issued = await doctor.rpc.call('conclusions.issue', { requestId });
    expect(issued).toMatchObject({ requestId, version: 1, pending: true, outcome: 'conclusion', doctorId: world.doctorBakulev.id });
    expect(issued.content.mainDiagnosis.icd10).toBe('I25.1');
    expect(await doctor.rpc.call('conclusions.getDraft', { requestId })).toBeNull();
    const card = await doctor.rpc.call('patients.card', { patientId: extra.overdue.patientId });
    expect(card.conclusions.map((c) => [c.id, c.pending])).toEqual([[issued.id, true]]);
    // A second issue while the first is pending is refused rather than doubled.
    const twice = await rejected(doctor.rpc.call('conclusions.issue', { requestId }));
    expect(twice.code).toBe('CONFLICT');

    await central.restart();
    await doctor.rpc.call('sync.now');
    await syncSettled(doctor);
    const rejections = await doctor.rpc.call('sync.rejections');
    expect(rejections.items.map((r) => `${r.name}: ${r.error.code} ${r.error.message}`)).toEqual([]);
    const onServer = await central.api!.ctx.db.kysely.selectFrom('conclusions').select(['id', 'version', 'request_id']).where('request_id', '=', requestId).execute();
    expect(onServer).toEqual([{ id: issued.id, version: 1, request_id: requestId }]);
    const synced = await waitFor(async () => {
      const c = await doctor.rpc.call('patients.card', { patientId: extra.overdue.patientId });
      const mine = c.conclusions.find((x) => x.id === issued.id);
      return mine && !mine.pending ? mine : null;
    }, 'the issued conclusion to sync back');
    expect(synced.verificationCode).toMatch(/^[0-9a-f]{64}$/);
    expect(synced.pdfSha256).not.toBe('0'.repeat(64));

    const pdf = await doctor.rpc.call('conclusions.pdf', { id: issued.id });
    expect(Buffer.from(pdf.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // A second conclusion is refused; a correction makes version 2 and keeps version 1.
    await doctor.rpc.call('conclusions.saveDraft', { requestId, consultationId: null, correctsId: null, content });
    expect((await rejected(doctor.rpc.call('conclusions.issue', { requestId }))).code).toBe('INVALID_STATE');
    await doctor.rpc.call('conclusions.saveDraft', { requestId, consultationId: null, correctsId: issued.id, content: { ...content, recommendations: 'Исправлено' } });
    const corrected = await doctor.rpc.call('conclusions.issue', { requestId });
    expect(corrected).toMatchObject({ version: 2, correctsId: issued.id, pending: true });
    await syncSettled(doctor);
    const versions = await waitFor(async () => {
      const c = await doctor.rpc.call('patients.card', { patientId: extra.overdue.patientId });
      return c.conclusions.length === 2 && c.conclusions.every((x) => !x.pending) && c.conclusions.find((x) => x.version === 1)?.supersededBy ? c.conclusions : null;
    }, 'both versions after the correction');
    expect(versions.map((v) => [v.version, v.supersededBy, v.correctsId])).toEqual([
      [2, null, issued.id],
      [1, corrected.id, null],
    ]);
  });
});
