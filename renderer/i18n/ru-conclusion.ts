/** Russian strings of the doctor's conclusion screens (merged into `ru` in ru.ts). Keys are prefixed `conclusion.`. */
export const ruConclusion = {
} as const;
