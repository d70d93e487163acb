import crypto from 'node:crypto';
import type { Patient } from '../../shared/domain/patients.js';
import type { ConsultationRequest } from '../../shared/domain/requests.js';
import type { PatientRow, QueueRow } from '../../shared/rpc/contract.js';
import { ServiceError } from './errors.js';
import type { Router } from './rpc/router.js';
import type { SessionManager } from './session.js';
import { listPatients, patientRow, queueRow, requestQueue, statusCounts } from './store/queries.js';

/** "Иванов И. И." — how a change is named to the user in the outbox and in rejections. */
export function shortName(p: Pick<Patient, 'lastName' | 'firstName' | 'middleName'>): string {
  const initial = (s: string | null) => (s ? `${s.trim().charAt(0).toLocaleUpperCase('ru-RU')}.` : '');
  return [p.lastName, [initial(p.firstName), initial(p.middleName)].filter(Boolean).join(' ')].filter(Boolean).join(' ');
}

const CLOSED: readonly string[] = ['cancelled', 'conclusion_issued', 'invited'];

/** The handlers that read and change patients and requests: answered from the local store. */
export function registerDataHandlers(router: Router, sessions: SessionManager): void {
  router.register('patients.list', (input) => listPatients(sessions.require().store, input));
  router.register('patients.statusCounts', () => statusCounts(sessions.require().store));
  router.register('requests.queue', (input) => {
    const { store, stored } = sessions.require();
    const { mine, ...filters } = input;
    return requestQueue(store, { ...filters, mineOf: mine ? stored.user.id : undefined });
  });

  router.register('patients.create', (input): PatientRow => {
    const { store, engine, stored } = sessions.require();
    const user = stored.user;
    // The server checks duplicates against everyone; locally we can at least catch the visible ones.
    if (input.snils && store.sql('SELECT 1 FROM patients WHERE snils = ?').get(input.snils)) {
      throw new ServiceError('DUPLICATE_PATIENT', 'Пациент с таким СНИЛС уже есть в списке. Найдите его через поиск.');
    }
    const id = crypto.randomUUID();
    const now = new Date().toISOString();
    const patient: Patient = {
      id,
      lastName: input.lastName,
      firstName: input.firstName,
      middleName: input.middleName ?? null,
      sex: input.sex,
      birthDate: input.birthDate,
      snils: input.snils ?? null,
      enp: input.enp ?? null,
      phone: input.phone ?? null,
      region: input.region ?? null,
      referringOrganization: input.referringOrganization ?? null,
      attendingPhysician: input.attendingPhysician ?? null,
      // As the server decides it: a physician refers their own patients, a manager nobody's.
      referredBy: user.role === 'physician' ? user.id : null,
      stage: 'imported',
      batchId: null,
      batchRow: null,
      createdAt: now,
      updatedAt: now,
    };
    engine.mutate({
      name: 'patient.create',
      args: { id, ...input },
      summary: `Новый пациент ${shortName(patient)}`,
      entity: 'patient',
      entityId: id,
      optimistic: { entity: 'patient', data: patient },
    });
    const row = patientRow(store, id);
    if (!row) throw new Error('created patient is not in the store');
    return row;
  });

  router.register('requests.take', (input): QueueRow => {
    const { store, engine, stored } = sessions.require();
    const user = stored.user;
    const request = store.getRequest(input.id);
    if (!request) throw new ServiceError('NOT_FOUND', 'Заявка не найдена. Обновите очередь.');
    if (request.assignedDoctorId && request.assignedDoctorId !== user.id) {
      throw new ServiceError('ALREADY_TAKEN', 'Заявку уже взял в работу другой врач. Обновите очередь.');
    }
    if (CLOSED.includes(request.status)) throw new ServiceError('INVALID_STATE', 'Заявка закрыта, взять её в работу нельзя.');
    if (request.assignedDoctorId !== user.id) {
      // What the server's takeRequest does: assign, and a new request goes under review.
      const taken: ConsultationRequest = {
        ...request,
        assignedDoctorId: user.id,
        status: request.status === 'new' ? 'under_review' : request.status,
        updatedAt: new Date().toISOString(),
      };
      const patient = store.getPatient(request.patientId);
      engine.mutate({
        name: 'request.take',
        args: { id: request.id },
        summary: patient ? `Взять в работу заявку: ${shortName(patient)}` : 'Взять заявку в работу',
        entity: 'request',
        entityId: request.id,
        optimistic: { entity: 'request', data: taken },
      });
    }
    const row = queueRow(store, request.id);
    if (!row) throw new Error('taken request is not in the store');
    return row;
  });
}
