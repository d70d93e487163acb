/** Portal strings of the care pages (merged into `ruPortal` in i18n.ts); keys prefixed `care.`. */
export const ruPortalCare = {
} as const;
