import type { BrowserWindowConstructorOptions } from 'electron';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMainWindow as create, type BrowserWindowClass } from './window-options.js';

// Electron itself cannot start here: a recording class stands in for BrowserWindow.
const made: BrowserWindowConstructorOptions[] = [];
const Recorder = class {
  constructor(options: BrowserWindowConstructorOptions) {
    made.push(options);
  }
} as unknown as BrowserWindowClass;
const createMainWindow = (preload: string, opts: { devTools: boolean }) => create(Recorder, preload, opts);

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
