import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../errors.js';
import { ApiClient, SLOW_LINK_MESSAGE, timeoutFor, UNREACHABLE_MESSAGE } from './http-client.js';

let server: http.Server;
let base: string;
let mode: 'error' | 'hang' | 'proxy' | 'health' | 'slow-push' = 'health';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (mode === 'hang') return; // never answers
    if (mode === 'slow-push') {
      // Reads the whole body, then answers late: a big push on a slow line.
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ results: [], lastMutationId: 0 }));
        }, 400);
      });
      return;
    }
    if (mode === 'proxy') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<html>Bad gateway</html>');
    }
    if (mode === 'error') {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'Войдите снова.' } }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', version: '1', database: 'sqlite', demo: false, time: new Date().toISOString(), auth: req.headers.authorization ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    return (e as ServiceError).code;
  }
}

describe('ApiClient', () => {
  it('returns the parsed answer', async () => {
    mode = 'health';
    const res = await new ApiClient({ baseUrl: `${base}/` }).call('health');
    expect(res.status).toBe('ok');
  });

  it('maps {error:{code,message}} to a ServiceError with the same code and text', async () => {
    mode = 'error';
    const err = await new ApiClient({ baseUrl: base }).call('me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe('UNAUTHENTICATED');
    expect((err as ServiceError).message).toBe('Войдите снова.');
  });

  it('maps a refused connection, a timeout and a gateway error to SERVER_UNREACHABLE', async () => {
    expect(await code(new ApiClient({ baseUrl: 'http://127.0.0.1:1' }).call('health'))).toBe('SERVER_UNREACHABLE');
    mode = 'hang';
    expect(await code(new ApiClient({ baseUrl: base, timeoutMs: 200 }).call('health'))).toBe('SERVER_UNREACHABLE');
    mode = 'proxy';
    expect(await code(new ApiClient({ baseUrl: base }).call('health'))).toBe('SERVER_UNREACHABLE');
  });

  it('says a timed-out request is a slow line, not a lost connection', async () => {
    mode = 'hang';
    const err = await new ApiClient({ baseUrl: base, timeoutMs: 200 }).call('health').catch((e: unknown) => e);
    expect((err as ServiceError).message).toBe(SLOW_LINK_MESSAGE);
    const refused = await new ApiClient({ baseUrl: 'http://127.0.0.1:1' }).call('health').catch((e: unknown) => e);
    expect((refused as ServiceError).message).toBe(UNREACHABLE_MESSAGE);
  });

  it('gives a big request body time in proportion to its size', async () => {
    expect(timeoutFor(15_000, 5 * 1024 * 1024)).toBe(15_000 + 160_000);
    mode = 'slow-push';
    const args = { text: 'x'.repeat(64 * 1024) }; // + 2 s at 32 KiB/s: the 400 ms answer arrives in time
    const res = await new ApiClient({ baseUrl: base, timeoutMs: 200 }).call('syncPush', {
      clientId: '00000000-0000-4000-8000-000000000000',
      mutations: [{ id: 1, name: 'patient.create', args }],
    });
    expect(res.lastMutationId).toBe(0);
    // A small body still gets only the base time.
    expect(await code(new ApiClient({ baseUrl: base, timeoutMs: 200 }).call('syncPush', { clientId: '00000000-0000-4000-8000-000000000000', mutations: [{ id: 1, name: 'patient.create', args: {} }] }))).toBe('SERVER_UNREACHABLE');
  });
});
