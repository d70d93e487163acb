import { APP_HOST, APP_SCHEME } from './constants.js';

/**
 * Who may talk to us, open what, and use which device. Pure functions over strings and plain
 * objects, so every rule is unit-tested without Electron; `security.ts` and `ipc.ts` wire them.
 */

/** True for any URL of our own origin, `app://oblako/…`. */
export function isAppUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && !url.username && !url.password && url.port === '';
}

/** The parts of an IPC sender we check (`WebFrameMain` and the window's main frame fit). */
export interface FrameLike {
  readonly url: string;
  readonly processId: number;
  readonly routingId: number;
  readonly parent: unknown;
  readonly detached?: boolean;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

/**
 * An RPC message is accepted only from the top-level frame of our window, showing our origin.
 * An iframe, a navigated-away page, or another window is refused (and the caller logs it).
 */
export function checkSender(sender: FrameLike | null | undefined, mainFrame: FrameLike | null | undefined): SenderVerdict {
  if (!sender) return { ok: false, reason: 'no sender frame' };
  if (!mainFrame) return { ok: false, reason: 'window has no main frame' };
  if (sender.detached) return { ok: false, reason: 'sender frame detached' };
  if (sender.parent !== null) return { ok: false, reason: 'sender is a sub-frame' };
  if (sender.processId !== mainFrame.processId || sender.routingId !== mainFrame.routingId) {
    return { ok: false, reason: 'sender is not the main frame of our window' };
  }
  if (!isAppUrl(sender.url)) return { ok: false, reason: 'sender is not at our origin' };
  return { ok: true };
}

/**
 * Links the user may open in the system browser: https only, no credentials in the URL, the
 * host exactly one of the allowed ones (no subdomain wildcards: a look-alike subdomain is easy).
 */
export function isAllowedExternalUrl(raw: string, allowedHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  return allowedHosts.map((h) => h.toLowerCase()).includes(url.hostname.toLowerCase());
}

/** The central API's host is always allowed when it is served over https. */
export function externalHostsFor(serverUrl: string, extra: readonly string[]): string[] {
  const hosts = new Set(extra.map((h) => h.toLowerCase()));
  try {
    const url = new URL(serverUrl);
    if (url.protocol === 'https:') hosts.add(url.hostname.toLowerCase());
  } catch {
    // a bad server URL adds nothing
  }
  return [...hosts];
}

export interface PermissionQuery {
  permission: string;
  /** Requesting URL or origin, as Electron reports it. */
  requestingUrl: string;
  /** For `media`: the kinds asked for; anything but audio/video is refused. */
  mediaTypes?: readonly string[] | undefined;
  /** For a check of `media`: the single kind being checked. */
  mediaType?: string | undefined;
}

/** Camera, microphone (video consultations) and screen sharing, for our own pages only. */
export function isPermissionAllowed(q: PermissionQuery): boolean {
  if (!isAppUrl(q.requestingUrl)) return false;
  if (q.permission === 'display-capture') return true;
  if (q.permission === 'media') {
    const requested = q.mediaTypes ?? [];
    // A check (not a grant) may ask about `unknown`, e.g. to label devices in the camera picker.
    const checked = q.mediaType === undefined ? [] : q.mediaType === 'unknown' ? [] : [q.mediaType];
    return [...requested, ...checked].every((k) => k === 'audio' || k === 'video');
  }
  return false;
}
