import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EncryptedFileSecretStore, SecretStorageUnavailableError, type Cipher } from './secret-file.js';

/** Reversible and visibly not plain text, like the OS cipher behind safeStorage. */
function fakeCipher(opts: { unavailable?: string } = {}): Cipher {
  return {
    unavailableReason: () => opts.unavailable ?? null,
    encrypt: (plain) => Buffer.from(`enc:${Buffer.from(plain).toString('hex')}`),
    decrypt: (b) => {
      const s = b.toString();
      if (!s.startsWith('enc:')) throw new Error('bad ciphertext');
      return Buffer.from(s.slice(4), 'hex').toString();
    },
  };
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-secrets-'));
  file = path.join(dir, 'nested', 'secrets.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('encrypted secret file', () => {
  it('stores, reads back and deletes secrets across instances', () => {
    new EncryptedFileSecretStore(file, fakeCipher()).set('session', 'токен-123');
    const again = new EncryptedFileSecretStore(file, fakeCipher());
    expect(again.get('session')).toBe('токен-123');
    again.delete('session');
    expect(new EncryptedFileSecretStore(file, fakeCipher()).get('session')).toBeNull();
  });

  it('never writes the secret in plain text, and only the owner may read the file', () => {
    new EncryptedFileSecretStore(file, fakeCipher()).set('session', 'very-secret-token');
    expect(fs.readFileSync(file, 'utf8')).not.toContain('very-secret-token');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o077).toBe(0);
  });

  it('refuses to store when the OS cannot encrypt, with the reason for the user', () => {
    const store = new EncryptedFileSecretStore(file, fakeCipher({ unavailable: 'Шифрование недоступно' }));
    expect(() => store.set('session', 'x')).toThrow(SecretStorageUnavailableError);
    expect(() => store.set('session', 'x')).toThrow('Шифрование недоступно');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('treats an undecryptable value as absent and reports it', () => {
    const unreadable: string[] = [];
    new EncryptedFileSecretStore(file, fakeCipher()).set('session', 'x');
    fs.writeFileSync(file, JSON.stringify({ version: 1, secrets: { session: Buffer.from('garbage').toString('base64') } }));
    expect(new EncryptedFileSecretStore(file, fakeCipher(), (k) => unreadable.push(k)).get('session')).toBeNull();
    expect(unreadable).toEqual(['session']);
  });

  it('starts over from a corrupt file', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{oops');
    const store = new EncryptedFileSecretStore(file, fakeCipher());
    expect(store.get('session')).toBeNull();
    store.set('session', 'y');
    expect(store.get('session')).toBe('y');
  });

  it('missing keys are null and deleting them is a no-op', () => {
    const store = new EncryptedFileSecretStore(file, fakeCipher());
    expect(store.get('nope')).toBeNull();
    store.delete('nope');
    expect(fs.existsSync(file)).toBe(false);
  });
});
