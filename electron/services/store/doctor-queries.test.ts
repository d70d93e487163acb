import crypto from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conclusion, ConclusionDraftContent } from '../../../shared/domain/conclusions.js';
import type { PatientDocument } from '../../../shared/domain/documents.js';
import { getDraft, saveDraft, setDraftAside } from './conclusion-drafts.js';
import { patientCard } from './doctor-queries.js';
import { LocalStore } from './local-store.js';
import { requestQueue } from './queries.js';
import { patient, request, tempDir, testStoreKey } from './test-fixtures.js';

let t: ReturnType<typeof tempDir>;
let store: LocalStore;
beforeEach(() => {
  t = tempDir();
  store = LocalStore.open(path.join(t.dir, 'store.sqlite'), testStoreKey());
});
afterEach(() => {
  store.close();
  t.cleanup();
});

const doc = (patientId: string, type: PatientDocument['type']): PatientDocument => ({
  id: crypto.randomUUID(),
  patientId,
  type,
  fileName: `${type}.pdf`,
  mime: 'application/pdf',
  size: 1000,
  sha256: crypto.randomBytes(32).toString('hex'),
  uploadedBy: null,
  uploadedByRole: 'patient',
  uploadedByName: 'Пациент',
  consentBasis: null,
  consentAt: null,
  createdAt: new Date().toISOString(),
});

const content = (over: Partial<ConclusionDraftContent> = {}): ConclusionDraftContent => ({
  complaints: 'Одышка',
  anamnesis: '',
  documentsReviewed: [],
  mainDiagnosis: { icd10: 'I25.1', text: 'ИБС' },
  secondaryDiagnoses: [],
  conclusion: 'Показано плановое лечение.',
  recommendations: '',
  outcome: 'conclusion',
  proposedDates: [],
  ...over,
});

describe('the queue filters in SQL', () => {
  it('filters by profile, source, region, stage, overdue, mine and completeness of documents', () => {
    const me = crypto.randomUUID();
    const past = new Date(Date.now() - 86_400_000).toISOString();
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const a = patient({ lastName: 'Альфа', region: '16', stage: 'documents_complete', snils: '11223344595' });
    const b = patient({ lastName: 'Бета', region: '77' });
    const c = patient({ lastName: 'Гамма', region: '77' });
    const ra = request(a.id, { centre: 'bakulev', profile: 'ischemic_heart_disease', source: 'referral', dueAt: past, status: 'new' });
    const rb = request(b.id, { centre: 'bakulev', profile: 'rhythm_disorders', source: 'self_application', dueAt: future, assignedDoctorId: me, status: 'under_review' });
    const rc = request(c.id, { centre: 'bakulev', profile: 'ischemic_heart_disease', source: 'duty_booking', dueAt: past, status: 'scheduled' });
    for (const p of [a, b, c]) store.putFromServer({ entity: 'patient', data: p });
    for (const r of [ra, rb, rc]) store.putFromServer({ entity: 'request', data: r });
    for (const type of ['discharge_summary', 'ecg', 'echo'] as const) store.putFromServer({ entity: 'document', data: doc(a.id, type) });
    store.putFromServer({ entity: 'document', data: doc(b.id, 'ecg') });

    const ids = (opts: Parameters<typeof requestQueue>[1]) => requestQueue(store, opts).items.map((i) => i.request.id).sort();
    const page = { limit: 100, offset: 0 };
    expect(ids(page)).toHaveLength(3);
    expect(ids({ ...page, profile: 'ischemic_heart_disease' })).toEqual([ra.id, rc.id].sort());
    expect(ids({ ...page, source: 'self_application' })).toEqual([rb.id]);
    expect(ids({ ...page, region: '16' })).toEqual([ra.id]);
    expect(ids({ ...page, stage: 'documents_complete' })).toEqual([ra.id]);
    // A scheduled request is not overdue whatever its due date: the patient has been told.
    expect(ids({ ...page, overdue: true })).toEqual([ra.id]);
    expect(ids({ ...page, overdue: false })).toEqual([rb.id, rc.id].sort());
    expect(ids({ ...page, mineOf: me })).toEqual([rb.id]);
    expect(ids({ ...page, documentsComplete: true })).toEqual([ra.id]);
    expect(ids({ ...page, documentsComplete: false })).toEqual([rb.id, rc.id].sort());
    expect(ids({ ...page, q: '112-233-445 95' })).toEqual([ra.id]);
    expect(ids({ ...page, q: 'гамма', profile: 'ischemic_heart_disease' })).toEqual([rc.id]);
    const paged = requestQueue(store, { limit: 2, offset: 2 });
    expect(paged.total).toBe(3);
    expect(paged.items).toHaveLength(1);
  });
});

describe('the patient card', () => {
  it('marks each checklist item present or missing for the request’s profile, with cache states', () => {
    const p = patient();
    const r1 = request(p.id, { centre: 'bakulev', profile: 'ischemic_heart_disease' });
    const r2 = request(p.id, { centre: 'kulakov', profile: 'breast_pathology' });
    store.putFromServer({ entity: 'patient', data: p });
    store.putFromServer({ entity: 'request', data: r1 });
    store.putFromServer({ entity: 'request', data: r2 });
    const d = doc(p.id, 'discharge_summary');
    store.putFromServer({ entity: 'document', data: d });
    store
      .sql("INSERT INTO doc_cache (document_id, sha256, size, bytes_done, state, pinned, updated_at) VALUES (?, ?, 1000, 400, 'downloading', 1, ?)")
      .run(d.id, d.sha256, new Date().toISOString());
    const card = patientCard(store, p.id);
    expect(card).not.toBeNull();
    const c1 = card!.checklists.find((c) => c.requestId === r1.id)!;
    expect(c1.complete).toBe(false);
    expect(c1.items.map((i) => [i.type, i.required, i.present])).toEqual([
      ['discharge_summary', true, true],
      ['ecg', true, false],
      ['echo', true, false],
      ['ct_mri', false, false],
    ]);
    expect(card!.checklists.find((c) => c.requestId === r2.id)!.complete).toBe(true);
    expect(card!.documents[0]!.cache).toMatchObject({ state: 'downloading', bytesDone: 400, pinned: true });
    expect(patientCard(store, crypto.randomUUID())).toBeNull();
  });
});

describe('conclusion drafts', () => {
  it('saves, overwrites and reads back one draft per request', () => {
    const requestId = crypto.randomUUID();
    expect(getDraft(store, requestId)).toBeNull();
    saveDraft(store, { requestId, consultationId: null, correctsId: null, content: content({ complaints: 'первое' }) });
    saveDraft(store, { requestId, consultationId: null, correctsId: null, content: content({ complaints: 'второе' }) });
    expect(getDraft(store, requestId)?.content.complaints).toBe('второе');
  });

  it('a draft set aside at issue is gone while pending and once accepted, back when refused', () => {
    const p = patient();
    const r = request(p.id);
    store.putFromServer({ entity: 'patient', data: p });
    store.putFromServer({ entity: 'request', data: r });
    const conclusion = (id: string): Conclusion => ({
      id,
      requestId: r.id,
      patientId: p.id,
      consultationId: null,
      centre: r.centre,
      version: 1,
      content: { ...content(), mainDiagnosis: { icd10: 'I25.1', text: 'ИБС' } },
      outcome: 'conclusion',
      doctorId: crypto.randomUUID(),
      doctorName: 'Врач',
      doctorPost: '',
      issuedAt: new Date().toISOString(),
      verificationCode: '0'.repeat(64),
      pdfSha256: '0'.repeat(64),
      supersededBy: null,
      correctsId: null,
    });
    const issue = (id: string) =>
      store.mutate({ name: 'conclusion.issue', args: {}, summary: 'x', entity: 'conclusion', entityId: id, optimistic: { entity: 'conclusion', data: conclusion(id) } }, () =>
        setDraftAside(store, r.id, id),
      );

    saveDraft(store, { requestId: r.id, consultationId: null, correctsId: null, content: content({ complaints: 'отказ' }) });
    const refusedId = crypto.randomUUID();
    const m1 = issue(refusedId);
    expect(getDraft(store, r.id)).toBeNull();
    store.applyPushResults([{ id: m1, status: 'rejected', error: { code: 'VALIDATION_FAILED', message: 'нет' }, replayed: false }], m1);
    expect(getDraft(store, r.id)?.content.complaints).toBe('отказ');

    const acceptedId = crypto.randomUUID();
    const m2 = issue(acceptedId);
    store.applyPushResults([{ id: m2, status: 'applied', result: conclusion(acceptedId), replayed: false }], m2);
    expect(getDraft(store, r.id)).toBeNull();
    expect(store.getMeta(`conclusion_draft_aside:${r.id}:${acceptedId}`)).toBeNull();
  });
});
