import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { createLogger } from '../logger.js';
import { CHANNEL_RE, channelDir, DEFAULT_CHANNEL, servableFiles, type FeedEntry } from './store.js';

const log = createLogger('http.updates');

/**
 * The update feed of the desktop app (electron-updater's generic provider):
 *   GET /api/updates/<file>            the `latest` channel
 *   GET /api/updates/<channel>/<file>  another channel (the desktop's feed URL then ends in /<channel>/)
 * Only the `latest*.yml` of a channel and the files they name are served; a name is looked up in
 * that list and never joined into a path unchecked, so there is nothing to traverse. Installers
 * support Range requests (single and multipart, as electron-updater's differential download asks).
 */
export const UPDATE_FEED_PREFIX = '/api/updates';

const TYPES: Record<string, string> = {
  '.yml': 'text/yaml; charset=utf-8',
  '.exe': 'application/vnd.microsoft.portable-executable',
  '.appimage': 'application/vnd.appimage',
  '.deb': 'application/vnd.debian.binary-package',
  '.rpm': 'application/x-rpm',
  '.dmg': 'application/x-apple-diskimage',
  '.zip': 'application/zip',
  '.blockmap': 'application/octet-stream',
};

function contentType(name: string): string {
  return TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

type Range = { start: number; end: number };

/** Parses `bytes=…` against a size: the ranges, `null` for no/ignored header, `'unsatisfiable'` for 416. */
export function parseRange(header: string | undefined, size: number): Range[] | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(.+)$/.exec(header.trim());
  if (!m?.[1]) return null;
  const ranges: Range[] = [];
  for (const part of m[1].split(',')) {
    const r = /^\s*(\d*)-(\d*)\s*$/.exec(part);
    if (!r) return null;
    const [, a = '', b = ''] = r;
    if (a === '' && b === '') return null;
    let start: number;
    let end: number;
    if (a === '') {
      const n = Number(b);
      if (n === 0) continue;
      start = Math.max(0, size - n);
      end = size - 1;
    } else {
      start = Number(a);
      end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
      if (b !== '' && Number(b) < start) return null;
    }
    if (start >= size) continue;
    ranges.push({ start, end });
  }
  if (ranges.length === 0) return 'unsatisfiable';
  // Too many pieces is a denial-of-service shape, not a download: answer with the whole file.
  if (ranges.length > 200) return null;
  return ranges;
}

async function* multipart(file: string, ranges: Range[], size: number, type: string, boundary: string): AsyncGenerator<Buffer> {
  for (const r of ranges) {
    yield Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`);
    for await (const chunk of fs.createReadStream(file, { start: r.start, end: r.end })) yield chunk as Buffer;
  }
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

function multipartLength(ranges: Range[], size: number, type: string, boundary: string): number {
  let n = Buffer.byteLength(`\r\n--${boundary}--\r\n`);
  for (const r of ranges) {
    n += Buffer.byteLength(`\r\n--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`);
    n += r.end - r.start + 1;
  }
  return n;
}

export function registerUpdateFeed(app: FastifyInstance, ctx: Pick<AppContext, 'config'>): void {
  // Route-level onSend runs after the app's (which says `no-store`): the feed's caching rules win.
  const onSend = async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const cache = reply.getHeader('X-Feed-Cache');
    if (typeof cache === 'string') {
      reply.header('Cache-Control', cache);
      reply.removeHeader('X-Feed-Cache');
    }
    return payload;
  };

  const serve = async (req: FastifyRequest, reply: FastifyReply, channel: string, name: string) => {
    if (!CHANNEL_RE.test(channel)) return reply.callNotFound();
    const dir = channelDir(ctx.config.dataDir, channel);
    const entry: FeedEntry | undefined = (await servableFiles(dir)).get(name);
    if (!entry) return reply.callNotFound();
    const file = path.join(dir, entry.file);
    // Defence in depth: the listed names are single safe segments already.
    if (path.dirname(file) !== dir) return reply.callNotFound();
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(file);
    } catch {
      return reply.callNotFound();
    }
    if (!st.isFile()) return reply.callNotFound();
    const type = contentType(entry.file);
    const etag = `"${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}"`;
    reply
      .header('Content-Type', type)
      .header('ETag', etag)
      .header('Last-Modified', st.mtime.toUTCString())
      .header('Accept-Ranges', entry.kind === 'index' ? 'none' : 'bytes')
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      // The index changes with every release: always revalidated. Installers keep their name per version.
      .header('X-Feed-Cache', entry.kind === 'index' ? 'no-cache' : 'public, max-age=3600');
    if (entry.kind !== 'index') reply.header('Content-Disposition', `attachment; filename="${entry.file}"`);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();

    if (entry.kind === 'index') return reply.code(200).send(await fs.promises.readFile(file));
    const ifRange = req.headers['if-range'];
    const ranges = ifRange && ifRange !== etag ? null : parseRange(req.headers.range, st.size);
    if (ranges === 'unsatisfiable') return reply.code(416).header('Content-Range', `bytes */${st.size}`).send();
    if (!ranges) return reply.code(200).header('Content-Length', st.size).send(fs.createReadStream(file));
    if (ranges.length === 1) {
      const r = ranges[0] as Range;
      return reply
        .code(206)
        .header('Content-Range', `bytes ${r.start}-${r.end}/${st.size}`)
        .header('Content-Length', r.end - r.start + 1)
        .send(fs.createReadStream(file, { start: r.start, end: r.end }));
    }
    const boundary = `oblako-${st.size.toString(36)}-${Date.now().toString(36)}`;
    return reply
      .code(206)
      .header('Content-Type', `multipart/byteranges; boundary=${boundary}`)
      .header('Content-Length', multipartLength(ranges, st.size, type, boundary))
      .send(Readable.from(multipart(file, ranges, st.size, type, boundary)));
  };

  const handle = (channel: string, name: string, req: FastifyRequest, reply: FastifyReply) =>
    serve(req, reply, channel, name).catch((err: unknown) => {
      log.error({ err, channel, name }, 'update feed failed');
      throw err;
    });

  app.get(`${UPDATE_FEED_PREFIX}/:file`, { onSend }, (req, reply) => handle(DEFAULT_CHANNEL, (req.params as { file: string }).file, req, reply));
  app.get(`${UPDATE_FEED_PREFIX}/:channel/:file`, { onSend }, (req, reply) => {
    const { channel, file } = req.params as { channel: string; file: string };
    return handle(channel, file, req, reply);
  });
}
