import fs from 'node:fs';
import path from 'node:path';
// Aliased so the bundle keeps `new BrowserWindow({...})` in window-options.ts by that name for the scanner.
import { app, BrowserWindow as ElectronBrowserWindow, dialog, powerMonitor } from 'electron';
import { createDesktopServices, type DesktopServices } from '../services/app.js';
import { createLogger } from '../services/logger.js';
import { CONFIG_FILE_NAME, resolveDesktopConfig } from './config.js';
import { APP_START_URL } from './constants.js';
import { attachRpcTransport, type IpcTransport } from './ipc.js';
import { externalHostsFor } from './origin.js';
import { handleAppScheme, registerAppScheme } from './protocol.js';
import { SafeStorageSecretStore, SECRETS_FILE_NAME } from './secrets.js';
import { installSecurityGuards } from './security.js';
import { startUpdater, UPDATE_EVENT, type Updater } from './updater.js';
import { createMainWindow } from './window-options.js';

/**
 * The desktop shell: one instance, one window, everything else delegated. The work is in the
 * plain-Node services; this file only wires Electron to them.
 */

const log = createLogger('electron.main');
const USER_DATA_DIR_NAME = 'oblako';

function readConfigFile(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

// Everything below that must precede `ready`: sandbox for every renderer, the privileged scheme,
// the guards on every WebContents ever created.
app.enableSandbox();
// A fixed, ASCII data directory (not one derived from the Cyrillic product name), so support
// staff and deployment scripts know where config.json and the local data live.
app.setPath('userData', path.join(app.getPath('appData'), USER_DATA_DIR_NAME));
registerAppScheme();
const config = resolveDesktopConfig({
  env: process.env,
  configFileText: readConfigFile(path.join(app.getPath('userData'), CONFIG_FILE_NAME)),
});
for (const warning of config.warnings) log.warn(warning);
const externalHosts = externalHostsFor(config.serverUrl, config.externalHosts);
installSecurityGuards(() => externalHosts);

let services: DesktopServices | null = null;
let mainWindow: ElectronBrowserWindow | null = null;
let transport: IpcTransport | null = null;
let updater: Updater | null = null;

function createWindow(svc: DesktopServices): ElectronBrowserWindow {
  const preload = path.join(import.meta.dirname, 'preload.cjs');
  const win = createMainWindow(ElectronBrowserWindow, preload, { devTools: !app.isPackaged });
  transport = attachRpcTransport(win, svc.router, svc.bus);
  win.once('ready-to-show', () => win.show());
  win.webContents.on('render-process-gone', (_event, details) => log.error({ reason: details.reason }, 'renderer process gone'));
  win.on('closed', () => {
    mainWindow = null;
    transport = null;
  });
  win.loadURL(APP_START_URL).catch((err: unknown) => log.error({ err }, 'loading the renderer failed'));
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  handleAppScheme(path.join(app.getAppPath(), 'dist', 'renderer'), config.serverUrl);
  const userData = app.getPath('userData');
  try {
    services = await createDesktopServices({
      dataDir: path.join(userData, 'data'),
      secrets: new SafeStorageSecretStore(path.join(userData, SECRETS_FILE_NAME)),
      shell: 'electron',
      defaultServerUrl: config.serverUrl,
      version: app.getVersion(),
    });
  } catch (err) {
    log.fatal({ err }, 'desktop services failed to start');
    const detail = err instanceof Error ? err.message : String(err);
    dialog.showErrorBox('Облако здоровья не запускается', `${detail}\n\nЕсли ошибка повторится, сообщите администратору.`);
    app.exit(1);
    return;
  }
  mainWindow = createWindow(services);
  // Locking the computer or putting it to sleep locks the workstation too: whoever wakes it
  // must know the password, whatever the idle time still left.
  const lockOn = (event: string) => () => {
    services?.lock().catch((err: unknown) => log.error({ err, event }, 'locking on an OS event failed'));
  };
  powerMonitor.on('lock-screen', lockOn('lock-screen'));
  powerMonitor.on('suspend', lockOn('suspend'));
  updater = startUpdater(config.serverUrl, (state) => transport?.push({ event: UPDATE_EVENT, payload: state }));
  void updater.check();
}

if (!app.requestSingleInstanceLock()) {
  // A second launch only brings the running window forward (see 'second-instance').
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());

  // The services hold an open database and a sync connection: close them before exiting.
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed || !services) return;
    event.preventDefault();
    updater?.stop();
    const svc = services;
    services = null;
    svc
      .close()
      .catch((err: unknown) => log.error({ err }, 'closing the desktop services failed'))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });

  start().catch((err: unknown) => {
    log.fatal({ err }, 'start-up failed');
    app.exit(1);
  });
}
