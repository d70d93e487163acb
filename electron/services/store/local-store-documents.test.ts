import crypto from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PatientDocument } from '../../../shared/domain/documents.js';
import { LocalStore } from './local-store.js';
import { tempDir, testStoreKey } from './test-fixtures.js';

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

const doc = (patientId: string, over: Partial<PatientDocument> = {}): PatientDocument => ({
  id: crypto.randomUUID(),
  patientId,
  type: 'ecg',
  fileName: 'ЭКГ.pdf',
  mime: 'application/pdf',
  size: 1234,
  sha256: crypto.randomBytes(32).toString('hex'),
  uploadedBy: crypto.randomUUID(),
  uploadedByRole: 'physician',
  uploadedByName: 'Петрова А. С.',
  consentBasis: 'Письменное согласие',
  consentAt: '2026-11-20T10:00:00.000Z',
  createdAt: '2026-11-20T10:00:00.000Z',
  ...over,
});

describe('LocalStore documents', () => {
  it('pulls document metadata per patient, newest first, and drops it on a tombstone', () => {
    const patientId = crypto.randomUUID();
    const older = doc(patientId, { createdAt: '2026-11-01T00:00:00.000Z' });
    const newer = doc(patientId, { createdAt: '2026-11-02T00:00:00.000Z' });
    const other = doc(crypto.randomUUID());
    store.applyPull(
      [older, newer, other].map((d) => ({ op: 'put' as const, entity: 'document' as const, id: d.id, data: d })),
      3,
    );
    expect(store.listDocuments(patientId).map((d) => d.id)).toEqual([newer.id, older.id]);
    store.applyPull([{ op: 'del', entity: 'document', id: newer.id }], 4);
    expect(store.listDocuments(patientId)).toEqual([older]);
  });

  it('keeps a document the server answered with directly, and a later pull of it is the same row', () => {
    const d = doc(crypto.randomUUID());
    store.putFromServer({ entity: 'document', data: d });
    store.applyPull([{ op: 'put', entity: 'document', id: d.id, data: d }], 1);
    expect(store.listDocuments(d.patientId)).toEqual([d]);
  });
});
