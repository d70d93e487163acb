import crypto from 'node:crypto';
import type { Consultation } from '../../shared/domain/consultations.js';
import type { ConsultationRequest } from '../../shared/domain/requests.js';
import type { Rejection } from '../../shared/rpc/contract.js';
import { ServiceError } from './errors.js';
import { createLogger } from './logger.js';
import type { EventBus } from './rpc/events.js';
import type { Router } from './rpc/router.js';
import type { ActiveSession, SessionManager } from './session.js';
import {
  findClash,
  getConsultation,
  listCalendar,
  patientNames,
  pendingScheduling,
  revertToServer,
  scheduledForRequest,
  shortPatientName,
  touchedBy,
  writeLocalConsultation,
  writeLocalRequestStatus,
  type Touched,
} from './store/calendar-queries.js';
import type { LocalStore } from './store/local-store.js';

const log = createLogger('calendar');

/** «25.11 14:00» in Moscow time, as the server writes it. */
function moscow(iso: string): string {
  return new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

function window(startsAt: string, durationMinutes: number): { startsAt: string; endsAt: string } {
  const start = Date.parse(startsAt);
  if (!(start > Date.now())) {
    const message = 'Время консультации должно быть в будущем.';
    throw new ServiceError('VALIDATION_FAILED', message, [{ path: 'startsAt', message }]);
  }
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + durationMinutes * 60_000).toISOString() };
}

/**
 * The centre doctor's calendar: read from the local store; booking, rescheduling, cancelling and
 * completing are optimistic local changes queued for the server (so they work offline and are
 * delivered on reconnect). An overlap with the doctor's own calendar is refused at once; the
 * server checks again (a colleague's change or a duty slot may have arrived meanwhile) and a
 * refusal there undoes the local change, side rows included.
 */
export function registerCalendarHandlers(router: Router, sessions: SessionManager, bus: EventBus): void {
  // Per store: which rows each queued scheduling change touched, to undo them if it is refused.
  const touched = new WeakMap<LocalStore, Map<number, Touched>>();
  const refresh = (store: LocalStore) => {
    const known = touched.get(store) ?? new Map<number, Touched>();
    for (const [id, t] of pendingScheduling(store)) known.set(id, t);
    touched.set(store, known);
    return known;
  };
  const active = (): ActiveSession | null => {
    try {
      return sessions.require();
    } catch {
      return null;
    }
  };

  bus.subscribe((event, payload) => {
    const s = active();
    if (!s) return;
    if (event === 'sync.status') {
      refresh(s.store);
    } else if (event === 'sync.rejected') {
      const r = payload as Rejection;
      const map = touched.get(s.store);
      const t = map?.get(r.mutationId);
      if (!t || !map) return;
      map.delete(r.mutationId);
      try {
        revertToServer(s.store, t);
        bus.emit('data.changed', { entities: ['consultation', 'request'] });
      } catch (err) {
        log.error({ err }, 'could not undo a refused scheduling change');
      }
    }
  });

  const queue = (
    s: ActiveSession,
    m: { name: 'request.schedule' | 'consultation.reschedule' | 'consultation.cancel' | 'consultation.complete'; args: Record<string, unknown>; summary: string; optimistic: Consultation },
    also: () => void,
    touchesRequest: boolean,
  ) => {
    const id = s.engine.mutate({ name: m.name, args: m.args, summary: m.summary, entity: 'consultation', entityId: m.optimistic.id, optimistic: { entity: 'consultation', data: m.optimistic } }, also);
    refresh(s.store).set(id, touchedBy(m.name, m.args, m.optimistic.id));
    if (touchesRequest) bus.emit('data.changed', { entities: ['request'] });
  };

  const nameOf = (store: LocalStore, patientId: string) => {
    const p = store.getPatient(patientId);
    return p ? shortPatientName(p) : null;
  };

  const refuseClash = (store: LocalStore, doctorId: string, startsAt: string, endsAt: string, exceptId?: string) => {
    const clash = findClash(store, doctorId, startsAt, endsAt, exceptId);
    if (!clash) return;
    const who = nameOf(store, clash.patientId);
    throw new ServiceError(
      'CONFLICT',
      `У вас уже назначена консультация с ${moscow(clash.startsAt)} до ${moscow(clash.endsAt)} (МСК)${who ? `, пациент ${who}` : ''}: выберите другое время.`,
    );
  };

  const ownScheduled = (s: ActiveSession, id: string): Consultation => {
    const c = getConsultation(s.store, id);
    if (!c) throw new ServiceError('NOT_FOUND', 'Консультация не найдена. Обновите календарь.');
    if (c.doctorId !== s.stored.user.id) throw new ServiceError('FORBIDDEN', 'Консультацию ведёт другой врач: изменить её может только он.');
    if (c.status !== 'scheduled') throw new ServiceError('INVALID_STATE', c.status === 'cancelled' ? 'Консультация уже отменена.' : 'Консультация уже проведена: изменить её нельзя.');
    return c;
  };

  /** The request after the consultation leaves `scheduled` (cancelled → review again, held → consulted). */
  const requestAfter = (store: LocalStore, c: Consultation, status: 'under_review' | 'consulted', now: string): ConsultationRequest | null => {
    const r = store.getRequest(c.requestId);
    if (!r || r.status !== 'scheduled') return null;
    const other = scheduledForRequest(store, c.requestId);
    if (status === 'under_review' && other && other.id !== c.id) return null;
    return { ...r, status, updatedAt: now };
  };

  router.register('calendar.list', (input) => {
    const s = sessions.require();
    refresh(s.store);
    const consultations = listCalendar(s.store, s.stored.user.id, new Date(input.from).toISOString(), new Date(input.to).toISOString());
    return { consultations, patientNames: patientNames(s.store, consultations.map((c) => c.patientId)) };
  });

  router.register('consultations.schedule', (input) => {
    const s = sessions.require();
    const { store } = s;
    const user = s.stored.user;
    const request = store.getRequest(input.requestId);
    if (!request) throw new ServiceError('NOT_FOUND', 'Заявка не найдена. Обновите очередь.');
    if (request.assignedDoctorId && request.assignedDoctorId !== user.id) {
      throw new ServiceError('ALREADY_TAKEN', 'Заявку ведёт другой врач: консультацию назначает он. Обновите очередь.');
    }
    if (request.status === 'scheduled' || scheduledForRequest(store, request.id)) {
      throw new ServiceError('INVALID_STATE', 'Консультация по заявке уже назначена. Чтобы изменить время, перенесите её в календаре.');
    }
    if (request.status !== 'new' && request.status !== 'under_review') {
      throw new ServiceError('INVALID_STATE', 'Заявка на этом этапе: назначить консультацию нельзя.');
    }
    const { startsAt, endsAt } = window(input.startsAt, input.durationMinutes);
    refuseClash(store, user.id, startsAt, endsAt);
    const now = new Date().toISOString();
    const consultation: Consultation = {
      id: crypto.randomUUID(),
      requestId: request.id,
      patientId: request.patientId,
      doctorId: user.id,
      doctorName: user.fullName,
      centre: request.centre,
      kind: 'regular',
      startsAt,
      endsAt,
      status: 'scheduled',
      cancelReason: null,
      cancelledBy: null,
      rescheduledFrom: null,
      createdAt: now,
      updatedAt: now,
    };
    const scheduled: ConsultationRequest = { ...request, status: 'scheduled', assignedDoctorId: user.id, updatedAt: now };
    const who = nameOf(store, request.patientId);
    queue(
      s,
      {
        name: 'request.schedule',
        args: { id: request.id, consultationId: consultation.id, startsAt, durationMinutes: input.durationMinutes },
        summary: `Консультация ${moscow(startsAt)} (МСК)${who ? `: ${who}` : ''}`,
        optimistic: consultation,
      },
      () => writeLocalRequestStatus(store, scheduled),
      true,
    );
    return consultation;
  });

  router.register('consultations.reschedule', (input) => {
    const s = sessions.require();
    const { store } = s;
    const old = ownScheduled(s, input.id);
    const { startsAt, endsAt } = window(input.startsAt, input.durationMinutes);
    refuseClash(store, s.stored.user.id, startsAt, endsAt, old.id);
    const now = new Date().toISOString();
    const fresh: Consultation = { ...old, id: crypto.randomUUID(), startsAt, endsAt, status: 'scheduled', cancelReason: null, cancelledBy: null, rescheduledFrom: old.id, createdAt: now, updatedAt: now };
    const cancelled: Consultation = { ...old, status: 'cancelled', cancelReason: input.reason, cancelledBy: 'doctor', updatedAt: now };
    const who = nameOf(store, old.patientId);
    queue(
      s,
      {
        name: 'consultation.reschedule',
        args: { id: old.id, newId: fresh.id, startsAt, durationMinutes: input.durationMinutes, reason: input.reason },
        summary: `Перенос консультации на ${moscow(startsAt)} (МСК)${who ? `: ${who}` : ''}`,
        optimistic: fresh,
      },
      () => writeLocalConsultation(store, cancelled),
      false,
    );
    return fresh;
  });

  router.register('consultations.cancel', (input) => {
    const s = sessions.require();
    const { store } = s;
    const c = ownScheduled(s, input.id);
    const now = new Date().toISOString();
    const cancelled: Consultation = { ...c, status: 'cancelled', cancelReason: input.reason, cancelledBy: 'doctor', updatedAt: now };
    const request = requestAfter(store, cancelled, 'under_review', now);
    const who = nameOf(store, c.patientId);
    queue(
      s,
      { name: 'consultation.cancel', args: { id: c.id, reason: input.reason }, summary: `Отмена консультации ${moscow(c.startsAt)} (МСК)${who ? `: ${who}` : ''}`, optimistic: cancelled },
      () => {
        if (request) writeLocalRequestStatus(store, request);
      },
      request !== null,
    );
    return cancelled;
  });

  router.register('consultations.complete', (input) => {
    const s = sessions.require();
    const { store } = s;
    const c = ownScheduled(s, input.id);
    const now = new Date().toISOString();
    const done: Consultation = { ...c, status: 'completed', updatedAt: now };
    const request = requestAfter(store, done, 'consulted', now);
    const who = nameOf(store, c.patientId);
    queue(
      s,
      { name: 'consultation.complete', args: { id: c.id }, summary: `Консультация проведена ${moscow(c.startsAt)} (МСК)${who ? `: ${who}` : ''}`, optimistic: done },
      () => {
        if (request) writeLocalRequestStatus(store, request);
      },
      request !== null,
    );
    return done;
  });
}
