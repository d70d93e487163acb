/**
 * Names shared by the Electron modules. No `electron` import here: unit tests load this file.
 */

/** The privileged scheme the renderer is served from; `app://oblako/` is our only origin. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'oblako';
/**
 * Chromium's origin string for pages of the scheme. Node's WHATWG `URL` reports `null` as the
 * origin of a non-special scheme, so code that checks URLs compares scheme and host instead.
 */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** The one IPC channel: RPC requests in, answers and `{event, payload}` pushes out. */
export const RPC_CHANNEL = 'oblako:rpc';

/**
 * Public Ed25519 keys (base64, raw 32 bytes) whose signature on `latest*.yml` the updater accepts
 * (electron/services/update/verify.ts). The private half is kept offline by the release manager
 * and never committed; `npm run admin -- release-keygen` makes a pair. To rotate: add the new key
 * here, ship a release signed with the old key, then sign with the new one and drop the old.
 */
export const UPDATE_PUBLIC_KEYS: readonly string[] = [
  // df3409b2587c26c3 — the project's release key.
  'pj2f01oX0uD6XsxFbCLR0HfHdkghjLLsksk8lfg5fSo=',
];
