import http from 'node:http';
import net from 'node:net';

/** One request that went through the proxy, as the desktop made it and as far as it got. */
export interface ProxiedRequest {
  method: string;
  path: string;
  range: string | null;
  status: number | null;
  /** Response body bytes handed to the desktop. */
  bytesOut: number;
  /** The server answered but the answer is being kept from the desktop. */
  held: boolean;
  /** Delivery stopped at `stallAt` bytes; the connection stays open. */
  stalled: boolean;
}

export interface ProxyRules {
  /** Keep this answer from the desktop (the server has already committed it). */
  hold?(r: ProxiedRequest): boolean;
  /** Trickle this body: at most `bytesPerTick` every few ms, stopping for good after `stallAt` bytes. */
  trickle?(r: ProxiedRequest): { bytesPerTick: number; stallAt?: number } | null;
}

const TICK_MS = 5;

/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of the central API: it can withhold an
 * answer the server has already committed (a push acknowledged on the server but not yet on the
 * desktop) and trickle or stall a body (a slow document download), so a kill -9 lands at a known
 * point instead of a lucky one. WebSocket upgrades (pokes) pass through untouched.
 */
export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  rules: ProxyRules = {};
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<FaultProxy> {
    const up = new URL(upstream);
    let proxy: FaultProxy | null = null;
    const server = http.createServer((req, res) => proxy?.forward(up, req, res));
    server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      const upSocket = net.connect(Number(up.port), up.hostname, () => {
        const lines = [`${req.method} ${req.url} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        upSocket.write(lines.join('\r\n') + '\r\n\r\n');
        if (head.length > 0) upSocket.write(head);
        socket.pipe(upSocket).pipe(socket);
      });
      const end = () => {
        socket.destroy();
        upSocket.destroy();
      };
      socket.on('error', end).on('close', end);
      upSocket.on('error', end).on('close', end);
      proxy?.sockets.add(socket);
      proxy?.sockets.add(upSocket);
    });
    server.on('connection', (s: net.Socket) => {
      proxy?.sockets.add(s);
      s.on('close', () => proxy?.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address() as net.AddressInfo;
    proxy = new FaultProxy(server, `http://127.0.0.1:${addr.port}`);
    return proxy;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(up: URL, req: http.IncomingMessage, res: http.ServerResponse): void {
    const record: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      range: typeof req.headers.range === 'string' ? req.headers.range : null,
      status: null,
      bytesOut: 0,
      held: false,
      stalled: false,
    };
    this.requests.push(record);
    const headers = { ...req.headers, host: up.host };
    const upReq = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers }, (upRes) => {
      record.status = upRes.statusCode ?? 502;
      if (this.rules.hold?.(record)) {
        // Drain the answer so the server finishes, but never pass it on.
        record.held = true;
        upRes.resume();
        return;
      }
      const out = { ...upRes.headers };
      delete out.connection;
      delete out['keep-alive'];
      res.writeHead(record.status, out);
      const trickle = this.rules.trickle?.(record) ?? null;
      if (!trickle) {
        upRes.on('data', (d: Buffer) => (record.bytesOut += d.length));
        upRes.pipe(res);
        return;
      }
      void this.trickle(upRes, res, record, trickle.bytesPerTick, trickle.stallAt ?? Infinity);
    });
    upReq.on('error', () => res.destroy());
    // The desktop went away (killed): the upstream side goes too.
    res.on('close', () => upReq.destroy());
    req.pipe(upReq);
  }

  private async trickle(upRes: http.IncomingMessage, res: http.ServerResponse, record: ProxiedRequest, perTick: number, stallAt: number): Promise<void> {
    try {
      for await (const chunk of upRes as AsyncIterable<Buffer>) {
        for (let at = 0; at < chunk.length; at += perTick) {
          const left = stallAt - record.bytesOut;
          const piece = chunk.subarray(at, Math.min(at + perTick, at + left, chunk.length));
          if (piece.length > 0) {
            res.write(piece);
            record.bytesOut += piece.length;
          }
          if (record.bytesOut >= stallAt) {
            // Hold the line open with the rest unsent, as a connection that stopped moving.
            record.stalled = true;
            return;
          }
          await new Promise((r) => setTimeout(r, TICK_MS));
          if (res.destroyed) return;
        }
      }
      res.end();
    } catch {
      res.destroy();
    }
  }
}
