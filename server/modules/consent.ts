import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { Database } from '../db/schema.js';
import { AppError, forbidden } from '../errors.js';

/**
 * Consent to processing of personal data (152-ФЗ: health data is a special category, processed
 * with the patient's written consent on record). The text is versioned: a new text needs a new
 * consent, and every consent given is kept with who, when and which version.
 */
export const CONSENT_VERSION = '2026-11';

export const CONSENT_TITLE = 'Согласие на обработку персональных данных';

export const CONSENT_TEXT = [
  'Я даю согласие оператору сервиса телеконсультаций «Облако здоровья» и федеральным научным центрам, участвующим в программе (НМИЦ ССХ им. А.Н. Бакулева, НМИЦ АГП им. В.И. Кулакова), на обработку моих персональных данных: фамилии, имени, отчества, пола, даты рождения, номера телефона, СНИЛС и полиса ОМС, а также сведений о состоянии здоровья — диагнозов, жалоб, медицинских документов, которые я или мой лечащий врач загружаем в сервис, записей консультаций и заключений врачей.',
  'Цель обработки — проведение телемедицинских консультаций по программе: рассмотрение заявки врачом центра, назначение консультации, её проведение, подготовка и выдача заключения, уведомления по SMS и в личном кабинете. Данные хранятся на серверах в России и не передаются третьим лицам, кроме врачей центра, к которому обращена заявка, и направившего меня врача.',
  'Данные хранятся в течение срока, установленного для медицинской документации, а сведения, не вошедшие в неё, — не дольше, чем нужно для целей обработки. Каждое обращение к моим данным записывается в журнал.',
  'Я вправе знать, какие мои данные обрабатываются, требовать их уточнения, а также отозвать согласие, написав оператору через личный кабинет или по адресу, указанному на сайте программы. После отзыва согласия новые данные не принимаются, а уже полученные обрабатываются только в объёме, который требует закон (например, хранение медицинской документации).',
  'Без согласия нельзя загружать документы и подавать заявки в личном кабинете.',
].join('\n\n');

export function consentText(): { version: string; title: string; text: string } {
  return { version: CONSENT_VERSION, title: CONSENT_TITLE, text: CONSENT_TEXT };
}

export interface ConsentRecord {
  version: string | null;
  at: string | null;
  current: boolean;
}

/** The latest consent the patient gave, and whether it is to the current text. */
export async function consentOf(db: Kysely<Database>, patientId: string): Promise<ConsentRecord> {
  const row = await db
    .selectFrom('patient_consents')
    .select(['version', 'given_at'])
    .where('patient_id', '=', patientId)
    .orderBy('given_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return { version: null, at: null, current: false };
  return { version: row.version, at: row.given_at, current: row.version === CONSENT_VERSION };
}

export const CONSENT_REQUIRED_MESSAGE =
  'Сначала дайте согласие на обработку персональных данных: откройте раздел «Согласие» в личном кабинете, прочитайте текст и подтвердите. После этого можно загружать документы и подавать заявки.';

/** Refuses, with a message that says what to do, unless the patient agreed to the current text. */
export async function requireConsent(db: Kysely<Database>, patientId: string): Promise<ConsentRecord> {
  const record = await consentOf(db, patientId);
  if (!record.current) {
    throw new AppError(
      'CONSENT_REQUIRED',
      record.version
        ? `Текст согласия на обработку персональных данных обновился. Прочитайте новую редакцию в личном кабинете и подтвердите согласие, затем повторите.`
        : CONSENT_REQUIRED_MESSAGE,
    );
  }
  return record;
}

/** Records the patient's consent to the current version (agreeing again to it changes nothing). */
export async function giveConsent(tx: Kysely<Database>, actor: Actor, version: string, ip: string | null): Promise<{ record: ConsentRecord; created: boolean }> {
  if (actor.role !== 'patient' || !actor.patientId) throw forbidden();
  if (version !== CONSENT_VERSION) {
    throw new AppError('CONFLICT', 'Текст согласия обновился, пока он был открыт. Обновите страницу, прочитайте новую редакцию и подтвердите снова.');
  }
  const existing = await consentOf(tx, actor.patientId);
  if (existing.current) return { record: existing, created: false };
  const at = new Date().toISOString();
  await tx
    .insertInto('patient_consents')
    .values({ id: crypto.randomUUID(), patient_id: actor.patientId, user_id: actor.userId, version, given_at: at, ip })
    .execute();
  return { record: { version, at, current: true }, created: true };
}
