import crypto from 'node:crypto';
import type { IceServer } from '../../shared/call/protocol.js';
import type { CallConfig } from '../config.js';

/**
 * The ICE servers a participant gets with their ticket: the configured STUN servers as they are,
 * the TURN servers with credentials made for this participant that stop working at `validUntil`
 * (coturn's REST-API scheme, `use-auth-secret`: username `<unix expiry>:<user id>`, password
 * base64(HMAC-SHA1(secret, username))). Nothing is built in: no configured servers, no list.
 */
export function iceServersFor(config: CallConfig, userId: string, validUntil: Date): IceServer[] {
  const stun = config.iceUrls.filter((u) => u.startsWith('stun:'));
  const turn = config.iceUrls.filter((u) => u.startsWith('turn'));
  const servers: IceServer[] = [];
  if (stun.length > 0) servers.push({ urls: stun });
  if (turn.length > 0) {
    const username = `${Math.floor(validUntil.getTime() / 1000)}:${userId}`;
    const credential = crypto.createHmac('sha1', config.turnSecret).update(username).digest('base64');
    servers.push({ urls: turn, username, credential });
  }
  return servers;
}
