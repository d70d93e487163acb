/** Russian strings of the doctor's viewers screens (merged into `ru` in ru.ts). Keys are prefixed `viewers.`. */
export const ruViewers = {
} as const;
