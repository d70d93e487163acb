import fs from 'node:fs';
import { app } from 'electron';
import electronUpdater from 'electron-updater';
import { createLogger } from '../services/logger.js';
import { verifyDownloadedUpdate, verifyUpdateInfo } from '../services/update/verify.js';
import { updateFeedUrl } from './config.js';
import { UPDATE_PUBLIC_KEYS } from './constants.js';

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
 *
 * Besides electron-updater's own sha512 check (against an index from the same server), every
 * release must be signed with the project's Ed25519 key (`UPDATE_PUBLIC_KEYS`): an unsigned or
 * foreign-signed index is not offered, and a downloaded file whose size or sha512 differs from
 * the signed ones is deleted and never installed (electron/services/update/verify.ts).
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

  const refused = (v: string, reason: string) =>
    notify({ state: 'error', message: `Обновление ${v} отклонено: ${reason}. Программа продолжает работать в текущей версии; сообщите администратору.` });

  // Before anything is downloaded: the index must carry a valid signature by a trusted key.
  const supported = autoUpdater.isUpdateSupported;
  autoUpdater.isUpdateSupported = async (info) => {
    const signed = await verifyUpdateInfo(info, UPDATE_PUBLIC_KEYS);
    if (!signed.ok) {
      log.error({ version: info.version, reason: signed.reason }, 'update refused: the feed index is not signed by a trusted key');
      refused(String(info.version), signed.reason);
      return false;
    }
    return supported(info);
  };

  // The installer that passed the check, and only it, may be installed.
  let verified: { version: string; file: string } | null = null;
  const checkFile = async (info: unknown, file: string, v: string): Promise<boolean> => {
    const check = await verifyDownloadedUpdate({ info, filePath: file, publicKeys: UPDATE_PUBLIC_KEYS });
    if (check.ok) return true;
    verified = null;
    log.error({ version: v, file, reason: check.reason }, 'downloaded update refused');
    // Not left in electron-updater's cache, where a later start could pick it up.
    await fs.promises.rm(file, { force: true }).catch((err: unknown) => log.warn({ err }, 'could not delete the refused update'));
    refused(v, check.reason);
    return false;
  };
  let lastInfo: unknown = null;

  let version: string | null = null;
  autoUpdater.on('update-available', (info) => {
    version = info.version;
    notify({ state: 'available', version: info.version });
  });
  autoUpdater.on('download-progress', (p) => {
    if (version) notify({ state: 'downloading', version, percent: Math.round(p.percent) });
  });
  autoUpdater.on('update-downloaded', (event) => {
    verified = null;
    void (async () => {
      if (!(await checkFile(event, event.downloadedFile, event.version))) return;
      verified = { version: event.version, file: event.downloadedFile };
      lastInfo = event;
      log.info({ version: event.version }, 'update downloaded and its signature verified');
      notify({ state: 'downloaded', version: event.version });
    })().catch((err: unknown) => {
      log.error({ err }, 'update verification failed');
      refused(event.version, 'проверка не выполнена');
    });
  });
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
    install: () => {
      const ready = verified;
      if (!ready) {
        log.warn('install asked for without a verified update');
        return;
      }
      // Checked again right before: the file sat in the cache since the download.
      void checkFile(lastInfo, ready.file, ready.version).then(
        (ok) => {
          if (ok) autoUpdater.quitAndInstall(false, true);
        },
        (err: unknown) => log.error({ err }, 'update verification failed'),
      );
    },
    stop: () => clearInterval(timer),
  };
}
