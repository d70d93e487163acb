import { describe, expect, it } from 'vitest';
import { normalizeServerUrl } from './server-url.js';

describe('server address', () => {
  it('one server is one string, whatever way it was typed', () => {
    for (const typed of ['https://Oblako.Example.ru', 'https://oblako.example.ru/', 'https://oblako.example.ru:443', ' https://OBLAKO.example.ru// '.trim().replace(/\/+$/, '/')]) {
      expect(normalizeServerUrl(typed)).toBe('https://oblako.example.ru');
    }
    expect(normalizeServerUrl('https://oblako.example.ru:8443')).toBe('https://oblako.example.ru:8443');
  });

  it('plain http only to this machine', () => {
    expect(normalizeServerUrl('http://127.0.0.1:8780')).toBe('http://127.0.0.1:8780');
    expect(normalizeServerUrl('http://localhost:8780/')).toBe('http://localhost:8780');
    expect(normalizeServerUrl('http://[::1]:8780')).toBe('http://[::1]:8780');
    expect(normalizeServerUrl('http://oblako.example.ru')).toBeNull();
    expect(normalizeServerUrl('http://10.0.0.5:8780')).toBeNull();
  });

  it('refuses credentials, paths, queries and other schemes', () => {
    for (const bad of ['https://user:pw@oblako.example.ru', 'https://oblako.example.ru/api', 'https://oblako.example.ru/?x=1', 'https://oblako.example.ru/#f', 'ftp://oblako.example.ru', 'oblako.example.ru', '']) {
      expect(normalizeServerUrl(bad)).toBeNull();
    }
  });
});
