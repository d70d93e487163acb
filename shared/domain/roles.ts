import { z } from 'zod';

export const ROLES = ['physician', 'manager', 'doctor', 'patient', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Roles that work in the desktop app and sync a local store. */
export const STAFF_ROLES = ['physician', 'manager', 'doctor'] as const satisfies readonly Role[];

export const ROLE_LABELS = {
  physician: 'Лечащий врач (регион)',
  manager: 'Руководитель проекта',
  doctor: 'Врач центра',
  patient: 'Пациент',
  admin: 'Администратор',
} as const satisfies Record<Role, string>;
