/**
 * The central API's address as one canonical string — `https://host[:port]`, lower-case, default
 * port dropped, nothing after it — so one server always has one local data folder, and a
 * session token never travels in clear text to a remote host: plain http is for this machine
 * only (development, the demo, the browser-mode tests). Null when the address is not acceptable.
 */
export function normalizeServerUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || url.search || url.hash) return null;
  if (url.pathname !== '/' && url.pathname !== '') return null;
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) return null;
  return url.origin;
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
