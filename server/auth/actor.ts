import type { Role } from '../../shared/domain/roles.js';

/** Who is calling: resolved from the session on every request. */
export interface Actor {
  userId: string;
  role: Role;
  centre: string | null;
  patientId: string | null;
  isDuty: boolean;
  sessionId: string;
  mustChangePassword: boolean;
}

/**
 * The sync audience a user belongs to. Visibility of patient data is one rule everywhere (REST
 * lists, single reads, sync pulls): a row is visible to an actor iff the sync index holds a live
 * entry for the actor's audience. Admins administer; they have no patient-data audience.
 */
export function audienceOf(actor: Pick<Actor, 'role' | 'userId' | 'centre' | 'patientId'>): string | null {
  switch (actor.role) {
    case 'manager':
      return 'manager';
    case 'physician':
      return `physician:${actor.userId}`;
    case 'doctor':
      return actor.centre ? `centre:${actor.centre}` : null;
    case 'patient':
      return actor.patientId ? `patient:${actor.patientId}` : null;
    case 'admin':
      return null;
  }
}
