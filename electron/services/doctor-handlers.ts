import { ServiceError } from './errors.js';
import type { EventBus } from './rpc/events.js';
import type { Router } from './rpc/router.js';
import type { SessionManager } from './session.js';
import { patientCard } from './store/doctor-queries.js';

/** The patient card: answered from the local store, so a doctor can review a patient offline. */
export function registerDoctorHandlers(router: Router, sessions: SessionManager, _bus: EventBus): void {
  router.register('patients.card', (input) => {
    const card = patientCard(sessions.require().store, input.patientId);
    if (!card) throw new ServiceError('NOT_FOUND', 'Пациент не найден на этом компьютере. Дождитесь синхронизации и откройте карточку снова.');
    return card;
  });
}
