import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Patient } from '../../../shared/domain/patients.js';
import type { ConsultationRequest } from '../../../shared/domain/requests.js';

/**
 * A fixed store key for tests that reopen a store: a fresh Buffer each call, because the store
 * that is given a key wipes it on close.
 */
export function testStoreKey(): Buffer {
  return Buffer.alloc(32, 0x5a);
}

/** Helpers for the store's unit tests: a temp directory per test, and valid rows. */
export function tempDir(): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-store-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function patient(overrides: Partial<Patient> = {}): Patient {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    lastName: 'Иванов',
    firstName: 'Иван',
    middleName: 'Иванович',
    sex: 'male',
    birthDate: '1970-01-01',
    snils: null,
    enp: null,
    phone: '+79161234567',
    region: '77',
    referringOrganization: null,
    attendingPhysician: null,
    referredBy: null,
    stage: 'imported',
    batchId: null,
    batchRow: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function request(patientId: string, overrides: Partial<ConsultationRequest> = {}): ConsultationRequest {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    patientId,
    centre: 'bakulev',
    profile: 'ischemic_heart_disease',
    source: 'referral',
    status: 'new',
    icd10: null,
    diagnosis: null,
    complaints: null,
    urgency: 'planned',
    pregnancyWeeks: null,
    note: null,
    referredBy: null,
    assignedDoctorId: null,
    dueAt: now,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}
