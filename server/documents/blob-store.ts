import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { DOCUMENT_SNIFF_BYTES, detectDocumentMime, UNSUPPORTED_FILE_MESSAGE, type DocumentMime } from '../../shared/domain/documents.js';
import { AppError } from '../errors.js';

export interface StoredBlob {
  sha256: string;
  size: number;
  mime: DocumentMime;
  /** False when identical bytes were already stored (nothing new written). */
  created: boolean;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Content-addressed file storage: `<root>/ab/cd/<sha256>`. A file reaches its final name only
 * complete and fsynced (temp file in the same file system, fsync, rename, fsync of the directory),
 * so a crash never leaves a half-written file under a hash; identical bytes are stored once.
 */
export class BlobStore {
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
  }

  /**
   * Removes unfinished uploads (`tmp/*.part`) left by a process that died mid-upload. Called at
   * start-up, when no upload of this process can be running (one central API per data directory).
   */
  async sweepUnfinished(): Promise<number> {
    let names: string[];
    try {
      names = await fsp.readdir(this.tmpDir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const n of names) {
      if (!n.endsWith('.part')) continue;
      await fsp.unlink(path.join(this.tmpDir, n)).catch(() => undefined);
      removed += 1;
    }
    return removed;
  }

  pathFor(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * Reads the upload, checks what it is by its first bytes before writing anything, and stores
   * it. Refuses (nothing left on disk) a file of another kind, an empty one, or one over
   * `maxBytes`.
   */
  async ingest(source: AsyncIterable<Uint8Array> | null | undefined, maxBytes: number): Promise<StoredBlob> {
    const iterator = source ? source[Symbol.asyncIterator]() : null;
    const headParts: Buffer[] = [];
    let headLength = 0;
    let ended = iterator === null;
    while (!ended && headLength < DOCUMENT_SNIFF_BYTES) {
      const next = await iterator!.next();
      if (next.done) ended = true;
      else {
        headParts.push(Buffer.from(next.value));
        headLength += next.value.length;
      }
    }
    const head = Buffer.concat(headParts);
    if (head.length === 0) throw new AppError('VALIDATION_FAILED', 'Файл пуст. Выберите файл документа и отправьте снова.');
    const mime = detectDocumentMime(head);
    if (!mime) throw new AppError('UNSUPPORTED_FILE_TYPE', UNSUPPORTED_FILE_MESSAGE);
    if (head.length > maxBytes) throw tooLarge(maxBytes);

    await fsp.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(this.tmpDir, `${crypto.randomUUID()}.part`);
    const fh = await fsp.open(tmp, 'wx', 0o600);
    const hash = crypto.createHash('sha256');
    let size = 0;
    let closed = false;
    try {
      const write = async (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge(maxBytes);
        hash.update(chunk);
        await fh.write(chunk);
      };
      await write(head);
      while (!ended) {
        const next = await iterator!.next();
        if (next.done) ended = true;
        else await write(Buffer.from(next.value));
      }
      await fh.sync();
      await fh.close();
      closed = true;
      const sha256 = hash.digest('hex');
      const final = this.pathFor(sha256);
      if (fs.existsSync(final)) {
        await fsp.unlink(tmp);
        return { sha256, size, mime, created: false };
      }
      await fsp.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
      await fsp.rename(tmp, final);
      await syncDir(path.dirname(final));
      return { sha256, size, mime, created: true };
    } catch (err) {
      if (!closed) await fh.close().catch(() => undefined);
      await fsp.unlink(tmp).catch(() => undefined);
      // Stop reading the rest of a refused upload; Node discards what is left of the request.
      await iterator?.return?.().catch(() => undefined);
      throw err;
    }
  }

  /** Size on disk, or null when the file is missing (storage lost or not yet restored). */
  async stat(sha256: string): Promise<number | null> {
    try {
      return (await fsp.stat(this.pathFor(sha256))).size;
    } catch {
      return null;
    }
  }

  /** Bytes `start`..`end` inclusive. */
  read(sha256: string, start: number, end: number): fs.ReadStream {
    return fs.createReadStream(this.pathFor(sha256), { start, end });
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `Файл больше ${Math.round(maxBytes / 1024 / 1024)} МБ. Уменьшите его (например, разделите исследование на части) и отправьте снова.`);
}

/** Makes a rename durable: the directory entry is flushed too. No-op where unsupported (Windows). */
async function syncDir(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // Directories cannot be opened for fsync on some platforms.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
