import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { RPC_MAX_MESSAGE_BYTES } from '../../shared/rpc/messages.js';
import type { DesktopServices } from '../services/app.js';
import { createLogger } from '../services/logger.js';
import { buildCsp } from '../services/security/csp.js';
import { readStatic } from './static-files.js';

const log = createLogger('host');

export interface HostOptions {
  services: Pick<DesktopServices, 'router' | 'bus'>;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** The central API the UI may reach directly (calls, live events); as in the Electron shell. */
  serverUrl: string;
}

export interface Host {
  origin: string;
  /** The address to open: the token travels in the fragment, which is never sent over HTTP. */
  url: string;
  token: string;
  close(): Promise<void>;
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * The browser-mode host: the desktop services' RPC router over a local WebSocket, and the built
 * renderer over HTTP, on 127.0.0.1 only. A connection must bring the per-launch token and come
 * from our own origin; anything else is refused before the upgrade, so another local user or a
 * web page in the same browser cannot drive the services.
 */
export async function startHost(opts: HostOptions): Promise<Host> {
  const token = crypto.randomBytes(32).toString('hex');
  let origin = '';
  const sockets = new Set<WebSocket>();

  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const file = readStatic(opts.staticDir, req.url ?? '/');
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Не найдено');
      return;
    }
    res.writeHead(200, {
      'content-type': file.type,
      'content-security-policy': buildCsp(opts.serverUrl, [origin.replace(/^http/, 'ws')]),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: RPC_MAX_MESSAGE_BYTES });

  // A malformed request or a reset connection must never take the services down: any page in
  // the user's browser can reach this port.
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, why: string) => {
      log.warn({ why, origin: req.headers.origin ?? null }, 'rpc connection refused');
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
    };
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return refuse(400, 'url');
    }
    if (url.pathname !== '/rpc') return refuse(404, 'path');
    if (req.headers.origin !== origin) return refuse(403, 'origin');
    if (!sameToken(url.searchParams.get('token'), token)) return refuse(401, 'token');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    const unsubscribe = opts.services.bus.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      void opts.services.router.handleRaw(data.toString()).then((answer) => {
        if (answer && ws.readyState === ws.OPEN) ws.send(JSON.stringify(answer));
      });
    });
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  log.info({ origin }, 'browser-mode host listening');

  return {
    origin,
    url: `${origin}/#token=${token}`,
    token,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
