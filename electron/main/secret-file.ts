import fs from 'node:fs';
import path from 'node:path';

/**
 * A small key → secret map in one file, every value encrypted by the OS through `Cipher`
 * (Electron's safeStorage in `secrets.ts`). Kept free of the `electron` import so it is
 * unit-tested with a fake cipher. Synchronous because the services' `SecretStore` is.
 */

export interface Cipher {
  /** Null when secrets may be stored; otherwise the Russian reason shown to the user. */
  unavailableReason(): string | null;
  encrypt(plain: string): Buffer;
  decrypt(encrypted: Buffer): string;
}

export class SecretStorageUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretStorageUnavailableError';
  }
}

interface FileShape {
  version: 1;
  /** base64 of the cipher's output, per key. */
  secrets: Record<string, string>;
}

export class EncryptedFileSecretStore {
  constructor(
    private readonly file: string,
    private readonly cipher: Cipher,
    private readonly onUnreadable: (key: string, error: unknown) => void = () => {},
  ) {}

  get(key: string): string | null {
    const stored = this.read().secrets[key];
    if (stored === undefined) return null;
    try {
      return this.cipher.decrypt(Buffer.from(stored, 'base64'));
    } catch (e) {
      // The OS key changed (new user profile, wiped keyring): the secret is lost, the user signs
      // in again. Never hand out garbage.
      this.onUnreadable(key, e);
      return null;
    }
  }

  set(key: string, value: string): void {
    const reason = this.cipher.unavailableReason();
    if (reason !== null) throw new SecretStorageUnavailableError(reason);
    const data = this.read();
    data.secrets[key] = this.cipher.encrypt(value).toString('base64');
    this.write(data);
  }

  delete(key: string): void {
    const data = this.read();
    if (!(key in data.secrets)) return;
    delete data.secrets[key];
    this.write(data);
  }

  private read(): FileShape {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw e;
    }
    try {
      const parsed = JSON.parse(text) as Partial<FileShape>;
      if (parsed.version === 1 && parsed.secrets && typeof parsed.secrets === 'object') {
        const secrets: Record<string, string> = Object.create(null);
        for (const [k, v] of Object.entries(parsed.secrets)) if (typeof v === 'string') secrets[k] = v;
        return { version: 1, secrets };
      }
    } catch {
      // fall through: a corrupt file holds nothing we can use
    }
    this.onUnreadable('*', new Error('secrets file is corrupt'));
    return { version: 1, secrets: {} };
  }

  /** Write-then-rename, so a crash leaves the old file or the new one, never half of one. */
  private write(data: FileShape): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    fs.chmodSync(tmp, 0o600); // the mode above is masked by umask
    fs.renameSync(tmp, this.file);
  }
}
