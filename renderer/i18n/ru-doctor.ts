/** Russian strings of the doctor's doctor screens (merged into `ru` in ru.ts). Keys are prefixed `doctor.`. */
export const ruDoctor = {
} as const;
