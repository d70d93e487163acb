import crypto from 'node:crypto';
import { ConclusionContent, type Conclusion, type ConclusionDraftContent, type ConclusionIssue } from '../../shared/domain/conclusions.js';
import type { Consultation } from '../../shared/domain/consultations.js';
import { normaliseIcd10 } from '../../shared/reference/icd10.js';
import { conclusionVerificationCode, type ConclusionFacts } from '../../shared/conclusion/verification.js';
import { shortName } from './data-handlers.js';
import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import type { EventBus } from './rpc/events.js';
import type { Router } from './rpc/router.js';
import type { ActiveSession, SessionManager } from './session.js';
import { getDraft, saveDraft, setDraftAside } from './store/conclusion-drafts.js';
import { requestConclusions } from './store/doctor-queries.js';
import { renderDraftPreview } from './conclusion-preview.js';

const log = createLogger('conclusions');

export interface Issue {
  path: string;
  message: string;
}

const ICD_SHAPE = 'Код МКБ-10 не распознан: буква и две цифры, например I25 или I25.1.';

/**
 * What «Выдать» checks before anything is queued: the draft as the doctor left it, tidied
 * (codes normalised, empty extra rows dropped), against the issued content's schema. Every
 * problem is named by the field path the editor shows it on (`mainDiagnosis.icd10`,
 * `secondaryDiagnoses.1.text`, `conclusion`, `proposedDates`), in Russian.
 */
export function checkDraftForIssue(draft: ConclusionDraftContent): { content: ConclusionContent | null; issues: Issue[] } {
  const issues: Issue[] = [];
  const diagnosis = (d: { icd10: string; text: string } | null, at: string, main: boolean) => {
    const raw = d?.icd10.trim() ?? '';
    const code = raw ? normaliseIcd10(raw) : null;
    if (!raw) issues.push({ path: `${at}.icd10`, message: main ? 'Укажите код МКБ-10 основного диагноза.' : 'Укажите код МКБ-10 или удалите эту строку.' });
    else if (!code) issues.push({ path: `${at}.icd10`, message: ICD_SHAPE });
    const text = d?.text.trim() ?? '';
    if (!text) issues.push({ path: `${at}.text`, message: main ? 'Напишите основной диагноз словами.' : 'Напишите диагноз словами или удалите эту строку.' });
    return { icd10: code ?? raw, text };
  };
  const mainDiagnosis = diagnosis(draft.mainDiagnosis, 'mainDiagnosis', true);
  const secondaryDiagnoses = draft.secondaryDiagnoses
    .map((d, i) => ({ d, i }))
    .filter(({ d }) => d.icd10.trim() !== '' || d.text.trim() !== '')
    .map(({ d, i }) => diagnosis(d, `secondaryDiagnoses.${i}`, false));
  const conclusion = draft.conclusion.trim();
  if (!conclusion) issues.push({ path: 'conclusion', message: 'Напишите заключение.' });
  const proposedDates = draft.outcome === 'invitation' ? [...new Set(draft.proposedDates)].sort() : [];
  if (draft.outcome === 'invitation' && proposedDates.length === 0) {
    issues.push({ path: 'proposedDates', message: 'Для приглашения на очный приём предложите хотя бы одну дату.' });
  }
  const candidate = {
    complaints: draft.complaints.trim(),
    anamnesis: draft.anamnesis.trim(),
    documentsReviewed: draft.documentsReviewed.map((d) => ({ documentId: d.documentId, title: d.title.trim() })).filter((d) => d.title !== ''),
    mainDiagnosis,
    secondaryDiagnoses,
    conclusion,
    recommendations: draft.recommendations.trim(),
    outcome: draft.outcome,
    proposedDates,
  };
  if (issues.length > 0) return { content: null, issues };
  const parsed = ConclusionContent.safeParse(candidate);
  if (!parsed.success) {
    return { content: null, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  }
  return { content: parsed.data, issues: [] };
}

function facts(session: ActiveSession, c: Conclusion): ConclusionFacts {
  const { store } = session;
  const patient = store.getPatient(c.patientId);
  const consultation = c.consultationId
    ? (store.sql('SELECT data FROM consultations WHERE id = ?').get(c.consultationId) as { data: string } | undefined)
    : undefined;
  return {
    requestId: c.requestId,
    version: c.version,
    centre: c.centre,
    patient: {
      lastName: patient?.lastName ?? '',
      firstName: patient?.firstName ?? '',
      middleName: patient?.middleName ?? null,
      birthDate: patient?.birthDate ?? '',
      snils: patient?.snils ?? null,
    },
    doctor: { name: c.doctorName, post: c.doctorPost },
    consultationDate: consultation ? (JSON.parse(consultation.data) as Consultation).startsAt : null,
    issuedAt: c.issuedAt,
    content: c.content,
  };
}

/** Conclusions: drafts (local), issuing (queued, the server renders and signs), PDFs. */
export function registerConclusionHandlers(router: Router, sessions: SessionManager, _bus: EventBus): void {
  router.register('conclusions.getDraft', (input) => getDraft(sessions.require().store, input.requestId));

  router.register('conclusions.saveDraft', (input) => {
    const { store } = sessions.require();
    if (!store.getRequest(input.requestId)) throw new ServiceError('NOT_FOUND', 'Заявка не найдена на этом компьютере. Дождитесь синхронизации.');
    return saveDraft(store, input);
  });

  router.register('conclusions.issue', async (input) => {
    const session = sessions.require();
    const { store, engine, stored } = session;
    const request = store.getRequest(input.requestId);
    if (!request) throw new ServiceError('NOT_FOUND', 'Заявка не найдена на этом компьютере. Дождитесь синхронизации.');
    const existing = requestConclusions(store, request.id);
    if (existing.some((c) => c.pending)) {
      throw new ServiceError('CONFLICT', 'Заключение по этой заявке уже отправлено и ждёт подтверждения сервера. Дождитесь синхронизации.');
    }
    const draft = getDraft(store, input.requestId);
    if (!draft) throw new ServiceError('NOT_FOUND', 'Черновик заключения не найден: напишите заключение и выдайте его снова.');
    const current = existing.find((c) => c.supersededBy === null);
    if (draft.correctsId === null && current) {
      throw new ServiceError('INVALID_STATE', `По заявке уже выдано заключение (версия ${current.version}). Чтобы изменить его, нажмите «Исправить» у выданного заключения.`);
    }
    if (draft.correctsId !== null && (!current || current.id !== draft.correctsId)) {
      throw new ServiceError('CONFLICT', 'Исправляемая версия заключения уже не последняя. Откройте карточку пациента и исправьте последнюю версию.');
    }
    const checked = checkDraftForIssue(draft.content);
    if (!checked.content) {
      throw new ServiceError('VALIDATION_FAILED', 'Заключение заполнено не полностью: исправьте отмеченные поля и выдайте снова.', checked.issues);
    }
    const content = checked.content;
    const id = crypto.randomUUID();
    const now = new Date().toISOString();
    const user = stored.user;
    // Provisional until the server answers: it signs, renders the PDF and stamps the final time.
    const conclusion: Conclusion = {
      id,
      requestId: request.id,
      patientId: request.patientId,
      consultationId: draft.consultationId,
      centre: request.centre,
      version: Math.max(0, ...existing.map((c) => c.version)) + 1,
      content,
      outcome: content.outcome,
      doctorId: user.id,
      doctorName: user.fullName,
      doctorPost: user.post ?? '',
      issuedAt: now,
      verificationCode: '0'.repeat(64),
      pdfSha256: '0'.repeat(64),
      supersededBy: null,
      correctsId: draft.correctsId,
    };
    conclusion.verificationCode = await conclusionVerificationCode(facts(session, conclusion));
    const args: ConclusionIssue = { id, requestId: request.id, consultationId: draft.consultationId, content, correctsId: draft.correctsId };
    const patient = store.getPatient(request.patientId);
    engine.mutate(
      {
        name: 'conclusion.issue',
        args,
        summary: patient ? `Заключение: ${shortName(patient)}` : 'Заключение',
        entity: 'conclusion',
        entityId: id,
        optimistic: { entity: 'conclusion', data: conclusion },
      },
      () => setDraftAside(store, request.id, id),
    );
    log.info({ requestId: request.id, version: conclusion.version, correction: draft.correctsId !== null }, 'conclusion queued');
    return { ...conclusion, pending: true };
  });

  router.register('conclusions.preview', async (input) => {
    const session = sessions.require();
    const { store, stored } = session;
    const request = store.getRequest(input.requestId);
    if (!request) throw new ServiceError('NOT_FOUND', 'Заявка не найдена на этом компьютере. Дождитесь синхронизации.');
    const draft = getDraft(store, input.requestId);
    if (!draft) throw new ServiceError('NOT_FOUND', 'Черновик заключения не найден: начните писать заключение.');
    const existing = requestConclusions(store, request.id);
    const patient = store.getPatient(request.patientId);
    const consultation = draft.consultationId
      ? (store.sql('SELECT data FROM consultations WHERE id = ?').get(draft.consultationId) as { data: string } | undefined)
      : undefined;
    const bytes = await renderDraftPreview({
      requestId: request.id,
      version: Math.max(0, ...existing.map((c) => c.version)) + 1,
      centre: request.centre,
      patient: {
        lastName: patient?.lastName ?? '',
        firstName: patient?.firstName ?? '',
        middleName: patient?.middleName ?? null,
        birthDate: patient?.birthDate ?? '',
        snils: patient?.snils ?? null,
      },
      doctor: { name: stored.user.fullName, post: stored.user.post ?? '' },
      consultationDate: consultation ? (JSON.parse(consultation.data) as Consultation).startsAt : null,
      issuedAt: new Date().toISOString(),
      content: draft.content,
      correctsVersion: draft.correctsId ? (existing.find((c) => c.id === draft.correctsId)?.version ?? null) : null,
      publicUrl: stored.serverUrl,
    });
    const name = patient ? shortName(patient).replace(/[^\p{L}\p{N} .-]+/gu, '') : 'пациент';
    return { fileName: `Черновик заключения — ${name}.pdf`, base64: Buffer.from(bytes).toString('base64') };
  });

  router.register('conclusions.pdf', async (input) => {
    const { api, store } = sessions.require();
    const row = store.sql('SELECT data FROM conclusions WHERE id = ?').get(input.id) as { data: string } | undefined;
    if (row && store.isPending('conclusion', input.id)) {
      throw new ServiceError('INVALID_STATE', 'Заключение ещё не принято сервером: PDF будет доступен после синхронизации.');
    }
    const res = await api.getBytes('getConclusionPdf', { params: { id: input.id } });
    const c = row ? (JSON.parse(row.data) as Conclusion) : null;
    return { fileName: res.fileName ?? `Заключение${c ? `, версия ${c.version}` : ''}.pdf`, base64: res.bytes.toString('base64') };
  });
}
