import { expect, test } from '@playwright/test';
import { RpcError } from '../shared/rpc/messages.js';
import { connectRpc } from './support/node-rpc.js';
import { ApiUser, startCentralApi, startDesktopHost, tempDir, type CentralApi, type DesktopHost } from './support/processes.js';

let api: CentralApi;
let host: DesktopHost;

test.beforeAll(async () => {
  api = await startCentralApi(tempDir('api'));
  host = await startDesktopHost(tempDir('desktop'), api.url);
});
test.afterAll(async () => {
  await host?.stop();
  await api?.stop();
});

const tokenOf = (h: DesktopHost) => new URL(h.url).hash.replace('#token=', '');

test('the host refuses a connection without the launch token', async () => {
  await expect(connectRpc(host.origin, '')).rejects.toThrow('refused: 401');
  await expect(connectRpc(host.origin, 'f'.repeat(64))).rejects.toThrow('refused: 401');
});

test('the host refuses a connection from another origin, even with the token', async () => {
  await expect(connectRpc(host.origin, tokenOf(host), 'http://evil.example')).rejects.toThrow('refused: 403');
  await expect(connectRpc(host.origin, tokenOf(host), 'http://localhost:' + new URL(host.origin).port)).rejects.toThrow('refused: 403');
});

test('a page from another origin in a real browser cannot reach the services', async ({ page }) => {
  // An attacker's page that knows the port (but not the token, nor our origin) tries anyway.
  await page.goto('about:blank');
  const outcome = await page.evaluate(async (origin) => {
    return await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/rpc?token=guess`);
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    });
  }, host.origin);
  expect(outcome).toBe('refused');
});

test('malformed upgrades and reset connections do not take the services down', async () => {
  const port = Number(new URL(host.origin).port);
  const net = await import('node:net');
  // A path the URL parser rejects, then connections reset mid-handshake, many times.
  for (const path of ['//', '/rpc']) {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        s.resetAndDestroy();
        resolve();
      });
      s.on('error', () => resolve());
    });
  }
  for (let i = 0; i < 20; i++) {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write('GET /rpc?token=x HTTP/1.1\r\nUpgrade: websocket\r\n\r\n');
        s.resetAndDestroy();
        resolve();
      });
      s.on('error', () => resolve());
    });
  }
  // Still serving: a proper connection works.
  const { client, ws } = await connectRpc(host.origin, tokenOf(host));
  expect((await client.call('app.info', {})).shell).toBe('browser');
  ws.close();
  expect(host.proc.exitCode).toBeNull();
});

test('the UI runs under a CSP in which an injected inline script does not run', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('sign-in-form')).toBeVisible();
  const outcome = await page.evaluate(async () => {
    // Runs in the page; the suite is compiled without DOM types, hence the narrow casts.
    type El = { textContent: string; src: string; setAttribute(n: string, v: string): void };
    const g = globalThis as unknown as {
      __injected?: boolean;
      document: {
        createElement(tag: string): El;
        body: { append(e: El): void };
        addEventListener(type: 'securitypolicyviolation', l: (e: { effectiveDirective: string }) => void): void;
      };
    };
    // Both injections are reported as violations; the flag shows whether either ran anyway.
    const blocked = new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      g.document.addEventListener('securitypolicyviolation', (e) => {
        seen.push(e.effectiveDirective);
        if (seen.length === 2) resolve(seen);
      });
    });
    const s = g.document.createElement('script');
    s.textContent = 'window.__injected = true';
    g.document.body.append(s);
    const img = g.document.createElement('img');
    img.setAttribute('onerror', 'window.__injected = true');
    img.src = 'data:,not-an-image';
    g.document.body.append(img);
    const directives = await blocked;
    return { directives, ran: g.__injected === true };
  });
  expect(outcome.ran).toBe(false);
  expect(outcome.directives.every((d) => d.startsWith('script-src'))).toBe(true);
});

test('the host listens on loopback only', () => {
  expect(new URL(host.origin).hostname).toBe('127.0.0.1');
});

test('an RPC call with invalid arguments is refused with a validation error and changes nothing', async () => {
  const { client, ws } = await connectRpc(host.origin, tokenOf(host));
  try {
    await expect(client.call('patients.list', {})).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
    const session = await client.call('session.signIn', { serverUrl: api.url, login: 'demo-physician', password: 'oblako-demo' });
    expect(session.user?.role).toBe('physician');
    await expect.poll(async () => (await client.call('sync.status')).lastSyncedAt, { timeout: 15_000 }).not.toBeNull();

    const before = await client.call('patients.list', { limit: 500 });
    const invalid = [
      { lastName: 'Иванов', firstName: 'Иван', sex: 'male', birthDate: 'вчера' },
      { lastName: 'Иванов', firstName: 'Иван', sex: 'male', birthDate: '1980-01-01', isAdmin: true },
      { lastName: "'; DROP TABLE patients; --", firstName: 'Иван', sex: 'unknown', birthDate: '1980-01-01' },
      { lastName: 'Иванов', firstName: 'Иван', sex: 'male', birthDate: '1980-01-01', snils: '123' },
      'not an object',
    ];
    for (const params of invalid) {
      const err = await client.call('patients.create', params as never).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RpcError);
      expect((err as RpcError).code).toBe('VALIDATION_FAILED');
      expect((err as RpcError).message).toMatch(/[А-Яа-я]/);
    }
    await expect(client.call('no.such.method' as never, {} as never)).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    await expect(client.call('requests.take', { id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const after = await client.call('patients.list', { limit: 500 });
    expect(after.total).toBe(before.total);
    expect((await client.call('sync.status')).pending).toBe(0);
    // Nothing reached the server either.
    const manager = await ApiUser.signIn(api.url, 'demo-manager');
    const onServer = await manager.call<{ total: number }>('GET', '/api/patients?limit=1');
    const physician = await ApiUser.signIn(api.url, 'demo-physician');
    const mine = await physician.call<{ total: number }>('GET', '/api/patients?limit=1');
    expect(mine.total).toBe(before.total);
    expect(onServer.total).toBeGreaterThanOrEqual(mine.total);
  } finally {
    ws.close();
  }
});
