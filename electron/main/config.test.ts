import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_URL, normalizeServerUrl, resolveDesktopConfig, updateFeedUrl } from './config.js';

describe('desktop configuration', () => {
  it('falls back to the local development server', () => {
    expect(resolveDesktopConfig({ env: {}, configFileText: null })).toEqual({ serverUrl: DEFAULT_SERVER_URL, externalHosts: [], warnings: [] });
    expect(DEFAULT_SERVER_URL).toBe('http://127.0.0.1:8780');
  });

  it('takes OBLAKO_SERVER_URL before the config file', () => {
    const c = resolveDesktopConfig({
      env: { OBLAKO_SERVER_URL: 'https://env.example.ru/' },
      configFileText: JSON.stringify({ serverUrl: 'https://file.example.ru' }),
    });
    expect(c.serverUrl).toBe('https://env.example.ru');
  });

  it('reads the server and extra link hosts from the config file', () => {
    const c = resolveDesktopConfig({ env: {}, configFileText: JSON.stringify({ serverUrl: 'https://file.example.ru:8443', externalHosts: ['Minzdrav.gov.ru'] }) });
    expect(c).toEqual({ serverUrl: 'https://file.example.ru:8443', externalHosts: ['minzdrav.gov.ru'], warnings: [] });
  });

  it('skips an invalid value with a warning instead of using it', () => {
    const c = resolveDesktopConfig({ env: { OBLAKO_SERVER_URL: 'oblako.example.ru' }, configFileText: JSON.stringify({ serverUrl: 'https://file.example.ru' }) });
    expect(c.serverUrl).toBe('https://file.example.ru');
    expect(c.warnings).toHaveLength(1);
  });

  it('survives a broken config file', () => {
    expect(resolveDesktopConfig({ env: {}, configFileText: '{not json' }).serverUrl).toBe(DEFAULT_SERVER_URL);
    expect(resolveDesktopConfig({ env: {}, configFileText: '{"externalHosts": "x"}' }).warnings).toHaveLength(1);
  });

  it.each(['ftp://x.ru', 'https://x.ru/api', 'https://u:p@x.ru', 'https://x.ru/?a=1', 'javascript:alert(1)', ''])('rejects %s as a server URL', (u) => {
    expect(normalizeServerUrl(u)).toBeNull();
  });

  it('points the updater at the central API feed', () => {
    expect(updateFeedUrl('https://oblako.example.ru')).toBe('https://oblako.example.ru/api/updates/');
  });
});
