import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mimeType, resolveRendererPath, responseHeaders } from './protocol-paths.js';

const root = path.resolve('/opt/oblako/resources/app.asar/dist/renderer');

describe('app:// path resolution', () => {
  it('serves files under the renderer build', () => {
    expect(resolveRendererPath(root, 'app://oblako/assets/index-abc.js')).toEqual({ file: path.join(root, 'assets', 'index-abc.js') });
    expect(resolveRendererPath(root, 'app://oblako/favicon.ico?v=2#x')).toEqual({ file: path.join(root, 'favicon.ico') });
  });

  it('answers client-side routes and the root with index.html', () => {
    expect(resolveRendererPath(root, 'app://oblako/')).toEqual({ file: path.join(root, 'index.html') });
    expect(resolveRendererPath(root, 'app://oblako')).toEqual({ file: path.join(root, 'index.html') });
    expect(resolveRendererPath(root, 'app://oblako/patients/42')).toEqual({ file: path.join(root, 'index.html') });
  });

  it.each([
    'app://oblako/../../../etc/passwd',
    'app://oblako/%2e%2e/%2e%2e/etc/passwd',
    'app://oblako/assets/%2E%2E/%2E%2E/%2E%2E/secret.txt',
    'app://oblako/assets/..%2f..%2fsecret.txt',
    'app://oblako/assets/..%5c..%5csecret.txt',
    'app://oblako/assets/%252e%252e/x.js',
    'app://oblako/x.js%00.png',
    'app://oblako/%E0%A4%A',
    'app://oblako/assets\\..\\..\\secret.txt',
  ])('never leaves the renderer directory: %s', (url) => {
    const r = resolveRendererPath(root, url);
    if ('file' in r) {
      const rel = path.relative(root, r.file);
      expect(rel.startsWith('..') || path.isAbsolute(rel)).toBe(false);
    } else {
      expect([400, 403, 404]).toContain(r.status);
    }
  });

  it('refuses other hosts and schemes', () => {
    expect(resolveRendererPath(root, 'app://other/index.html')).toEqual({ status: 403 });
    expect(resolveRendererPath(root, 'file:///etc/passwd')).toEqual({ status: 403 });
    expect(resolveRendererPath(root, 'nonsense')).toEqual({ status: 400 });
  });
});

describe('app:// responses', () => {
  it('types the files the renderer build contains', () => {
    expect(mimeType('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(mimeType('/x/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeType('/x/a.woff2')).toBe('font/woff2');
    expect(mimeType('/x/a.unknown')).toBe('application/octet-stream');
  });

  it('sends the CSP and nosniff with every file', () => {
    const headers = responseHeaders('/x/index.html', "script-src 'self'");
    expect(headers['Content-Security-Policy']).toBe("script-src 'self'");
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
  });
});
