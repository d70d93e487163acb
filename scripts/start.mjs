#!/usr/bin/env node
// `npm start`: on a fresh clone installs what is missing, then starts the central API on SQLite
// with demo data and prints the demo accounts. Ctrl+C stops everything cleanly.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function ensureInstalled() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  process.stdout.write('Устанавливаю зависимости (npm ci)…\n');
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) {
    process.stderr.write('Не удалось установить зависимости: проверьте доступ к реестру npm и повторите «npm start».\n');
    process.exit(res.status ?? 1);
  }
}

ensureInstalled();
const env = { ...process.env, OBLAKO_DATA_DIR: process.env.OBLAKO_DATA_DIR ?? path.join(root, '.data', 'server') };
delete env.DATABASE_URL; // the embedded default: SQLite
const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--demo'], { cwd: root, env, stdio: 'inherit' });

let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  server.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
server.on('exit', (code) => process.exit(code ?? 0));
