import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../errors.js';
import { ApiClient } from './http-client.js';

let server: http.Server;
let base: string;
let mode: 'error' | 'hang' | 'proxy' | 'health' = 'health';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (mode === 'hang') return; // never answers
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
});
