import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IDLE_LOCK_MS, MAX_UNLOCK_ATTEMPTS } from '../../shared/rpc/contract.js';
import { MemorySecretStore } from './secrets.js';
import { checkUnlockPassword, IdleTimer, idleLockDefaultMs, LOCK_KEY, LockRecords, makeUnlockVerifier } from './session-lock.js';
import { ManualClock } from './test-clock.js';

describe('the idle timer', () => {
  it('fires once at the deadline; activity moves the deadline without a new timer each time', () => {
    const clock = new ManualClock();
    let fired = 0;
    const timer = new IdleTimer(clock, () => fired++);
    timer.arm(1000);
    clock.advance(999);
    expect(fired).toBe(0);
    for (let i = 0; i < 50; i++) {
      timer.touch();
      clock.advance(10);
    }
    timer.touch();
    clock.advance(999);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    expect(timer.deadline).toBeNull();
    clock.advance(10_000);
    expect(fired).toBe(1);
    // Activity while disarmed (locked) arms nothing.
    timer.touch();
    clock.advance(10_000);
    expect(fired).toBe(1);
  });

  it('does nothing once disarmed, and re-arming starts a fresh period', () => {
    const clock = new ManualClock();
    let fired = 0;
    const timer = new IdleTimer(clock, () => fired++);
    timer.arm(1000);
    timer.disarm();
    clock.advance(5000);
    expect(fired).toBe(0);
    timer.arm(2000);
    clock.advance(1999);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
  });
});

describe('the idle time setting', () => {
  it('comes from OBLAKO_IDLE_LOCK_MS when it is a positive whole number, else 15 minutes', () => {
    expect(DEFAULT_IDLE_LOCK_MS).toBe(15 * 60_000);
    expect(idleLockDefaultMs({})).toBe(DEFAULT_IDLE_LOCK_MS);
    expect(idleLockDefaultMs({ OBLAKO_IDLE_LOCK_MS: '2500' })).toBe(2500);
    for (const bad of ['', '0', '-5', '1.5', 'soon']) expect(idleLockDefaultMs({ OBLAKO_IDLE_LOCK_MS: bad })).toBe(DEFAULT_IDLE_LOCK_MS);
  });
});

describe('the unlock verifier', () => {
  it('accepts the password it was made from and nothing else; never holds the password', async () => {
    const v = await makeUnlockVerifier('Верный пароль 123');
    expect(JSON.stringify(v)).not.toContain('Верный');
    expect(v.N).toBeGreaterThanOrEqual(2 ** 15);
    expect(await checkUnlockPassword(v, 'Верный пароль 123')).toBe(true);
    expect(await checkUnlockPassword(v, 'Верный пароль 124')).toBe(false);
    expect(await checkUnlockPassword(v, '')).toBe(false);
    // Salted: the same password gives another hash.
    expect((await makeUnlockVerifier('Верный пароль 123')).hash).not.toBe(v.hash);
  });
});

describe('the lock record', () => {
  const who = { userId: crypto.randomUUID(), serverUrl: 'https://oblako.example.ru' };

  it('counts wrong passwords persistently, and is reset by sign-in and by unlocking', async () => {
    const secrets = new MemorySecretStore();
    const records = new LockRecords(secrets);
    await records.signedIn(who, 'пароль-пароль');
    records.setLocked(who, true, 3);
    expect(await records.check(who, 'нет')).toEqual({ kind: 'wrong', attemptsLeft: MAX_UNLOCK_ATTEMPTS - 1 });
    // Another reader of the same secret store (the app restarted) sees the count.
    expect(await new LockRecords(secrets).check(who, 'нет')).toEqual({ kind: 'wrong', attemptsLeft: MAX_UNLOCK_ATTEMPTS - 2 });
    expect(records.read(who)).toMatchObject({ locked: true, pending: 3, failedAttempts: 2 });
    expect(await records.check(who, 'пароль-пароль')).toEqual({ kind: 'ok' });
    records.setLocked(who, false, 0);
    expect(records.read(who)).toMatchObject({ locked: false, failedAttempts: 0 });
  });

  it('belongs to one user on one server; an unreadable one is ignored', async () => {
    const secrets = new MemorySecretStore();
    const records = new LockRecords(secrets);
    await records.signedIn(who, 'пароль-пароль');
    expect(records.read({ ...who, userId: crypto.randomUUID() })).toBeNull();
    expect(records.read({ ...who, serverUrl: 'https://other.example.ru' })).toBeNull();
    expect(await records.check({ ...who, userId: crypto.randomUUID() }, 'пароль-пароль')).toEqual({ kind: 'noVerifier' });
    secrets.set(LOCK_KEY, '{not json');
    expect(records.read(who)).toBeNull();
  });
});
