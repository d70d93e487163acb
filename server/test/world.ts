import crypto from 'node:crypto';
import type { Role } from '../../shared/domain/roles.js';
import type { PatientCreateInput, RequestCreateInput } from '../../shared/domain/index.js';
import type { Actor } from '../auth/actor.js';
import { createUser } from '../auth/accounts.js';
import { writeTransaction } from '../context.js';
import { makeEnp, makeSnils } from '../demo/seed.js';
import { createPatient } from '../modules/patients.js';
import { createRequest } from '../modules/requests.js';
import { PatientCreate } from '../../shared/domain/patients.js';
import { RequestCreate } from '../../shared/domain/requests.js';
import type { ReferralBatchRow, ReferralRowFields, ReferralSubmit } from '../../shared/domain/referrals.js';
import { submitReferralBatch, validateReferralSubmit } from '../modules/referral-batches.js';
import { loginAs, type TestServer } from './harness.js';

export const PASSWORD = 'correct-horse-battery';

export interface WorldUser {
  id: string;
  login: string;
  role: Role;
  token: string;
  actor: Actor;
}

export interface World {
  physicianA: WorldUser;
  physicianB: WorldUser;
  manager: WorldUser;
  doctorBakulev: WorldUser;
  doctorKulakov: WorldUser;
  admin: WorldUser;
  patientA: WorldUser;
  patientB: WorldUser;
  /** Referred by physician A, request at Bakulev. */
  pA: { patientId: string; requestId: string };
  /** Referred by physician B, request at Kulakov. */
  pB: { patientId: string; requestId: string };
}

let seq = 0;
const r = () => Math.random();

export function patientInput(overrides: Partial<PatientCreateInput> = {}): PatientCreateInput {
  seq += 1;
  return {
    id: crypto.randomUUID(),
    lastName: 'Тестов',
    firstName: `Пациент${'абвгдежзиклмнопрстуфхцчшщэюя'[seq % 28]}`,
    middleName: 'Иванович',
    sex: 'male',
    birthDate: '1970-05-0' + ((seq % 9) + 1),
    snils: makeSnils(r),
    enp: makeEnp(r),
    phone: `+7916${String(1000000 + Math.floor(Math.random() * 8999999))}`,
    region: '77',
    ...overrides,
  };
}

export function requestInput(patientId: string, centre: 'bakulev' | 'kulakov', overrides: Partial<RequestCreateInput> = {}): RequestCreateInput {
  return {
    id: crypto.randomUUID(),
    patientId,
    centre,
    profile: centre === 'bakulev' ? 'ischemic_heart_disease' : 'female_genital_oncology',
    icd10: centre === 'bakulev' ? 'I25.1' : 'C53.9',
    diagnosis: 'Тестовый диагноз',
    complaints: 'Жалобы',
    urgency: 'planned',
    ...overrides,
  };
}

async function user(server: TestServer, login: string, role: Role, extra: { centre?: 'bakulev' | 'kulakov'; patientId?: string } = {}): Promise<WorldUser> {
  const u = await createUser(server.api.ctx.db.kysely, { login, password: PASSWORD, role, fullName: login, centre: extra.centre ?? null, patientId: extra.patientId ?? null }, null);
  const token = await loginAs(server.url, login, PASSWORD);
  return { id: u.id, login, role, token, actor: { userId: u.id, role, centre: u.centre, patientId: u.patientId, isDuty: false, sessionId: 'test', mustChangePassword: false } };
}

/** Creates a patient and a referral request directly through the domain layer, as `by`. */
export async function referral(server: TestServer, by: Actor, centre: 'bakulev' | 'kulakov', p: Partial<PatientCreateInput> = {}) {
  return writeTransaction(server.api.ctx, async (w) => {
    const patient = await createPatient(w, by, PatientCreate.parse(patientInput(p)));
    const request = await createRequest(w, by, RequestCreate.parse(requestInput(patient.id, centre)));
    return { patientId: patient.id, requestId: request.id };
  });
}

export async function buildWorld(server: TestServer): Promise<World> {
  const physicianA = await user(server, 'phys-a', 'physician');
  const physicianB = await user(server, 'phys-b', 'physician');
  const manager = await user(server, 'manager', 'manager');
  const doctorBakulev = await user(server, 'doc-bakulev', 'doctor', { centre: 'bakulev' });
  const doctorKulakov = await user(server, 'doc-kulakov', 'doctor', { centre: 'kulakov' });
  const admin = await user(server, 'admin', 'admin');
  const pA = await referral(server, physicianA.actor, 'bakulev');
  const pB = await referral(server, physicianB.actor, 'kulakov');
  const patientA = await user(server, 'patient-a', 'patient', { patientId: pA.patientId });
  const patientB = await user(server, 'patient-b', 'patient', { patientId: pB.patientId });
  return { physicianA, physicianB, manager, doctorBakulev, doctorKulakov, admin, patientA, patientB, pA, pB };
}

/** A valid referral-table row in stored form (as the desktop engine sends it). */
export function batchRow(row: number, fields: Partial<ReferralRowFields> = {}): ReferralBatchRow {
  return {
    row,
    fields: {
      lastName: 'Строкова',
      firstName: 'Анна',
      middleName: 'Петровна',
      sex: 'female',
      birthDate: '1985-03-14',
      snils: makeSnils(r),
      enp: makeEnp(r),
      phone: `+7916${String(1000000 + Math.floor(Math.random() * 8999999))}`,
      region: '16',
      referringOrganization: 'ГАУЗ «Республиканская клиническая больница»',
      attendingPhysician: 'Петрова А. С.',
      centre: 'bakulev',
      profile: 'ischemic_heart_disease',
      icd10: 'I25.1',
      diagnosis: 'ИБС',
      complaints: null,
      urgency: 'planned',
      pregnancyWeeks: null,
      note: null,
      ...fields,
    },
  };
}

export function batchInput(rows = 3, overrides: Partial<ReferralSubmit> = {}): ReferralSubmit {
  return {
    id: crypto.randomUUID(),
    title: 'Направления, ноябрь',
    fileName: 'napravleniya.xlsx',
    fileHash: crypto.randomBytes(32).toString('hex'),
    rows: Array.from({ length: rows }, (_, i) => batchRow(i + 2)),
    rejectedRows: [],
    ...overrides,
  };
}

/** Submits a batch directly through the domain layer, as physician `by`. */
export async function referralBatch(server: TestServer, by: Actor, input: ReferralSubmit = batchInput()) {
  return writeTransaction(server.api.ctx, (w) => submitReferralBatch(w, by, validateReferralSubmit(input)));
}

/** A small, real-looking PDF; `tag` makes its bytes (and hash) unique. */
export function pdfBytes(tag: string = crypto.randomUUID()): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${tag}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

export const CONSENT_BASIS = 'Письменное согласие пациента от 20.11.2026, хранится в амбулаторной карте';

/** The upload route's path with its query (the body is the file). */
export function uploadPath(
  patientId: string,
  q: { type?: string; fileName?: string; consent?: boolean; basis?: string; id?: string } = {},
): string {
  const search = new URLSearchParams({ type: q.type ?? 'ecg', fileName: q.fileName ?? 'ЭКГ от 12.11.pdf' });
  if (q.consent !== false) {
    search.set('consentObtained', 'true');
    search.set('consentBasis', q.basis ?? CONSENT_BASIS);
  }
  if (q.id) search.set('id', q.id);
  return `/api/patients/${patientId}/documents?${search.toString()}`;
}
