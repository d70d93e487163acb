import type { RequestSource, RequestStatus } from '../../shared/domain/requests';
import type { Role } from '../../shared/domain/roles';
import type { PublicUser } from '../../shared/domain/users';
import type { PatientStage, Sex } from '../../shared/domain/patients';
import type { BatchStatus } from '../../shared/domain/referrals';
import { CENTRES } from '../../shared/reference/centres';
import { t } from '../i18n';

/**
 * Labels for domain values. The orders below are the pipeline order; `satisfies` keeps them in
 * step with the domain types (type-only imports, so the validators behind the domain schemas
 * stay out of the bundle).
 */
export const STATUS_ORDER = [
  'new',
  'under_review',
  'scheduled',
  'consulted',
  'conclusion_issued',
  'invited',
  'cancelled',
] as const satisfies readonly RequestStatus[];

/** Statuses where the due date still binds: the patient has not been told when yet. */
export const OPEN_STATUSES: readonly RequestStatus[] = ['new', 'under_review'];

export const STATUS_COLOR = {
  new: 'blue',
  under_review: 'yellow',
  scheduled: 'violet',
  consulted: 'teal',
  conclusion_issued: 'green',
  invited: 'cyan',
  cancelled: 'gray',
} as const satisfies Record<RequestStatus, string>;

export const statusLabel = (s: RequestStatus) => t(`status.${s}`);
export const sourceLabel = (s: RequestSource) => t(`source.${s}`);
export const sexLabel = (s: Sex) => t(`sex.${s}`);
export const roleLabel = (r: Role) => t(`role.${r}`);
/** The role as the header and the lock screen show it: «Врач центра, дежурный» for the duty doctor. */
export const roleText = (u: Pick<PublicUser, 'role' | 'isDuty'>) => (u.role === 'doctor' && u.isDuty ? `${roleLabel(u.role)}, ${t('role.dutySuffix')}` : roleLabel(u.role));

export function centreName(code: string): string {
  return CENTRES.find((c) => c.code === code)?.shortName ?? code;
}

export function profileName(centre: string, profile: string): string {
  const c = CENTRES.find((x) => x.code === centre);
  return c?.profiles.find((p) => p.code === profile)?.name ?? profile;
}

export function isOverdue(dueAt: string, status: RequestStatus, now = Date.now()): boolean {
  return OPEN_STATUSES.includes(status) && new Date(dueAt).getTime() < now;
}

export const STAGE_COLOR = {
  sent: 'gray',
  imported: 'blue',
  credentials_sent: 'indigo',
  signed_in: 'grape',
  documents_complete: 'cyan',
  under_review: 'yellow',
  scheduled: 'violet',
  consulted: 'teal',
  conclusion_issued: 'green',
  invited: 'lime',
  cancelled: 'red',
} as const satisfies Record<PatientStage, string>;

export const stageLabel = (s: PatientStage) => t(`stage.${s}`);
export const batchStatusLabel = (s: BatchStatus) => t(`batchStatus.${s}`);
