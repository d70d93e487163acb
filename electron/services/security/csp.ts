/**
 * The Content-Security-Policy of every page of the desktop UI: sent by the Electron shell with
 * `app://oblako/` and by the browser-mode host, so both run under one policy. Pure, unit-tested.
 *
 * The renderer reaches the desktop services through IPC, not the network; the only direct
 * connections it may make are to the central API (video-call signalling, live events), over
 * https/wss — plain http/ws only when the configured server itself is plain http (development on
 * 127.0.0.1).
 */
export function connectSources(serverUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return [];
  }
  if (url.protocol === 'https:') return [`https://${url.host}`, `wss://${url.host}`];
  if (url.protocol === 'http:') return [`http://${url.host}`, `ws://${url.host}`];
  return [];
}

/** `extraConnect`: the browser-mode host's own WebSocket origin. */
export function buildCsp(serverUrl: string, extraConnect: readonly string[] = []): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'none'"],
    // No 'unsafe-eval', no 'unsafe-inline': scripts are the Vite bundle, nothing else.
    ['script-src', "'self'"],
    // Mantine writes its CSS variables into a <style> element at runtime.
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'", 'data:'],
    ['media-src', "'self'", 'blob:'],
    ['worker-src', "'self'", 'blob:'],
    ['connect-src', "'self'", ...extraConnect, ...connectSources(serverUrl)],
    ['object-src', "'none'"],
    ['frame-src', "'none'"],
    ['frame-ancestors', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}
