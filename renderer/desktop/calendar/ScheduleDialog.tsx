// TEMPORARY SCAFFOLD: booking a request into the doctor's time is being built.
export function ScheduleDialog(_props: { requestId: string; opened: boolean; onClose: () => void }) {
  return null;
}
