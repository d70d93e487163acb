import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/**
 * The renderer's security settings, in one pure function so a unit test can assert every flag
 * without starting Electron. Any change here is a security review.
 */
export function webPreferences(preloadPath: string, opts: { devTools: boolean }): WebPreferences {
  return {
    preload: preloadPath,
    // Developer tools in a packaged build would let anyone at the desk script the session.
    devTools: opts.devTools,
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
    // Patient names and diagnoses must not go to a cloud spell-check service.
    spellcheck: false,
    safeDialogs: true,
  } satisfies WebPreferences;
}

export function windowOptions(preloadPath: string, opts: { devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    title: 'Облако здоровья',
    // Shown on `ready-to-show`, so the user never sees an empty white frame.
    show: false,
    autoHideMenuBar: true,
    webPreferences: webPreferences(preloadPath, opts),
  };
}
