import fs from 'node:fs';
import path from 'node:path';

/** Where the services keep the session token and the signed-in user between runs. */
export interface SecretStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/**
 * The browser-mode host's secret store: a JSON file created with mode 0600 (owner read/write
 * only) in the data root. Browser mode has no OS keychain, so the file is protected by file
 * permissions only; the Electron shell encrypts with safeStorage instead (electron/main).
 * Writes go to a temp file and are renamed over, so a crash never leaves half a file.
 */
export class FileSecretStore implements SecretStore {
  constructor(private readonly file: string) {}

  get(key: string): string | null {
    const value = this.read()[key];
    return typeof value === 'string' ? value : null;
  }

  set(key: string, value: string): void {
    this.write({ ...this.read(), [key]: value });
  }

  delete(key: string): void {
    const all = this.read();
    if (!(key in all)) return;
    delete all[key];
    this.write(all);
  }

  private read(): Record<string, unknown> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? { ...(parsed as Record<string, unknown>) } : {};
    } catch {
      // A damaged file only costs a sign-in; starting over beats refusing to start.
      return {};
    }
  }

  private write(all: Record<string, unknown>): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, this.file);
  }
}

/** In memory only: for tests, and for a shell that must not persist anything. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  get(key: string): string | null {
    return this.values.get(key) ?? null;
  }
  set(key: string, value: string): void {
    this.values.set(key, value);
  }
  delete(key: string): void {
    this.values.delete(key);
  }
}
