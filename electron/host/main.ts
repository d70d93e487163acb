import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDesktopServices } from '../services/app.js';
import { createLogger } from '../services/logger.js';
import { FileSecretStore } from '../services/secrets.js';
import { startHost } from './host.js';

const log = createLogger('host.main');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The browser-mode desktop app: the same services as the Electron shell, reached by the same UI
 * in a browser window. Used where the Electron binary is missing, in development and in the
 * end-to-end tests. Prints `HOST_READY <url>` once listening.
 *
 * Environment: OBLAKO_DESKTOP_DATA_DIR (local stores and the secrets file), OBLAKO_SERVER_URL
 * (the central API suggested at sign-in), OBLAKO_HOST_PORT (0 = any free port),
 * OBLAKO_RENDERER_DIR (the built renderer), OBLAKO_IDLE_LOCK_MS (idle time before the workstation
 * locks, read by the services; default 15 min).
 */
async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.OBLAKO_DESKTOP_DATA_DIR ?? path.join(os.homedir(), '.local', 'share', 'oblako-desktop'));
  const staticDir = path.resolve(process.env.OBLAKO_RENDERER_DIR ?? path.join(root, 'dist', 'renderer'));
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    process.stderr.write(`Интерфейс не собран: нет ${path.join(staticDir, 'index.html')}. Выполните «npm run build:renderer» или «npm start».\n`);
    process.exit(2);
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const serverUrl = process.env.OBLAKO_SERVER_URL ?? 'http://127.0.0.1:8780';
  const services = await createDesktopServices({
    dataDir,
    // Browser mode has no OS keychain: the session token lives in a 0600 file in the data dir.
    secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
    shell: 'browser',
    defaultServerUrl: serverUrl,
    version,
  });
  const host = await startHost({ services, staticDir, serverUrl, port: Number(process.env.OBLAKO_HOST_PORT ?? 0) });
  process.stdout.write(`HOST_READY ${host.url}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    Promise.all([host.close(), services.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'browser-mode host failed to start');
  process.stderr.write(`Не удалось запустить приложение: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
