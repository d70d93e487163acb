import { describe, expect, it } from 'vitest';
import { webPreferences, windowOptions } from './window-options.js';

describe('window options', () => {
  const prefs = webPreferences('/app/dist/electron/preload.cjs', { devTools: false });

  it('runs the renderer sandboxed and isolated, without Node', () => {
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    });
  });

  it('loads our preload and nothing else', () => {
    expect(prefs.preload).toBe('/app/dist/electron/preload.cjs');
  });

  it('has developer tools only when asked (development builds)', () => {
    expect(prefs.devTools).toBe(false);
    expect(webPreferences('/p', { devTools: true }).devTools).toBe(true);
  });

  it('the window uses exactly these preferences and shows itself when ready', () => {
    const options = windowOptions('/p', { devTools: false });
    expect(options.webPreferences).toEqual(webPreferences('/p', { devTools: false }));
    expect(options.show).toBe(false);
  });
});
