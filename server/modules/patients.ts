import type { Kysely, Selectable } from 'kysely';
import type { Patient, PatientCreate, PatientPatch } from '../../shared/domain/patients.js';
import { PatientStage, Sex } from '../../shared/domain/patients.js';
import type { Database, PatientsTable } from '../db/schema.js';
import type { Actor } from '../auth/actor.js';
import { audienceOf } from '../auth/actor.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { isVisible } from '../sync/change-log.js';
import type { WriteScope } from '../context.js';
import { refreshPatientStage } from './patient-stage.js';

export function toPatient(row: Selectable<PatientsTable>): Patient {
  return {
    id: row.id,
    lastName: row.last_name,
    firstName: row.first_name,
    middleName: row.middle_name,
    sex: Sex.parse(row.sex),
    birthDate: row.birth_date,
    snils: row.snils,
    enp: row.enp,
    phone: row.phone,
    region: row.region,
    referringOrganization: row.referring_organization,
    attendingPhysician: row.attending_physician,
    referredBy: row.referred_by,
    stage: PatientStage.parse(row.stage),
    batchId: row.batch_id,
    batchRow: row.batch_row === null ? null : Number(row.batch_row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * DOMAIN.md duplicates: same СНИЛС, or same ЕНП, or same surname + name + birth date + phone.
 * Returns a Russian explanation of the first match, or null.
 */
export async function findDuplicate(
  db: Kysely<Database>,
  p: Pick<Patient, 'lastName' | 'firstName' | 'birthDate' | 'phone' | 'snils' | 'enp'>,
  exceptId?: string,
): Promise<string | null> {
  const base = () => db.selectFrom('patients').select('id').$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId ?? ''));
  if (p.snils && (await base().where('snils', '=', p.snils).executeTakeFirst())) return 'Пациент с таким СНИЛС уже есть в сервисе.';
  if (p.enp && (await base().where('enp', '=', p.enp).executeTakeFirst())) return 'Пациент с таким номером полиса ОМС уже есть в сервисе.';
  if (
    p.phone &&
    (await base()
      .where('last_name', '=', p.lastName)
      .where('first_name', '=', p.firstName)
      .where('birth_date', '=', p.birthDate)
      .where('phone', '=', p.phone)
      .executeTakeFirst())
  ) {
    return 'Пациент с такими фамилией, именем, датой рождения и телефоном уже есть в сервисе.';
  }
  return null;
}

const DUPLICATE_HINT = ' Если это тот же человек, руководитель проекта свяжет направление с существующей записью.';

export async function createPatient(w: WriteScope, actor: Actor, input: PatientCreate): Promise<Patient> {
  if (actor.role !== 'physician' && actor.role !== 'manager') throw forbidden();
  const exists = await w.tx.selectFrom('patients').select('id').where('id', '=', input.id).executeTakeFirst();
  if (exists) throw new AppError('CONFLICT', 'Запись с таким идентификатором уже существует. Обновите данные и повторите.');
  const dto = {
    lastName: input.lastName,
    firstName: input.firstName,
    birthDate: input.birthDate,
    phone: input.phone ?? null,
    snils: input.snils ?? null,
    enp: input.enp ?? null,
  };
  const duplicate = await findDuplicate(w.tx, dto);
  if (duplicate) throw new AppError('DUPLICATE_PATIENT', duplicate + DUPLICATE_HINT);
  const now = new Date().toISOString();
  const row = {
    id: input.id,
    last_name: input.lastName,
    first_name: input.firstName,
    middle_name: input.middleName ?? null,
    sex: input.sex,
    birth_date: input.birthDate,
    snils: dto.snils,
    enp: dto.enp,
    phone: dto.phone,
    region: input.region ?? null,
    referring_organization: input.referringOrganization ?? null,
    attending_physician: input.attendingPhysician ?? null,
    referred_by: actor.role === 'physician' ? actor.userId : null,
    created_by: actor.userId,
    created_at: now,
    updated_at: now,
    stage: 'imported',
    batch_id: null,
    batch_row: null,
  };
  await w.tx.insertInto('patients').values(row).execute();
  await w.changed('patient', [row.id]);
  const stage = await refreshPatientStage(w, row.id);
  return toPatient({ ...row, stage });
}

export async function updatePatient(w: WriteScope, actor: Actor, id: string, patch: PatientPatch): Promise<Patient> {
  if (actor.role !== 'physician' && actor.role !== 'manager') throw forbidden();
  if (!(await isVisible(w.tx, audienceOf(actor), 'patient', id))) throw notFound('Пациент');
  const current = await w.tx.selectFrom('patients').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const merged = { ...toPatient(current), ...stripUndefined(patch) };
  const duplicate = await findDuplicate(w.tx, merged, id);
  if (duplicate) throw new AppError('DUPLICATE_PATIENT', duplicate + DUPLICATE_HINT);
  const row = {
    last_name: merged.lastName,
    first_name: merged.firstName,
    middle_name: merged.middleName,
    sex: merged.sex,
    birth_date: merged.birthDate,
    snils: merged.snils,
    enp: merged.enp,
    phone: merged.phone,
    region: merged.region,
    referring_organization: merged.referringOrganization,
    attending_physician: merged.attendingPhysician,
    updated_at: new Date().toISOString(),
  };
  await w.tx.updateTable('patients').set(row).where('id', '=', id).execute();
  await w.changed('patient', [id]);
  return { ...merged, updatedAt: row.updated_at };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function getVisiblePatient(db: Kysely<Database>, actor: Actor, id: string): Promise<Patient> {
  if (!(await isVisible(db, audienceOf(actor), 'patient', id))) throw notFound('Пациент');
  const row = await db.selectFrom('patients').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Пациент');
  return toPatient(row);
}

export async function listVisiblePatients(
  db: Kysely<Database>,
  actor: Actor,
  opts: { limit: number; offset: number; q?: string | undefined },
): Promise<{ items: Patient[]; total: number }> {
  const audience = audienceOf(actor);
  if (!audience) return { items: [], total: 0 };
  const base = db
    .selectFrom('patients as p')
    .innerJoin('sync_index as s', (j) =>
      j.onRef('s.entity_id', '=', 'p.id').on('s.entity', '=', 'patient').on('s.audience', '=', audience).on('s.deleted', '=', 0),
    )
    .$if(!!opts.q, (q) => {
      const like = `${escapeLike(opts.q ?? '')}%`;
      return q.where((eb) =>
        eb.or([
          eb('p.last_name', 'like', like),
          eb('p.snils', 'like', like),
          eb('p.enp', 'like', like),
        ]),
      );
    });
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll('p').orderBy('p.last_name').orderBy('p.first_name').orderBy('p.id').limit(opts.limit).offset(opts.offset).execute();
  return { items: rows.map(toPatient), total: Number(total.n) };
}

/** Search text is literal: LIKE wildcards are dropped, since the engines disagree on escaping. */
function escapeLike(s: string): string {
  return s.replace(/[%_]/g, '');
}
