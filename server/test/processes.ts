import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from './harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Environment that points a child server or CLI at a test database. */
export function envFor(db: TestDatabase): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OBLAKO_DATA_DIR: db.dataDir, LOG_LEVEL: 'warn', OBLAKO_RATE_LIMIT_FACTOR: '100' };
  delete env.VITEST;
  if (db.database.kind === 'postgres') env.DATABASE_URL = db.database.url;
  else delete env.DATABASE_URL;
  return env;
}

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/** Starts `server/main.ts` as a real process and waits for its READY line. */
export function spawnServer(env: NodeJS.ProcessEnv, args: string[] = []): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
    cwd: ROOT,
    env: { ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s\n${out}\n${err}`)), 30_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], proc, exited });
      }
    });
    proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before READY\n${out}\n${err}`));
    });
  });
}

/** Runs the admin CLI to completion. */
export function runAdmin(env: NodeJS.ProcessEnv, args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdin.end(input ?? '');
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stdout, stderr })));
}
