import crypto from 'node:crypto';
import { checkEnp, checkSnils } from '../../shared/validators/index.js';
import { CENTRES, REGIONS, type Centre } from '../../shared/reference/index.js';
import type { Role } from '../../shared/domain/roles.js';
import type { Actor } from '../auth/actor.js';
import { createUser } from '../auth/accounts.js';
import { appendAudit } from '../audit/audit-log.js';
import { writeTransaction, type AppContext } from '../context.js';
import { createLogger } from '../logger.js';
import { createPatient } from '../modules/patients.js';
import { createRequest, takeRequest } from '../modules/requests.js';

const log = createLogger('demo.seed');

export const DEMO_PASSWORD = 'oblako-demo';

export const DEMO_ACCOUNTS: { login: string; role: Role; fullName: string; centre?: 'bakulev' | 'kulakov'; isDuty?: boolean }[] = [
  { login: 'demo-physician', role: 'physician', fullName: 'Петрова Анна Сергеевна (ГБУЗ «Областная больница №1»)' },
  { login: 'demo-manager', role: 'manager', fullName: 'Смирнов Олег Викторович' },
  { login: 'demo-doctor-bakulev', role: 'doctor', fullName: 'Кузнецов Дмитрий Андреевич', centre: 'bakulev' },
  { login: 'demo-doctor-kulakov', role: 'doctor', fullName: 'Орлова Елена Михайловна', centre: 'kulakov' },
  { login: 'demo-duty', role: 'doctor', fullName: 'Волков Игорь Петрович (дежурный врач)', centre: 'bakulev', isDuty: true },
  { login: 'demo-admin', role: 'admin', fullName: 'Администратор системы' },
  { login: 'demo-patient', role: 'patient', fullName: 'Иванов Сергей Николаевич' },
];

const MALE = { last: ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков', 'Алексеев'], first: ['Александр', 'Сергей', 'Дмитрий', 'Андрей', 'Алексей', 'Максим', 'Иван', 'Николай'], middle: ['Александрович', 'Сергеевич', 'Дмитриевич', 'Андреевич', 'Петрович', 'Иванович'] };
const FEMALE = { last: ['Иванова', 'Смирнова', 'Кузнецова', 'Попова', 'Васильева', 'Соколова', 'Михайлова', 'Новикова', 'Фёдорова', 'Морозова', 'Волкова', 'Лебедева'], first: ['Анна', 'Мария', 'Елена', 'Ольга', 'Наталья', 'Татьяна', 'Ирина', 'Екатерина'], middle: ['Александровна', 'Сергеевна', 'Дмитриевна', 'Андреевна', 'Петровна', 'Ивановна'] };
const COMPLAINTS = ['Одышка при физической нагрузке, учащённое сердцебиение.', 'Боли за грудиной при ходьбе, проходят в покое.', 'Перебои в работе сердца, головокружение.', 'Отёки голеней к вечеру, слабость.', 'По данным УЗИ плода выявлены изменения, требуется консультация.', 'Новообразование выявлено при плановом осмотре.'];
const ICD_BY_PROFILE_HINT: Record<string, string> = { bakulev: 'I25.1', kulakov: 'O35.0' };

/** Deterministic pseudo-random numbers, so the demo looks the same on every start. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function pick<T>(r: () => number, items: readonly T[]): T {
  const item = items[Math.floor(r() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function digits(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(r() * 10));
  return s;
}

/** A checksum-valid СНИЛС: try the 100 possible control numbers with the shared validator. */
export function makeSnils(r: () => number): string {
  const body = '1' + digits(r, 8);
  for (let c = 0; c < 100; c++) {
    const candidate = body + String(c).padStart(2, '0');
    if (checkSnils(candidate)) return candidate;
  }
  throw new Error('no СНИЛС checksum found');
}

export function makeEnp(r: () => number): string {
  const body = '7' + digits(r, 14);
  for (let c = 0; c < 10; c++) if (checkEnp(body + c)) return body + c;
  throw new Error('no ЕНП checksum found');
}

export async function demoAccountsPresent(ctx: AppContext): Promise<boolean> {
  const row = await ctx.db.kysely.selectFrom('users').select('id').where('is_demo', '=', 1).executeTakeFirst();
  return row !== undefined;
}

/** Creates the demo accounts and a few dozen realistic patients and requests. Idempotent. */
export async function seedDemo(ctx: AppContext, patientCount = 36): Promise<{ created: boolean }> {
  if (await demoAccountsPresent(ctx)) return { created: false };
  const db = ctx.db.kysely;
  const users = new Map<string, Actor>();
  for (const a of DEMO_ACCOUNTS) {
    const u = await createUser(db, { login: a.login, password: DEMO_PASSWORD, role: a.role, fullName: a.fullName, centre: a.centre ?? null, isDuty: a.isDuty ?? false, isDemo: true }, null);
    users.set(a.login, { userId: u.id, role: u.role, centre: u.centre, patientId: null, isDuty: u.isDuty, sessionId: 'seed', mustChangePassword: false });
  }
  const physician = users.get('demo-physician');
  const manager = users.get('demo-manager');
  const doctorB = users.get('demo-doctor-bakulev');
  if (!physician || !manager || !doctorB) throw new Error('demo accounts missing');

  const r = rng(20261122);
  let demoPatientId: string | null = null;
  await writeTransaction(ctx, async (w) => {
    for (let i = 0; i < patientCount; i++) {
      const centre: Centre | undefined = i % 3 === 2 ? CENTRES[1] : CENTRES[0];
      if (!centre) throw new Error('reference data has no centres');
      const profile = pick(r, centre.profiles);
      const female = centre.code === 'kulakov' || r() < 0.45;
      const names = female ? FEMALE : MALE;
      const year = profile.needsPregnancyWeeks ? 1988 + Math.floor(r() * 15) : 1945 + Math.floor(r() * 60);
      const birthDate = `${year}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
      // Two thirds referred by the demo physician, the rest entered by the manager.
      const creator = i % 3 === 1 ? manager : physician;
      const patient = await createPatient(w, creator, {
        id: crypto.randomUUID(),
        lastName: i === 0 ? 'Иванов' : pick(r, names.last),
        firstName: i === 0 ? 'Сергей' : pick(r, names.first),
        middleName: i === 0 ? 'Николаевич' : pick(r, names.middle),
        sex: i === 0 ? 'male' : female ? 'female' : 'male',
        birthDate: i === 0 ? '1961-04-12' : birthDate,
        snils: makeSnils(r),
        enp: makeEnp(r),
        phone: `+79${digits(r, 9)}`,
        region: pick(r, REGIONS).code,
        referringOrganization: 'ГБУЗ «Областная клиническая больница №1»',
        attendingPhysician: 'Петрова А. С.',
      });
      if (i === 0) demoPatientId = patient.id;
      const request = await createRequest(w, creator, {
        id: crypto.randomUUID(),
        patientId: patient.id,
        centre: centre.code,
        profile: i === 0 ? (CENTRES[0]?.profiles[2]?.code ?? profile.code) : profile.code,
        icd10: ICD_BY_PROFILE_HINT[centre.code] ?? null,
        diagnosis: profile.name,
        complaints: pick(r, COMPLAINTS),
        urgency: r() < 0.15 ? 'urgent' : 'planned',
        pregnancyWeeks: profile.needsPregnancyWeeks ? 12 + Math.floor(r() * 24) : null,
        note: null,
      });
      if (centre.code === 'bakulev' && i % 4 === 0) await takeRequest(w, doctorB, request.id);
    }
    await appendAudit(w.tx, [{ actor: null, action: 'demo.seed', result: 'ok', details: { patients: patientCount } }]);
  });
  if (demoPatientId) {
    await db.updateTable('users').set({ patient_id: demoPatientId }).where('login', '=', 'demo-patient').execute();
  }
  log.info({ patients: patientCount }, 'demo data seeded');
  return { created: true };
}
