import crypto from 'node:crypto';
import fs from 'node:fs';

/**
 * The cache's file format: a small header, then the plaintext in fixed-size chunks, each sealed
 * on its own with AES-256-GCM (nonce ‖ ciphertext ‖ tag). Chunks make a download resumable: an
 * interruption keeps every completed chunk, and each chunk authenticates alone. The header and
 * the chunk's position are bound into every tag (additional data), so chunks cannot be swapped
 * between files or reordered; a truncated file is caught by the expected size.
 */
export const CHUNK_BYTES = 1024 * 1024;
const MAGIC = Buffer.from('OBDC1', 'latin1');
export const HEADER_BYTES = MAGIC.length + 4;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** The file is not what this cache wrote with this key: tampered, damaged, or another key's. */
export class CacheIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheIntegrityError';
  }
}

export function fileHeader(chunkBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt32BE(chunkBytes, MAGIC.length);
  return h;
}

/** The chunk size a file was written with, or null if the header is not ours. */
export function parseHeader(data: Uint8Array): number | null {
  if (data.length < HEADER_BYTES || !Buffer.from(data.subarray(0, MAGIC.length)).equals(MAGIC)) return null;
  const n = Buffer.from(data.buffer, data.byteOffset, data.length).readUInt32BE(MAGIC.length);
  return n > 0 && n <= 64 * 1024 * 1024 ? n : null;
}

function aad(header: Buffer, documentId: string, index: number): Buffer {
  const i = Buffer.alloc(4);
  i.writeUInt32BE(index);
  return Buffer.concat([header, Buffer.from(documentId, 'utf8'), i]);
}

export function sealChunk(key: Buffer, header: Buffer, documentId: string, index: number, plain: Uint8Array): Buffer {
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const c = crypto.createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad(header, documentId, index));
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]);
}

export function openChunk(key: Buffer, header: Buffer, documentId: string, index: number, sealed: Uint8Array): Buffer {
  if (sealed.length <= NONCE_BYTES + TAG_BYTES) throw new CacheIntegrityError(`chunk ${index} is truncated`);
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const d = crypto.createDecipheriv('aes-256-gcm', key, nonce);
  d.setAAD(aad(header, documentId, index));
  d.setAuthTag(tag);
  try {
    return Buffer.concat([d.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), d.final()]);
  } catch {
    throw new CacheIntegrityError(`chunk ${index} failed authentication`);
  }
}

/**
 * Decrypts a whole cache file, authenticating every chunk; the plaintext must come to exactly
 * `expectedSize` bytes (a file cut at a chunk boundary fails here).
 */
export function decryptFile(key: Buffer, documentId: string, data: Uint8Array, expectedSize: number): Buffer {
  const chunkBytes = parseHeader(data);
  if (chunkBytes === null) throw new CacheIntegrityError('not a cache file');
  const header = Buffer.from(data.subarray(0, HEADER_BYTES));
  const record = chunkBytes + NONCE_BYTES + TAG_BYTES;
  const parts: Buffer[] = [];
  let total = 0;
  let index = 0;
  for (let at = HEADER_BYTES; at < data.length; at += record, index += 1) {
    const plain = openChunk(key, header, documentId, index, data.subarray(at, Math.min(at + record, data.length)));
    // Only the last chunk may be short.
    if (plain.length !== chunkBytes && at + record < data.length) throw new CacheIntegrityError(`chunk ${index} has the wrong size`);
    parts.push(plain);
    total += plain.length;
  }
  if (total !== expectedSize) throw new CacheIntegrityError(`file holds ${total} bytes, expected ${expectedSize}`);
  return Buffer.concat(parts, total);
}

/**
 * Appends plaintext to a cache file chunk by chunk. `durableBytes` counts the plaintext in
 * complete chunks already written; what is buffered in between is lost if the process stops,
 * and the download resumes from `durableBytes`.
 */
export class EncryptedChunkWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index: number;
  private fd: number;

  private constructor(
    private readonly file: string,
    private readonly key: Buffer,
    private readonly documentId: string,
    private readonly header: Buffer,
    readonly chunkBytes: number,
    chunks: number,
  ) {
    this.index = chunks;
    this.fd = fs.openSync(file, 'a', 0o600);
  }

  /**
   * Opens a file to continue: keeps every leading chunk that authenticates (re-reading them
   * through `hash`, as a hash's state cannot be saved) and cuts off anything after the first
   * one that does not — half a chunk from an interrupted write, say. A file that is not ours,
   * or of another chunk size, starts over.
   */
  static resume(file: string, key: Buffer, documentId: string, chunkBytes: number, hash: crypto.Hash): EncryptedChunkWriter {
    let data: Buffer | null = null;
    try {
      data = fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const header = fileHeader(chunkBytes);
    if (!data || parseHeader(data) !== chunkBytes) {
      fs.writeFileSync(file, header, { mode: 0o600 });
      return new EncryptedChunkWriter(file, key, documentId, header, chunkBytes, 0);
    }
    const record = chunkBytes + NONCE_BYTES + TAG_BYTES;
    let chunks = 0;
    for (let at = HEADER_BYTES; at + record <= data.length; at += record) {
      let plain: Buffer;
      try {
        plain = openChunk(key, header, documentId, chunks, data.subarray(at, at + record));
      } catch {
        break;
      }
      hash.update(plain);
      chunks += 1;
    }
    const keep = HEADER_BYTES + chunks * record;
    if (keep !== data.length) fs.truncateSync(file, keep);
    return new EncryptedChunkWriter(file, key, documentId, header, chunkBytes, chunks);
  }

  get durableBytes(): number {
    return this.index * this.chunkBytes;
  }

  /** Buffers `piece`; writes every chunk it completes. Returns whether any was written. */
  append(piece: Uint8Array): boolean {
    this.pending.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
    let wrote = false;
    while (this.pendingBytes >= this.chunkBytes) {
      const all = Buffer.concat(this.pending, this.pendingBytes);
      this.writeChunk(all.subarray(0, this.chunkBytes));
      const rest = all.subarray(this.chunkBytes);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      wrote = true;
    }
    return wrote;
  }

  /** Writes the last, short chunk and flushes the file to disk. */
  finish(): void {
    if (this.pendingBytes > 0) this.writeChunk(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
    fs.fsyncSync(this.fd);
  }

  /** The server sent the whole file again (200 to a Range request): start the file over. */
  restart(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.index = 0;
    // Reopened rather than truncated in place: Windows does not truncate a file opened to append.
    fs.closeSync(this.fd);
    fs.writeFileSync(this.file, this.header, { mode: 0o600 });
    this.fd = fs.openSync(this.file, 'a', 0o600);
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private writeChunk(plain: Uint8Array): void {
    const sealed = sealChunk(this.key, this.header, this.documentId, this.index, plain);
    fs.writeSync(this.fd, sealed);
    this.index += 1;
  }
}

export function readCacheFile(file: string, key: Buffer, documentId: string, expectedSize: number): Buffer {
  return decryptFile(key, documentId, fs.readFileSync(file), expectedSize);
}
