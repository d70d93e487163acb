import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTAL_CSP } from '../http/portal-static.js';
import { startTestServer, type TestServer } from './harness.js';

/**
 * The patient portal at the site root, against a renderer build laid out as Vite lays it out:
 * `portal/index.html` and the desktop's `index.html` side by side, chunks shared in `assets/`.
 */
let dir: string;
let built: TestServer;
let bare: TestServer;

const PORTAL_PAGE = `<!doctype html><html lang="ru"><head><meta charset="UTF-8" /><title>PORTAL_PAGE</title>
<script type="module" crossorigin src="../assets/portal-Ab12Cd34.js"></script>
<link rel="stylesheet" crossorigin href="../assets/portal-Ef56Gh78.css"></head><body><div id="root"></div></body></html>`;

function writeBuild(root: string): void {
  fs.mkdirSync(path.join(root, 'portal'), { recursive: true });
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>DESKTOP_PAGE</title><script src="./assets/desktop-Zz99Yy88.js"></script>');
  fs.writeFileSync(path.join(root, 'portal', 'index.html'), PORTAL_PAGE);
  fs.writeFileSync(path.join(root, 'assets', 'portal-Ab12Cd34.js'), 'import{a}from"./theme-Qw12Er34.js";a();\n//# sourceMappingURL=portal-Ab12Cd34.js.map');
  fs.writeFileSync(path.join(root, 'assets', 'portal-Ab12Cd34.js.map'), '{"SOURCE_MAP":1}');
  fs.writeFileSync(path.join(root, 'assets', 'theme-Qw12Er34.js'), 'export const a=()=>"SHARED_CHUNK";');
  fs.writeFileSync(path.join(root, 'assets', 'portal-Ef56Gh78.css'), 'body{margin:0}');
  fs.writeFileSync(path.join(root, 'assets', 'desktop-Zz99Yy88.js'), 'DESKTOP_CHUNK');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'SECRET_FILE');
}

/** A request with the path sent exactly as written (fetch would normalise `..` away). */
function raw(base: string, rawPath: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: 'GET', path: rawPath }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-portal-'));
  writeBuild(path.join(dir, 'renderer'));
  const before = process.env.OBLAKO_PORTAL_DIR;
  try {
    process.env.OBLAKO_PORTAL_DIR = path.join(dir, 'renderer');
    built = await startTestServer();
    process.env.OBLAKO_PORTAL_DIR = path.join(dir, 'not-built');
    bare = await startTestServer();
  } finally {
    if (before === undefined) delete process.env.OBLAKO_PORTAL_DIR;
    else process.env.OBLAKO_PORTAL_DIR = before;
  }
});

afterAll(async () => {
  await built?.close();
  await bare?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('portal static', () => {
  it('serves the portal page at / with a strict CSP and revalidated caching', async () => {
    const res = await fetch(`${built.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(PORTAL_CSP);
    for (const d of ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "img-src 'self' data: blob:"]) {
      expect(csp).toContain(d);
    }
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-portal-cache')).toBeNull();
    const body = await res.text();
    expect(body).toContain('PORTAL_PAGE');
    // Relative ../assets/ would break at deeper SPA paths: the page refers to /assets/.
    expect(body).toContain('src="/assets/portal-Ab12Cd34.js"');
    expect(body).not.toContain('../assets/');

    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`${built.url}/`, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
  });

  it('serves the portal chunks (and the chunks they import) as immutable, and nothing else', async () => {
    for (const [name, type, marker] of [
      ['portal-Ab12Cd34.js', 'text/javascript; charset=utf-8', 'theme-Qw12Er34.js'],
      ['theme-Qw12Er34.js', 'text/javascript; charset=utf-8', 'SHARED_CHUNK'],
      ['portal-Ef56Gh78.css', 'text/css; charset=utf-8', 'margin:0'],
    ] as const) {
      const res = await fetch(`${built.url}/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toContain(marker);
    }
    // The desktop's chunk and the source maps are not the portal's to hand out.
    for (const name of ['desktop-Zz99Yy88.js', 'portal-Ab12Cd34.js.map', 'missing-00000000.js']) {
      const res = await fetch(`${built.url}/assets/${name}`);
      expect(res.status, name).toBe(404);
      expect(await res.text()).not.toMatch(/DESKTOP_CHUNK|SOURCE_MAP/);
    }
  });

  it('answers unknown non-API paths with the portal page (SPA fallback), never the desktop page', async () => {
    for (const p of ['/home', '/requests/123', '/index.html', '/portal/index.html', '/some/deep/path?x=1']) {
      const res = await fetch(`${built.url}${p}`);
      expect(res.status, p).toBe(200);
      const body = await res.text();
      expect(body, p).toContain('PORTAL_PAGE');
      expect(body, p).not.toContain('DESKTOP_PAGE');
      expect(res.headers.get('content-security-policy')).toBe(PORTAL_CSP);
    }
  });

  it('refuses path traversal', async () => {
    for (const p of [
      '/assets/../index.html',
      '/assets/../secret.txt',
      '/assets/..%2fsecret.txt',
      '/assets/..%2F..%2Fpackage.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/../../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2fpackage.json',
      '/assets/..\\secret.txt',
      '/secret.txt',
    ]) {
      const res = await raw(built.url, p);
      expect([200, 400, 404], p).toContain(res.status);
      expect(res.body, p).not.toMatch(/SECRET_FILE|DESKTOP_PAGE|"name": "oblako"/);
      if (res.status === 200) expect(res.body, p).toContain('PORTAL_PAGE');
    }
  });

  it('leaves /api to the API: routes, JSON 404s and no-store', async () => {
    const health = await fetch(`${built.url}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    expect(health.headers.get('cache-control')).toBe('no-store');
    expect(health.headers.get('content-security-policy')).toBeNull();

    for (const p of ['/api/nope', '/api', '/api/ws/extra', '/api/auth/login']) {
      const res = await fetch(`${built.url}${p}`);
      expect(res.status, p).toBe(404);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe('NOT_FOUND');
    }
    const me = await fetch(`${built.url}/api/me`);
    expect(me.status).toBe(401);
  });

  it('without a build, / says in Russian how to build the portal, and the API keeps working', async () => {
    const res = await fetch(`${bare.url}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.text();
    expect(body).toContain('Портал пациента ещё не собран');
    expect(body).toContain('npm run build:renderer');
    expect((await fetch(`${bare.url}/somewhere`)).status).toBe(503);
    expect((await fetch(`${bare.url}/assets/portal-Ab12Cd34.js`)).status).toBe(404);
    const health = await fetch(`${bare.url}/api/health`);
    expect(health.status).toBe(200);
  });
});
