import { describe, expect, it } from 'vitest';
import { buildCsp, connectSources } from './csp.js';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => {
    const [name = '', ...values] = d.trim().split(/\s+/);
    return [name, values];
  }));
}

describe('content security policy', () => {
  const csp = directives(buildCsp('https://oblako.example.ru'));

  it('allows only our own scripts: no inline, no eval', () => {
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(buildCsp('https://oblako.example.ru')).not.toContain('unsafe-eval');
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('connects only to ourselves and the central API over https/wss', () => {
    expect(csp.get('connect-src')).toEqual(["'self'", 'https://oblako.example.ru', 'wss://oblako.example.ru']);
  });

  it('keeps the port of the central API', () => {
    expect(connectSources('https://api.example.ru:8443')).toEqual(['https://api.example.ru:8443', 'wss://api.example.ru:8443']);
  });

  it('allows plain http/ws only for a plain-http (development) server', () => {
    expect(connectSources('http://127.0.0.1:8780')).toEqual(['http://127.0.0.1:8780', 'ws://127.0.0.1:8780']);
  });

  it('adds nothing for a malformed or non-http server URL', () => {
    expect(connectSources('not a url')).toEqual([]);
    expect(connectSources('ftp://example.ru')).toEqual([]);
    expect(directives(buildCsp('javascript:alert(1)')).get('connect-src')).toEqual(["'self'"]);
  });
});
