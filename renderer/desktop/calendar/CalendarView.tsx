import type { PublicUser } from '../../../shared/domain/users';

// TEMPORARY SCAFFOLD: the doctor's calendar is being built.
export function CalendarView(_props: { user: PublicUser }) {
  return null;
}
