import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLogger } from '../logger.js';

const log = createLogger('http.portal');

/**
 * The patient portal, served at the site root (`publicUrl` in the credentials SMS points there).
 *
 * Vite builds the portal as a second entry of the renderer: `dist/renderer/portal/index.html`,
 * with its chunks in `dist/renderer/assets/` beside the desktop's (shared chunks are shared).
 * Only the files the portal's page reaches (followed through its chunks) are served, from memory:
 * the desktop's index and chunks never are, and no request path ever reaches the file system, so
 * there is nothing to traverse. Everything under /api stays the API's (routes and its JSON 404).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `OBLAKO_PORTAL_DIR` points at another renderer build (tests, packaged deployments). */
export function defaultRendererDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.OBLAKO_PORTAL_DIR ?? path.join(ROOT, 'dist', 'renderer'));
}

/**
 * Mantine writes its CSS variables into a <style> element and sets style attributes at runtime,
 * hence 'unsafe-inline' for styles only; scripts are the bundle and nothing else. The portal talks
 * to its own origin only (the API is on it).
 */
export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};
const TEXT = new Set(['.js', '.mjs', '.css', '.svg']);

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

interface Bundle {
  mtimeMs: number;
  index: StaticFile;
  assets: Map<string, StaticFile>;
}

const etagOf = (b: Buffer) => `"${crypto.createHash('sha256').update(b).digest('base64url').slice(0, 27)}"`;

/**
 * Reads the built portal: its page, and every asset named (transitively) by the page or by an
 * asset already taken. Names are content-hashed, so a name found in a chunk is a real reference.
 */
function readBundle(rendererDir: string, indexFile: string, mtimeMs: number): Bundle {
  const assetsDir = path.join(rendererDir, 'assets');
  // With `base: './'` the page refers to ../assets/; at / and at SPA-fallback depths it must be absolute.
  const html = fs.readFileSync(indexFile, 'utf8').replaceAll('../assets/', '/assets/');
  const names = fs.existsSync(assetsDir)
    ? fs.readdirSync(assetsDir).filter((n) => Object.hasOwn(TYPES, path.extname(n)) && fs.statSync(path.join(assetsDir, n)).isFile())
    : [];
  const assets = new Map<string, StaticFile>();
  const queue = [html];
  while (queue.length > 0) {
    const text = queue.pop() ?? '';
    for (const name of names) {
      if (assets.has(name) || !text.includes(name)) continue;
      const body = fs.readFileSync(path.join(assetsDir, name));
      const ext = path.extname(name);
      assets.set(name, { body, type: TYPES[ext] ?? 'application/octet-stream', etag: etagOf(body) });
      if (TEXT.has(ext)) queue.push(body.toString('utf8'));
    }
  }
  const index = Buffer.from(html, 'utf8');
  log.info({ assets: assets.size }, 'portal bundle loaded');
  return { mtimeMs, index: { body: index, type: 'text/html; charset=utf-8', etag: etagOf(index) }, assets };
}

const NOT_BUILT = `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Облако здоровья — портал пациента не собран</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Портал пациента ещё не собран</h1>
<p>Сервер работает, но файлы портала не найдены. Администратору: соберите интерфейс командой
<code>npm run build:renderer</code> в каталоге программы и обновите эту страницу.</p>
<p>Программный интерфейс (API) по адресу <code>/api/</code> доступен.</p>
</body></html>
`;

/** A static page for the administrator: no scripts at all, its few inline styles only. */
const NOT_BUILT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface PortalStaticOptions {
  /** The renderer build directory (holds `portal/index.html` and `assets/`). */
  rendererDir?: string;
}

/**
 * Registers `/`, `/assets/:file` and the SPA fallback for every other non-/api GET path. Without a
 * build the pages answer 503 with a Russian page saying how to build (the API is unaffected).
 */
export function registerPortalStatic(app: FastifyInstance, opts: PortalStaticOptions = {}): void {
  const rendererDir = opts.rendererDir ?? defaultRendererDir();
  const indexFile = path.join(rendererDir, 'portal', 'index.html');
  let bundle: Bundle | null = null;

  // Re-read when the page changes (a rebuild while the server runs); a missing build is not cached.
  const current = (): Bundle | null => {
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(indexFile).mtimeMs;
    } catch {
      bundle = null;
      return null;
    }
    if (!bundle || bundle.mtimeMs !== mtimeMs) {
      try {
        bundle = readBundle(rendererDir, indexFile, mtimeMs);
      } catch (err) {
        log.error({ err }, 'portal bundle unreadable');
        bundle = null;
      }
    }
    return bundle;
  };

  const securityHeaders = (reply: FastifyReply) =>
    reply
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
      .header('X-Frame-Options', 'DENY')
      .header('Cross-Origin-Opener-Policy', 'same-origin')
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      .header('Permissions-Policy', 'camera=(self), microphone=(self), geolocation=(), payment=(), usb=()');

  const send = (req: FastifyRequest, reply: FastifyReply, file: StaticFile, cache: string) => {
    reply.header('Content-Type', file.type).header('ETag', file.etag);
    // The app's onSend hook says `no-store` for everything; ours runs after it (route-level).
    reply.header('X-Portal-Cache', cache);
    if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.code(200).send(file.body);
  };

  const page = (req: FastifyRequest, reply: FastifyReply) => {
    securityHeaders(reply);
    const b = current();
    if (!b) {
      return reply
        .code(503)
        .header('Content-Type', 'text/html; charset=utf-8')
        .header('Content-Security-Policy', NOT_BUILT_CSP)
        .header('X-Portal-Cache', 'no-store')
        .send(NOT_BUILT);
    }
    reply.header('Content-Security-Policy', PORTAL_CSP);
    return send(req, reply, b.index, 'no-cache');
  };

  // Route-level onSend runs after the app's, so the portal's caching rules win over `no-store`.
  const onSend = async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const cache = reply.getHeader('X-Portal-Cache');
    if (typeof cache === 'string') {
      reply.header('Cache-Control', cache);
      reply.removeHeader('X-Portal-Cache');
    }
    return payload;
  };

  app.get('/assets/:file', { onSend }, (req, reply) => {
    const { file } = req.params as { file: string };
    const b = current();
    const hit = b?.assets.get(file);
    if (!hit) return reply.callNotFound();
    securityHeaders(reply);
    return send(req, reply, hit, 'public, max-age=31536000, immutable');
  });

  app.get('/', { onSend }, page);
  app.get('/*', { onSend }, (req, reply) => {
    const p = req.url.split('?')[0] ?? '';
    // /api/* is the API's: an unknown API address answers the API's JSON 404, never the page.
    if (p === '/api' || p.startsWith('/api/') || p.startsWith('/assets/')) return reply.callNotFound();
    return page(req, reply);
  });
}
