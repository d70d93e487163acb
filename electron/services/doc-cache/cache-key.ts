import crypto from 'node:crypto';
import type { SecretStore } from '../secrets.js';
import { serverKey } from '../store/paths.js';
import { KEY_BYTES } from './chunked-crypto.js';

/** The SecretStore entry holding one store's cache key (per server and user, like the store). */
export function cacheKeyName(serverUrl: string, userId: string): string {
  return `oblako.docCacheKey.${serverKey(serverUrl)}.${userId}`;
}

/**
 * The cache key: 32 random bytes made once per store and kept only in the SecretStore (the OS
 * keychain in Electron), never beside the files. `created` says the files on disk, if any,
 * were sealed with a key now lost and must go.
 */
export function loadOrCreateCacheKey(secrets: SecretStore, name: string): { key: Buffer; created: boolean } {
  const saved = secrets.get(name);
  if (saved) {
    const key = Buffer.from(saved, 'base64');
    if (key.length === KEY_BYTES) return { key, created: false };
  }
  const key = crypto.randomBytes(KEY_BYTES);
  secrets.set(name, key.toString('base64'));
  return { key, created: true };
}

/** A non-secret fingerprint, stored with the index to notice files sealed with another key. */
export function keyFingerprint(key: Buffer): string {
  return crypto.createHmac('sha256', key).update('oblako.docCache.fingerprint').digest('hex').slice(0, 16);
}
