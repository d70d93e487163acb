import crypto from 'node:crypto';
import path from 'node:path';
import { ServiceError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { SecretStore } from '../secrets.js';
import { STORE_KEY_BYTES, STORE_UNREADABLE_MESSAGE, storeFileKind } from './cipher.js';

const log = createLogger('store.key');

/** The SecretStore entry holding the key of the store at `file` (one per store and user). */
export function storeKeyName(file: string, userId: string): string {
  const where = crypto.createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 16);
  return `oblako.storeKey.${where}.${userId}`;
}

/**
 * The store's key: 32 random bytes made on first open and kept only in the SecretStore (the OS
 * keychain through safeStorage in Electron), never beside the database. A fresh Buffer each
 * call: the store that gets it wipes it on close.
 *
 * A key is made only when nothing encrypted is there yet (no file, an empty one, or a plain one
 * from before encryption, which the open then encrypts). An encrypted file without its key is
 * refused: a new key would not open it, and replacing the file would silently lose its unsent
 * changes.
 */
export function loadOrCreateStoreKey(secrets: SecretStore, file: string, userId: string): Buffer {
  const name = storeKeyName(file, userId);
  const saved = secrets.get(name);
  if (saved) {
    const key = Buffer.from(saved, 'base64');
    if (key.length === STORE_KEY_BYTES) return key;
    key.fill(0);
    log.error({ name }, 'the saved store key has the wrong length');
    throw new ServiceError('STORE_UNREADABLE', STORE_UNREADABLE_MESSAGE);
  }
  if (storeFileKind(file) === 'encrypted') {
    log.error({ name }, 'an encrypted local store has no key in the secret store');
    throw new ServiceError('STORE_UNREADABLE', STORE_UNREADABLE_MESSAGE);
  }
  const key = crypto.randomBytes(STORE_KEY_BYTES);
  secrets.set(name, key.toString('base64'));
  log.info({ name }, 'store key created');
  return key;
}
