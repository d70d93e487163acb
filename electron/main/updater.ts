import { app } from 'electron';
import electronUpdater from 'electron-updater';
import { createLogger } from '../services/logger.js';
import { updateFeedUrl } from './config.js';

const log = createLogger('electron.updater');

/** What the renderer is told, as the push `{event: 'app.update', payload}`. */
export type UpdateState =
  | { state: 'available'; version: string }
  | { state: 'downloading'; version: string; percent: number }
  | { state: 'downloaded'; version: string }
  | { state: 'error'; message: string };

export const UPDATE_EVENT = 'app.update';

export interface Updater {
  check(): Promise<void>;
  /** Downloads the announced update; the user asked for it (`autoDownload` is off). */
  download(): Promise<void>;
  /** Quits and installs a downloaded update. */
  install(): void;
  stop(): void;
}

const CHECK_EVERY_MS = 4 * 60 * 60 * 1000;

/**
 * Updates come from the central API's generic feed (`<server>/api/updates/`), never from a
 * public host. Off in development (`!app.isPackaged`): there is nothing to replace. Nothing is
 * downloaded until the user agrees — a consultation must not be interrupted by a restart.
 */
export function startUpdater(serverUrl: string, notify: (state: UpdateState) => void): Updater {
  const off: Updater = { check: async () => {}, download: async () => {}, install: () => {}, stop: () => {} };
  if (!app.isPackaged) {
    log.info('not packaged: updates are off');
    return off;
  }
  // An installer fetched in clear text could be swapped on the way: only an https feed is used.
  if (!serverUrl.startsWith('https://')) {
    log.warn({ serverUrl }, 'the central API is not on https: updates are off');
    return off;
  }
  // Read only here: the getter constructs the platform's updater, which a dev run never needs.
  const { autoUpdater } = electronUpdater;
  autoUpdater.logger = {
    info: (m: unknown) => log.info(String(m)),
    warn: (m: unknown) => log.warn(String(m)),
    error: (m: unknown) => log.error(String(m)),
    debug: (m: string) => log.debug(m),
  };
  autoUpdater.autoDownload = false;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.allowDowngrade = false;
  autoUpdater.allowPrerelease = false;
  autoUpdater.setFeedURL({ provider: 'generic', url: updateFeedUrl(serverUrl) });

  let version: string | null = null;
  autoUpdater.on('update-available', (info) => {
    version = info.version;
    notify({ state: 'available', version: info.version });
  });
  autoUpdater.on('download-progress', (p) => {
    if (version) notify({ state: 'downloading', version, percent: Math.round(p.percent) });
  });
  autoUpdater.on('update-downloaded', (info) => notify({ state: 'downloaded', version: info.version }));
  autoUpdater.on('error', (err) => log.warn({ err }, 'update check or download failed'));

  const check = async (): Promise<void> => {
    try {
      await autoUpdater.checkForUpdates();
    } catch (err) {
      // Offline is normal for this app; the next check will try again.
      log.warn({ err }, 'update check failed');
    }
  };
  const timer = setInterval(() => void check(), CHECK_EVERY_MS);
  timer.unref();

  return {
    check,
    download: async () => {
      try {
        await autoUpdater.downloadUpdate();
      } catch (err) {
        log.warn({ err }, 'update download failed');
        notify({ state: 'error', message: 'Не удалось загрузить обновление. Проверьте связь с сервером и повторите позже.' });
      }
    },
    install: () => autoUpdater.quitAndInstall(false, true),
    stop: () => clearInterval(timer),
  };
}
