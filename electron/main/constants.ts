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
