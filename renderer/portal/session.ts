/**
 * The session token lives in sessionStorage, not localStorage: patients often sign in on a shared
 * or public computer (a clinic, a library, a relative's laptop), and sessionStorage is dropped when
 * the tab closes, so the next person at that browser is not signed in as them. It is also per tab,
 * which is what a bearer token sent by script (never a cookie) needs: no CSRF surface.
 */
const KEY = 'oblako.portal.session';

export interface StoredSession {
  token: string;
  expiresAt: string;
}

export function loadSession(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof s.token !== 'string' || typeof s.expiresAt !== 'string') return null;
    if (Date.parse(s.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return { token: s.token, expiresAt: s.expiresAt };
  } catch {
    return null;
  }
}

export function saveSession(s: StoredSession): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(s));
  } catch {
    // Storage disabled (private mode in some browsers): the session lasts until reload.
  }
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
}
