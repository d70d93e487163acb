import type { BrowserWindowConstructorOptions } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// Electron itself cannot start here: BrowserWindow is replaced by a recorder of its options.
const made: BrowserWindowConstructorOptions[] = [];
vi.mock('electron', () => ({
  BrowserWindow: class {
    constructor(options: BrowserWindowConstructorOptions) {
      made.push(options);
    }
  },
}));
const { createMainWindow } = await import('./window-options.js');

describe('the main window', () => {
  beforeEach(() => {
    made.length = 0;
  });

  it('runs the renderer sandboxed and isolated, without Node, webviews or insecure content', () => {
    createMainWindow('/app/dist/electron/preload.cjs', { devTools: false });
    expect(made[0]?.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    });
  });

  it('loads our preload and nothing else', () => {
    createMainWindow('/app/dist/electron/preload.cjs', { devTools: false });
    expect(made[0]?.webPreferences?.preload).toBe('/app/dist/electron/preload.cjs');
  });

  it('has developer tools only when asked (development builds), and shows itself when ready', () => {
    createMainWindow('/p', { devTools: false });
    createMainWindow('/p', { devTools: true });
    expect(made.map((o) => o.webPreferences?.devTools)).toEqual([false, true]);
    expect(made[0]?.show).toBe(false);
  });
});
