/** Portal strings of the access pages (merged into `ruPortal` in i18n.ts); keys prefixed `access.`. */
export const ruPortalAccess = {
} as const;
