import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStatic, resolveStatic } from './static-files.js';
import { buildCsp } from '../services/security/csp.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-static-'));
fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
fs.mkdirSync(path.join(root, 'assets'));
fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'export {}');
const secret = path.join(path.dirname(root), `${path.basename(root)}-secret.txt`);
fs.writeFileSync(secret, 'secret');
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(secret, { force: true });
});

describe('browser-mode host static files', () => {
  it('serves index.html for / and files inside the root with their types', () => {
    expect(readStatic(root, '/')?.type).toBe('text/html; charset=utf-8');
    expect(readStatic(root, '/assets/app.js?v=1')?.body.toString()).toBe('export {}');
  });

  it.each([
    '/../' + path.basename(secret),
    '/..%2f' + path.basename(secret),
    '/%2e%2e/' + path.basename(secret),
    '/assets/../../' + path.basename(secret),
    '/%00index.html',
    '/%E0%A4%A',
    '/etc/passwd',
  ])('never leaves the root: %s', (p) => {
    const file = resolveStatic(root, p);
    if (file !== null) expect(file.startsWith(root + path.sep)).toBe(true);
    expect(readStatic(root, p)?.body.toString() ?? null).not.toBe('secret');
  });

  it('a directory or a missing file is not served', () => {
    expect(readStatic(root, '/assets')).toBeNull();
    expect(readStatic(root, '/missing.js')).toBeNull();
  });

  it('the CSP allows our own scripts only and RPC to our own WebSocket', () => {
    const csp = buildCsp('http://127.0.0.1:8780', ['ws://127.0.0.1:4321']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain('connect-src \'self\' ws://127.0.0.1:4321');
    expect(csp).toContain("object-src 'none'");
  });
});
