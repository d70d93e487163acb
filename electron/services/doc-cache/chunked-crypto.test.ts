import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheIntegrityError, EncryptedChunkWriter, HEADER_BYTES, NONCE_BYTES, readCacheFile, TAG_BYTES } from './chunked-crypto.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-chunks-'));
  dirs.push(d);
  return path.join(d, crypto.randomUUID());
}

const key = crypto.randomBytes(32);
const docId = crypto.randomUUID();
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

function writeAll(file: string, data: Buffer, chunkBytes: number, pieces = 7): void {
  const w = EncryptedChunkWriter.resume(file, key, docId, chunkBytes, crypto.createHash('sha256'));
  for (let at = 0; at < data.length; at += pieces) w.append(data.subarray(at, at + pieces));
  w.finish();
  w.close();
}

describe('chunked AES-256-GCM cache files', () => {
  it.each([1, 99, 100, 101, 1000, 1234])('round-trips %i bytes in 100-byte chunks', (n) => {
    const file = tempFile();
    const data = crypto.randomBytes(n);
    writeAll(file, data, 100);
    const records = Math.ceil(n / 100);
    expect(fs.statSync(file).size).toBe(HEADER_BYTES + n + records * (NONCE_BYTES + TAG_BYTES));
    expect(readCacheFile(file, key, docId, n).equals(data)).toBe(true);
    // Not plaintext on disk (a run of 16 bytes: a shorter one may turn up in ciphertext by chance).
    if (n >= 16) expect(fs.readFileSync(file).includes(data.subarray(0, 16))).toBe(false);
  });

  it('fails loudly on a flipped byte, a truncated file, another key, another document or a swapped chunk', () => {
    const file = tempFile();
    const data = crypto.randomBytes(350);
    writeAll(file, data, 100);
    const good = fs.readFileSync(file);
    const record = 100 + NONCE_BYTES + TAG_BYTES;

    const flipped = Buffer.from(good);
    flipped[HEADER_BYTES + record + 40] = (flipped[HEADER_BYTES + record + 40] ?? 0) ^ 1;
    fs.writeFileSync(file, flipped);
    expect(() => readCacheFile(file, key, docId, 350)).toThrow(CacheIntegrityError);

    // Cut at a chunk boundary: every chunk authenticates, the size does not add up.
    fs.writeFileSync(file, good.subarray(0, HEADER_BYTES + 3 * record));
    expect(() => readCacheFile(file, key, docId, 350)).toThrow(/expected 350/);

    fs.writeFileSync(file, good);
    expect(() => readCacheFile(file, crypto.randomBytes(32), docId, 350)).toThrow(CacheIntegrityError);
    expect(() => readCacheFile(file, key, crypto.randomUUID(), 350)).toThrow(CacheIntegrityError);

    const swapped = Buffer.concat([
      good.subarray(0, HEADER_BYTES),
      good.subarray(HEADER_BYTES + record, HEADER_BYTES + 2 * record),
      good.subarray(HEADER_BYTES, HEADER_BYTES + record),
      good.subarray(HEADER_BYTES + 2 * record),
    ]);
    fs.writeFileSync(file, swapped);
    expect(() => readCacheFile(file, key, docId, 350)).toThrow(CacheIntegrityError);

    fs.writeFileSync(file, good);
    expect(readCacheFile(file, key, docId, 350).equals(data)).toBe(true);
  });

  it('resumes from a partial file: keeps complete chunks, re-hashes them, drops a torn one', () => {
    const file = tempFile();
    const data = crypto.randomBytes(1000);
    // An interrupted download: 3 whole chunks and 50 bytes buffered, then the process died…
    const first = EncryptedChunkWriter.resume(file, key, docId, 100, crypto.createHash('sha256'));
    first.append(data.subarray(0, 350));
    expect(first.durableBytes).toBe(300);
    first.close();
    // …in the middle of writing the fourth chunk.
    fs.appendFileSync(file, crypto.randomBytes(60));

    const hash = crypto.createHash('sha256');
    const w = EncryptedChunkWriter.resume(file, key, docId, 100, hash);
    expect(w.durableBytes).toBe(300);
    expect(fs.statSync(file).size).toBe(HEADER_BYTES + 3 * (100 + NONCE_BYTES + TAG_BYTES));
    w.append(data.subarray(300));
    hash.update(data.subarray(300));
    w.finish();
    w.close();
    expect(hash.digest('hex')).toBe(sha(data));
    expect(readCacheFile(file, key, docId, 1000).equals(data)).toBe(true);
  });

  it('starts over on a file of another chunk size or not ours, and on restart()', () => {
    const file = tempFile();
    const data = crypto.randomBytes(250);
    writeAll(file, data, 100);
    expect(EncryptedChunkWriter.resume(file, key, docId, 64, crypto.createHash('sha256')).durableBytes).toBe(0);
    fs.writeFileSync(file, 'not a cache file at all');
    const w = EncryptedChunkWriter.resume(file, key, docId, 100, crypto.createHash('sha256'));
    expect(w.durableBytes).toBe(0);
    w.append(crypto.randomBytes(150));
    w.restart();
    expect(w.durableBytes).toBe(0);
    w.append(data);
    w.finish();
    w.close();
    expect(readCacheFile(file, key, docId, 250).equals(data)).toBe(true);
  });
});
