/** Russian strings of the doctor's calendar screens (merged into `ru` in ru.ts). Keys are prefixed `calendar.`. */
export const ruCalendar = {
} as const;
