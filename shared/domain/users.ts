import { z } from 'zod';
import { Id, IsoDateTime } from './ids.js';
import { Role } from './roles.js';
import { CentreCode } from './requests.js';

export const PublicUser = z.object({
  id: Id,
  login: z.string(),
  role: Role,
  fullName: z.string(),
  centre: CentreCode.nullable(),
  isDuty: z.boolean(),
  /** A centre doctor's post (for the conclusion's signature block); null for others. */
  post: z.string().nullable().default(null),
  patientId: Id.nullable(),
  mustChangePassword: z.boolean(),
  disabled: z.boolean(),
  createdAt: IsoDateTime,
});
export type PublicUser = z.infer<typeof PublicUser>;

export const Login = z
  .string()
  .trim()
  .min(3)
  .max(64)
  .regex(/^[a-zA-Z0-9._@+-]+$/, 'Логин: латинские буквы, цифры и знаки . _ @ + -');

/** Staff passwords: long enough to resist guessing; no composition rules (NIST 800-63B). */
export const NewPassword = z
  .string()
  .min(10, 'Пароль должен быть не короче 10 символов.')
  .max(256, 'Пароль слишком длинный.');

export const UserCreate = z
  .strictObject({
    login: Login,
    password: NewPassword,
    role: Role,
    fullName: z.string().trim().min(1).max(200),
    centre: CentreCode.nullable().optional(),
    isDuty: z.boolean().optional(),
    /** A centre doctor's post, printed in the conclusion's signature block. */
    post: z.string().trim().min(1).max(200).nullable().optional(),
  })
  .refine((u) => u.role !== 'doctor' || !!u.centre, {
    message: 'Врач центра должен быть привязан к центру.',
    path: ['centre'],
  })
  .refine((u) => u.role === 'doctor' || !u.centre, {
    message: 'Центр указывается только для врачей центра.',
    path: ['centre'],
  });
export type UserCreate = z.infer<typeof UserCreate>;
