import type { PublicUser } from '../../../shared/domain/users';

// TEMPORARY SCAFFOLD: being built (issue #7).
export function ApplyPage(_props: { token: string; user: PublicUser; onExpired: () => void }) {
  return null;
}
