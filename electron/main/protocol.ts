import fs from 'node:fs/promises';
import { protocol } from 'electron';
import { createLogger } from '../services/logger.js';
import { APP_SCHEME } from './constants.js';
import { buildCsp } from '../services/security/csp.js';
import { resolveRendererPath, responseHeaders } from './protocol-paths.js';

const log = createLogger('electron.protocol');

/**
 * `app://oblako/` serves the renderer build. A standard, secure scheme gives the page a real
 * origin (storage, fetch, permissions keyed to it) instead of `file://`'s shared one.
 * Must run before `app` is ready.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
    },
  ]);
}

/** Installs the handler (after `ready`). `serverUrl` feeds the CSP's connect-src. */
export function handleAppScheme(rendererRoot: string, serverUrl: string): void {
  const csp = buildCsp(serverUrl);
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const resolved = resolveRendererPath(rendererRoot, request.url);
    if ('status' in resolved) {
      log.warn({ url: request.url, status: resolved.status }, 'refused app:// request');
      return new Response(null, { status: resolved.status });
    }
    try {
      const body = await fs.readFile(resolved.file);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: responseHeaders(resolved.file, csp) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EISDIR') log.error({ err: e, url: request.url }, 'app:// read failed');
      return new Response(null, { status: 404 });
    }
  });
}
