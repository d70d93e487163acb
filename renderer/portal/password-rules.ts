import { NewPassword } from '../../shared/domain/users';

/**
 * The rules a new password must meet, checked as the patient types: the contract's NewPassword
 * (length; the limits read from the schema itself, so they cannot drift) and the two the server
 * adds on change (not the current password, not containing the login).
 */
export const PASSWORD_MIN = NewPassword.minLength ?? 10;
export const PASSWORD_MAX = NewPassword.maxLength ?? 256;

export type RuleId = 'length' | 'differs' | 'login' | 'repeat';

export interface RuleState {
  id: RuleId;
  ok: boolean;
}

export function checkRules(input: { current: string; next: string; repeat: string; login: string }): RuleState[] {
  const { current, next, repeat, login } = input;
  return [
    { id: 'length', ok: NewPassword.safeParse(next).success },
    { id: 'differs', ok: next.length > 0 && next !== current },
    { id: 'login', ok: next.length > 0 && (login === '' || !next.toLowerCase().includes(login.toLowerCase())) },
    { id: 'repeat', ok: next.length > 0 && next === repeat },
  ];
}
