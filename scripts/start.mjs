#!/usr/bin/env node
// `npm start`: the whole system on one machine. On a fresh clone it installs what is missing,
// builds the UI, starts the central API on SQLite with demo data, then opens the desktop app:
// in Electron when its binary is present, otherwise the same UI through the browser-mode host in
// a Chromium/Chrome app window, or, with no browser or no display, prints the address to open.
// Ctrl+C stops all of it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dataRoot = path.join(root, '.data');
const children = [];
let stopping = false;

const say = (text) => process.stdout.write(`${text}\n`);

function ensureInstalled() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  say('Устанавливаю зависимости (npm ci)…');
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) fail('Не удалось установить зависимости: проверьте доступ к реестру npm и повторите «npm start».', res.status);
}

function build() {
  say('Собираю интерфейс…');
  const res = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) fail('Не удалось собрать интерфейс (см. ошибки выше).', res.status);
}

function fail(text, code = 1) {
  process.stderr.write(`${text}\n`);
  stopAll();
  process.exit(code ?? 1);
}

/** Starts a child and resolves with the first match of `ready` in its stdout. */
function startChild(name, args, env, ready) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        ready = /$^/; // resolve once
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      if (!stopping) fail(`${name} остановился (код ${code}). Подробности выше.`, code ?? 1);
    });
  });
}

function electronBinary() {
  try {
    const p = path.join(root, 'node_modules', 'electron', 'path.txt');
    const exe = path.join(root, 'node_modules', 'electron', 'dist', fs.readFileSync(p, 'utf8').trim());
    return fs.existsSync(exe) ? exe : null;
  } catch {
    return null;
  }
}

function findBrowser() {
  const candidates = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'];
  for (const c of candidates) {
    const r = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

function hasDisplay() {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function stopAll() {
  stopping = true;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}

async function main() {
  ensureInstalled();
  build();
  const serverUrl = await startChild(
    'Центральный API',
    ['--import', 'tsx', 'server/main.ts', '--demo'],
    { OBLAKO_DATA_DIR: process.env.OBLAKO_DATA_DIR ?? path.join(dataRoot, 'server'), DATABASE_URL: '' },
    /READY (http:\/\/\S+)/,
  );
  const desktopEnv = { OBLAKO_SERVER_URL: serverUrl, OBLAKO_DESKTOP_DATA_DIR: path.join(dataRoot, 'desktop') };

  const electron = electronBinary();
  if (electron) {
    say('Запускаю приложение Electron…');
    const res = spawnSync(process.execPath, ['scripts/build-electron.mjs'], { cwd: root, stdio: 'inherit' });
    if (res.status !== 0) fail('Не удалось собрать оболочку Electron.', res.status);
    const app = spawn(electron, ['.'], { cwd: root, env: { ...process.env, ...desktopEnv }, stdio: 'inherit' });
    children.push(app);
    app.on('exit', () => {
      stopAll();
      process.exit(0);
    });
    return;
  }

  const url = await startChild('Службы приложения', ['--import', 'tsx', 'electron/host/main.ts'], desktopEnv, /HOST_READY (http:\/\/\S+)/);
  const browser = findBrowser();
  if (browser && hasDisplay()) {
    say('Electron не установлен: открываю приложение в окне браузера.');
    const profile = path.join(dataRoot, 'browser-profile');
    const win = spawn(browser, [`--app=${url}`, `--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking', '--disable-sync'], { stdio: 'ignore', detached: false });
    win.on('error', () => say(`Откройте в браузере: ${url}`));
  } else {
    say(`\nОткройте приложение в браузере Chromium или Chrome на этом компьютере:\n  ${url}\n(адрес содержит ключ запуска — не передавайте его никому)`);
  }
  say('Остановить: Ctrl+C');
}

/** Stops every child and exits once they are gone (each gets 10 s to close its database). */
function shutdown() {
  if (stopping) return;
  stopAll();
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  if (alive.length === 0) process.exit(0);
  let left = alive.length;
  for (const c of alive) c.once('exit', () => --left === 0 && process.exit(0));
  setTimeout(() => {
    for (const c of alive) c.kill('SIGKILL');
    process.exit(1);
  }, 10_000).unref();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
main().catch((err) => fail(`Не удалось запустить: ${err instanceof Error ? err.message : String(err)}`));
