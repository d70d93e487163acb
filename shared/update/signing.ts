import { canonicalRelease, manifestProblems, SIGNATURE_RE, type ReleaseManifest, type SignedRelease } from './release.js';

/**
 * Ed25519 signing and verification of releases with Web Crypto (`globalThis.crypto.subtle`), so
 * the same code runs in the central API's CLI and in the desktop (shared/ takes no Node
 * built-ins). Signatures are plain RFC 8032 Ed25519 — byte-identical to Node's
 * `crypto.sign(null, data, key)` (the server test checks that).
 *
 * Keys:
 * - private: PEM (`-----BEGIN PRIVATE KEY-----`, PKCS#8, what `release-keygen` writes and
 *   `openssl genpkey -algorithm ed25519` makes) or the base64 32-byte seed;
 * - public: base64 of the raw 32 bytes (what goes into the desktop's `UPDATE_PUBLIC_KEYS`) or
 *   PEM (`-----BEGIN PUBLIC KEY-----`, SPKI).
 * A key's id (`signedBy`) is the first 16 hex digits of SHA-256 of its raw public key.
 */

const subtle = () => globalThis.crypto.subtle;
type Key = Awaited<ReturnType<ReturnType<typeof subtle>['importKey']>>;
const ED25519 = { name: 'Ed25519' } as const;

// DER prefixes of Ed25519 keys (RFC 8410): SPKI + 32 raw bytes, PKCS#8 + 32-byte seed.
const SPKI_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

export class ReleaseKeyError extends Error {}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw new ReleaseKeyError('не base64');
  return Uint8Array.from(atob(clean), (c) => c.charCodeAt(0));
}

function pemBody(text: string, label: string): Uint8Array | null {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(text);
  return m?.[1] === undefined ? null : base64ToBytes(m[1]);
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The raw 32 bytes of an Ed25519 public key given as base64 raw or SPKI PEM. */
export function publicKeyBytes(text: string): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN')) {
    const der = pemBody(trimmed, 'PUBLIC KEY');
    if (!der || der.length !== 44 || !startsWith(der, SPKI_PREFIX)) throw new ReleaseKeyError('открытый ключ не Ed25519 (ожидался PEM «PUBLIC KEY»)');
    return der.slice(12);
  }
  let raw: Uint8Array;
  try {
    raw = base64ToBytes(trimmed);
  } catch {
    throw new ReleaseKeyError('открытый ключ: ожидался base64 из 32 байт или PEM');
  }
  if (raw.length !== 32) throw new ReleaseKeyError(`открытый ключ: ожидалось 32 байта, получено ${raw.length}`);
  return raw;
}

/** Id of a public key (raw bytes or its text form). */
export async function keyId(publicKey: Uint8Array | string): Promise<string> {
  const raw = typeof publicKey === 'string' ? publicKeyBytes(publicKey) : publicKey;
  const digest = await subtle().digest('SHA-256', raw as Uint8Array<ArrayBuffer>);
  return hex(new Uint8Array(digest)).slice(0, 16);
}

function pkcs8Of(text: string): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) throw new ReleaseKeyError('закрытый ключ зашифрован паролем: нужен незашифрованный PEM (храните его на отключённом от сети носителе)');
  if (trimmed.includes('-----BEGIN')) {
    const der = pemBody(trimmed, 'PRIVATE KEY');
    if (!der || der.length !== 48 || !startsWith(der, PKCS8_PREFIX)) throw new ReleaseKeyError('закрытый ключ не Ed25519 (ожидался PEM «PRIVATE KEY»)');
    return der;
  }
  let seed: Uint8Array;
  try {
    seed = base64ToBytes(trimmed);
  } catch {
    throw new ReleaseKeyError('закрытый ключ: ожидался PEM или base64 из 32 байт');
  }
  if (seed.length !== 32) throw new ReleaseKeyError(`закрытый ключ: ожидалось 32 байта, получено ${seed.length}`);
  const der = new Uint8Array(48);
  der.set(PKCS8_PREFIX);
  der.set(seed, 16);
  return der;
}

export interface ReleaseSigner {
  /** Base64 raw public key, for the desktop's `UPDATE_PUBLIC_KEYS`. */
  publicKey: string;
  keyId: string;
  sign(data: string): Promise<string>;
}

/** Loads a private key (PEM or base64 seed) for signing. */
export async function loadSigner(privateKeyText: string): Promise<ReleaseSigner> {
  let key: Key;
  let jwk: { x?: string };
  try {
    key = await subtle().importKey('pkcs8', pkcs8Of(privateKeyText) as Uint8Array<ArrayBuffer>, ED25519, true, ['sign']);
    jwk = await subtle().exportKey('jwk', key);
  } catch (err) {
    if (err instanceof ReleaseKeyError) throw err;
    throw new ReleaseKeyError('закрытый ключ не читается как Ed25519');
  }
  if (!jwk.x) throw new ReleaseKeyError('закрытый ключ не читается как Ed25519');
  const raw = base64ToBytes(jwk.x.replaceAll('-', '+').replaceAll('_', '/').padEnd(Math.ceil(jwk.x.length / 4) * 4, '='));
  return {
    publicKey: bytesToBase64(raw),
    keyId: await keyId(raw),
    sign: async (data) => bytesToBase64(new Uint8Array(await subtle().sign(ED25519, key, new TextEncoder().encode(data)))),
  };
}

/** Signs a manifest (refusing a malformed one: a signature must never vouch for a bad index). */
export async function signRelease(m: ReleaseManifest, signer: ReleaseSigner): Promise<SignedRelease> {
  const problems = manifestProblems(m);
  if (problems.length > 0) throw new ReleaseKeyError(`выпуск не подписан: ${problems.join('; ')}`);
  const files = m.files.map((f) => ({ ...f }));
  return { version: m.version, releaseDate: m.releaseDate, files, signature: await signer.sign(canonicalRelease({ ...m, files })), signedBy: signer.keyId };
}

export type SignatureCheck = { ok: true; keyId: string } | { ok: false; reason: string };

/**
 * Checks a signed release against the trusted public keys (base64 raw or PEM). The signature
 * must verify with one of them; `signedBy` only picks which key is tried first.
 */
export async function verifyReleaseSignature(r: SignedRelease, trustedKeys: readonly string[]): Promise<SignatureCheck> {
  if (trustedKeys.length === 0) return { ok: false, reason: 'в программе нет ключей для проверки обновлений' };
  if (!SIGNATURE_RE.test(r.signature)) return { ok: false, reason: 'подпись обновления повреждена' };
  const problems = manifestProblems(r);
  if (problems.length > 0) return { ok: false, reason: `описание обновления неверно: ${problems.join('; ')}` };
  const data = new TextEncoder().encode(canonicalRelease(r));
  const signature = base64ToBytes(r.signature);
  const keys = await Promise.all(
    trustedKeys.map(async (k) => {
      const raw = publicKeyBytes(k);
      return { raw, id: await keyId(raw) };
    }),
  );
  keys.sort((a, b) => Number(b.id === r.signedBy) - Number(a.id === r.signedBy));
  for (const k of keys) {
    const key = await subtle().importKey('raw', k.raw as Uint8Array<ArrayBuffer>, ED25519, false, ['verify']);
    if (await subtle().verify(ED25519, key, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>)) return { ok: true, keyId: k.id };
  }
  return keys.some((k) => k.id === r.signedBy)
    ? { ok: false, reason: 'подпись обновления не сходится: описание или файлы изменены после подписи' }
    : { ok: false, reason: `обновление подписано неизвестным ключом (${r.signedBy})` };
}
