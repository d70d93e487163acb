import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../http/rate-limit.js';
import { call, startTestServer, type TestServer } from './harness.js';

/**
 * Sign-in and the public verification routes are limited per client address, SMS resends per
 * manager: beyond the limit a Russian 429 with Retry-After, and nothing is done.
 */
describe('the limiter', () => {
  it('allows the limit per window, refuses beyond it with the seconds to wait, and starts afresh', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(() => now);
    const rule = { limit: 3, windowSeconds: 60, by: 'ip' as const };
    expect([1, 2, 3].map(() => limiter.hit('a', rule))).toEqual([0, 0, 0]);
    now += 15_000;
    expect(limiter.hit('a', rule)).toBe(45);
    expect(limiter.hit('b', rule)).toBe(0);
    now += 45_000;
    expect(limiter.hit('a', rule)).toBe(0);
  });
});

describe('routes under their real limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimitFactor: 1 });
  });
  afterAll(async () => server?.close());

  it('sign-in: 30 attempts a minute from one address, then 429 with Retry-After', async () => {
    for (let i = 0; i < 30; i++) {
      // Different unknown logins: the per-account lockout is not what is tested here.
      const res = await call(server.url, 'POST', '/api/auth/login', { body: { login: `nobody-${i}`, password: 'wrong-password' } });
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const refused = await call(server.url, 'POST', '/api/auth/login', { body: { login: 'nobody-31', password: 'wrong-password' } });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(refused.body.error.message).toMatch(/Повторите через \d+ с/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('the public conclusion check by code is limited too', async () => {
    let last = 0;
    for (let i = 0; i < 61; i++) last = (await call(server.url, 'GET', `/api/conclusions/verify/${'a'.repeat(64)}`)).status;
    expect(last).toBe(429);
  });
});
