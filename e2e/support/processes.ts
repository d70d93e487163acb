import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A child process of the system under test, started for real (no mocks of our own server). */
export interface Running {
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** Everything it printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

function startProcess(script: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, what: string): Promise<Running & { match: RegExpExecArray }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.VITEST;
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const running: Running = {
    proc,
    exited,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
    kill9: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 60 s\n${out}`)), 60_000);
    const onData = () => {
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout?.off('data', onData);
        resolve({ ...running, match: m });
      }
    };
    proc.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready\n${out}`));
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `oblako-e2e-${prefix}-`));
}

export interface CentralApi extends Running {
  url: string;
  port: number;
}

/** The real central API on SQLite with demo data; `port` to come back on the same address. */
export async function startCentralApi(dataDir: string, port = 0, env: NodeJS.ProcessEnv = {}): Promise<CentralApi> {
  const r = await startProcess('server/main.ts', ['--demo'], { OBLAKO_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: '', OBLAKO_RATE_LIMIT_FACTOR: '20', ...env }, /READY (http:\/\/[^\s]+)/, 'central API');
  const url = r.match[1]!;
  return { ...r, url, port: Number(new URL(url).port) };
}

export interface DesktopHost extends Running {
  /** The address with the launch token in the fragment. */
  url: string;
  origin: string;
}

/** The desktop services behind the browser-mode host, as a separate process (so it can be killed). */
export async function startDesktopHost(dataDir: string, serverUrl: string, env: NodeJS.ProcessEnv = {}): Promise<DesktopHost> {
  const r = await startProcess(
    'electron/host/main.ts',
    [],
    { OBLAKO_DESKTOP_DATA_DIR: dataDir, OBLAKO_SERVER_URL: serverUrl, OBLAKO_LOG_LEVEL: 'warn', ...env },
    /HOST_READY (http:\/\/[^\s]+)/,
    'desktop host',
  );
  const url = r.match[1]!;
  return { ...r, url, origin: new URL(url).origin };
}

/** Direct calls to the central API, as another user of the service would make them. */
export class ApiUser {
  private constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  /** A user already signed in elsewhere (the portal tab's session). */
  static fromToken(baseUrl: string, token: string): ApiUser {
    return new ApiUser(baseUrl, token);
  }

  static async signIn(baseUrl: string, login: string, password = 'oblako-demo'): Promise<ApiUser> {
    const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
    if (!res.ok) throw new Error(`sign-in of ${login} failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { token: string };
    return new ApiUser(baseUrl, body.token);
  }

  async call<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
}
