import crypto from 'node:crypto';
import path from 'node:path';

/**
 * One data directory per server and user: signing in as someone else, or to another server,
 * never mixes local data. The server part is a hash so any URL makes a safe folder name.
 */
export function serverKey(serverUrl: string): string {
  return crypto.createHash('sha256').update(serverUrl).digest('hex').slice(0, 16);
}

export function userDataDir(dataRoot: string, serverUrl: string, userId: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(userId)) throw new Error('user id must be a UUID');
  return path.join(dataRoot, serverKey(serverUrl), userId);
}

export function storeFile(dataRoot: string, serverUrl: string, userId: string): string {
  return path.join(userDataDir(dataRoot, serverUrl, userId), 'store.sqlite');
}
