import { deflateRawSync } from 'node:zlib';
import { zipFiles as zipWith, type ZipEntry } from '../../../shared/xlsx/zip-write.js';

/** The shared zip writer with node:zlib's deflate (level 9), as a Buffer for fs and the RPC. */
export function zipFiles(files: readonly ZipEntry[]): Buffer {
  const bytes = zipWith(files, (raw) => deflateRawSync(raw, { level: 9 }));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
