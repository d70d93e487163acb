import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_UNLOCK_ATTEMPTS, RPC, type RpcMethod } from '../../shared/rpc/contract.js';
import { PASSWORD, referral, type World } from '../../server/test/world.js';
import { SESSION_KEY } from '../services/session.js';
import { LOCK_KEY } from '../services/session-lock.js';
import { storeFile } from '../services/store/paths.js';
import { desktopTestFrame, rpcError, type Central, eventsOf, ManualClock, secretsOf, startDesktop, syncSettled, tempDataDir, waitFor, type Desktop } from './helpers.js';

/**
 * The idle lock against a real central API: after the idle time the workstation locks by
 * itself; while locked every method but the few the lock screen needs is refused with LOCKED, the
 * local store is closed and on disk only ciphertext; the password (checked on this computer, so
 * offline too) unlocks and sync carries on; five wrong passwords end the session. Time is moved
 * by hand (ManualClock), except in the one test of the real timer.
 */
const IDLE = 10 * 60_000;

let central: Central;
let world: World;

const open = desktopTestFrame({ restartAfterEach: true }, async (c, w) => {
  central = c;
  world = w;
});

/** `clock` null: the real one. */
function desktopAt(dir: string, clock: ManualClock | null, idleLockMs = IDLE): Promise<Desktop> {
  return startDesktop(dir, central.url, { idleLockMs, ...(clock ? { clock } : {}) });
}

async function signedIn(login: string, idleLockMs = IDLE, clock: ManualClock | null = new ManualClock()) {
  const t = tempDataDir();
  const desktop = await desktopAt(t.dir, clock, idleLockMs);
  const entry = { desktop, cleanup: t.cleanup };
  open.push(entry);
  const session = await desktop.rpc.call('session.signIn', { serverUrl: central.url, login, password: PASSWORD });
  expect(session.locked).toBe(false);
  return { d: desktop, dir: t.dir, clock, entry, userId: session.user!.id };
}

const locked = (d: Desktop) => waitFor(async () => (await d.rpc.call('session.get')).locked, 'the workstation to lock');

/** Files this process has open (Linux): the locked store must be among none of them. */
function openFiles(): string[] {
  if (process.platform !== 'linux') return [];
  return fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [fs.readlinkSync(path.join('/proc/self/fd', fd))];
    } catch {
      return [];
    }
  });
}

const WHILE_LOCKED = (Object.keys(RPC) as RpcMethod[]).filter((m) => (RPC[m] as { whileLocked?: true }).whileLocked);

describe('the idle lock', () => {
  it('locks after the idle time; activity moves the deadline; while locked only the lock screen is answered and the store is closed ciphertext', async () => {
    const { d, dir, clock, userId } = await signedIn('phys-a');
    await syncSettled(d);
    const name = (await d.rpc.call('patients.list', {})).items[0]!.patient.lastName;

    clock!.advance(IDLE - 1000);
    expect((await d.rpc.call('session.get')).locked).toBe(false);
    await d.rpc.call('session.activity');
    clock!.advance(IDLE - 1000); // past the first deadline, not the moved one
    expect((await d.rpc.call('session.get')).locked).toBe(false);
    clock!.advance(1001);
    await locked(d);
    const s = await d.rpc.call('session.get');
    expect(s).toMatchObject({ locked: true, user: { login: 'phys-a' }, serverUrl: central.url });
    expect(eventsOf(d, 'session.changed').at(-1)).toMatchObject({ locked: true, user: { login: 'phys-a' } });

    // The router refuses every method not marked for the lock screen, whatever its arguments.
    expect(WHILE_LOCKED.sort()).toEqual(['app.info', 'session.get', 'session.lock', 'session.signIn', 'session.signOut', 'session.unlock']);
    for (const method of (Object.keys(RPC) as RpcMethod[]).filter((m) => !WHILE_LOCKED.includes(m))) {
      const e = await rpcError(d.rpc.call(method, {} as never));
      expect({ method, code: e.code }).toEqual({ method, code: 'LOCKED' });
      expect(e.message).toMatch(/заблокировано/);
    }

    // The store is closed: no open handle, no WAL left, and nothing readable on disk.
    const file = storeFile(dir, central.url, userId);
    expect(openFiles().filter((f) => f.startsWith(file))).toEqual([]);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const bytes = fs.readFileSync(file);
    expect(bytes.subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
    expect(bytes.includes(Buffer.from(name, 'utf8'))).toBe(false);
    // And a restart while locked comes back locked (the state is kept with the session).
    expect(JSON.parse(secretsOf(dir).get(LOCK_KEY)!)).toMatchObject({ locked: true, failedAttempts: 0 });
  });

  it('counts a wrong password, unlocks with the right one and sync resumes (a change made on the server meanwhile arrives)', async () => {
    const { d } = await signedIn('phys-a');
    await syncSettled(d);
    await d.rpc.call('session.lock');
    expect((await d.rpc.call('session.get')).locked).toBe(true);
    const meanwhile = await referral(central.server, world.physicianA.actor, 'bakulev', { lastName: 'Пока' });

    const wrong = await rpcError(d.rpc.call('session.unlock', { password: 'not-the-password' }));
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.message).toContain(`Осталось попыток: ${MAX_UNLOCK_ATTEMPTS - 1}`);
    expect((await d.rpc.call('session.get')).locked).toBe(true);
    expect((await rpcError(d.rpc.call('patients.list', {}))).code).toBe('LOCKED');
    expect((await rpcError(d.rpc.call('session.unlock', { password: '' }))).code).toBe('VALIDATION_FAILED');

    const session = await d.rpc.call('session.unlock', { password: PASSWORD });
    expect(session).toMatchObject({ locked: false, user: { login: 'phys-a' } });
    expect(eventsOf(d, 'session.changed').at(-1)?.locked).toBe(false);
    await waitFor(async () => (await d.rpc.call('patients.list', { q: 'Пока' })).items.some((r) => r.patient.id === meanwhile.patientId), 'the change made while locked');
    // Local changes go out again too.
    const created = await d.rpc.call('patients.create', { lastName: 'Разблокированный', firstName: 'Пётр', sex: 'male', birthDate: '1980-02-03' });
    await syncSettled(d);
    expect((await d.rpc.call('patients.list', { q: 'Разблокированный' })).items[0]).toMatchObject({ pending: false, patient: { id: created.patient.id } });

    // A successful unlock starts the count over.
    await d.rpc.call('session.lock');
    expect((await rpcError(d.rpc.call('session.unlock', { password: 'still-wrong' }))).message).toContain(`Осталось попыток: ${MAX_UNLOCK_ATTEMPTS - 1}`);
    await d.rpc.call('session.unlock', { password: PASSWORD });
  });

  it(`ends the session after ${MAX_UNLOCK_ATTEMPTS} wrong passwords, keeping unsent changes for the next sign-in`, async () => {
    const { d, dir } = await signedIn('phys-a');
    await syncSettled(d);
    await central.stop();
    await d.rpc.call('patients.create', { lastName: 'Неотправленный', firstName: 'Иван', sex: 'male', birthDate: '1981-03-04' });
    await d.rpc.call('session.lock');
    // Sign-out from the lock screen still warns about unsent changes.
    expect((await rpcError(d.rpc.call('session.signOut', {}))).code).toBe('PENDING_CHANGES');

    for (let i = 1; i < MAX_UNLOCK_ATTEMPTS; i++) {
      const e = await rpcError(d.rpc.call('session.unlock', { password: `wrong-${i}` }));
      expect(e.code).toBe('INVALID_CREDENTIALS');
      expect(e.message).toContain(`Осталось попыток: ${MAX_UNLOCK_ATTEMPTS - i}`);
    }
    const last = await rpcError(d.rpc.call('session.unlock', { password: 'wrong-last' }));
    expect(last.code).toBe('NOT_SIGNED_IN');
    expect(last.message).toMatch(/сеанс завершён/);
    expect(last.message).toMatch(/Неотправленные изменения сохранены/);
    expect(await d.rpc.call('session.get')).toEqual({ user: null, serverUrl: null, locked: false });
    expect(eventsOf(d, 'session.changed').at(-1)?.user).toBeNull();
    expect(secretsOf(dir).get(SESSION_KEY)).toBeNull();
    expect(secretsOf(dir).get(LOCK_KEY)).toBeNull();
    expect((await rpcError(d.rpc.call('patients.list', {}))).code).toBe('NOT_SIGNED_IN');

    // Signing in again brings the unsent change back and sends it.
    await central.restart();
    await d.rpc.call('session.signIn', { serverUrl: central.url, login: 'phys-a', password: PASSWORD });
    await syncSettled(d);
    expect((await d.rpc.call('patients.list', { q: 'Неотправленный' })).items[0]?.pending).toBe(false);
  });

  it('stays locked across a restart, unlocks offline, and another user may sign in over a locked session', async () => {
    const { d, dir, entry } = await signedIn('phys-a');
    await syncSettled(d);
    await d.rpc.call('session.lock');
    await d.rpc.call('session.unlock', { password: 'wrong' }).catch(() => undefined);
    await d.close();

    const again = await desktopAt(dir, new ManualClock());
    entry.desktop = again;
    expect(await again.rpc.call('session.get')).toMatchObject({ locked: true, user: { login: 'phys-a' } });
    expect((await rpcError(again.rpc.call('patients.list', {}))).code).toBe('LOCKED');
    // The failed attempt before the restart still counts.
    expect((await rpcError(again.rpc.call('session.unlock', { password: 'wrong' }))).message).toContain(`Осталось попыток: ${MAX_UNLOCK_ATTEMPTS - 2}`);

    await central.stop();
    expect((await again.rpc.call('session.unlock', { password: PASSWORD })).locked).toBe(false);
    expect((await again.rpc.call('patients.list', {})).total).toBeGreaterThan(0);
    await central.restart();

    await again.rpc.call('session.lock');
    const other = await again.rpc.call('session.signIn', { serverUrl: central.url, login: 'phys-b', password: PASSWORD });
    expect(other).toMatchObject({ locked: false, user: { login: 'phys-b' } });
    await syncSettled(again);
    const ids = (await again.rpc.call('patients.list', {})).items.map((r) => r.patient.id);
    expect(ids).toContain(world.pB.patientId);
    expect(ids).not.toContain(world.pA.patientId);
  });

  it('a session signed in before the lock existed (no verifier) unlocks once through the server', async () => {
    const { d, dir } = await signedIn('phys-a');
    await syncSettled(d);
    secretsOf(dir).delete(LOCK_KEY); // as an older version left it
    await d.rpc.call('session.lock');
    await central.stop();
    expect((await rpcError(d.rpc.call('session.unlock', { password: PASSWORD }))).code).toBe('SERVER_UNREACHABLE');
    expect((await d.rpc.call('session.get')).locked).toBe(true);
    await central.restart();
    const wrong = await rpcError(d.rpc.call('session.unlock', { password: 'wrong-password' }));
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.message).toContain(`Осталось попыток: ${MAX_UNLOCK_ATTEMPTS - 1}`);
    expect((await d.rpc.call('session.unlock', { password: PASSWORD })).locked).toBe(false);
    await syncSettled(d);
    // From now on the check is local again.
    expect(JSON.parse(secretsOf(dir).get(LOCK_KEY)!).verifier).toMatchObject({ v: 1 });
    await d.rpc.call('session.lock');
    await central.stop();
    expect((await d.rpc.call('session.unlock', { password: PASSWORD })).locked).toBe(false);
  });

  it('locks on the real timer with a short idle time', async () => {
    const { d } = await signedIn('doc-bakulev', 300, null);
    await locked(d);
    expect((await rpcError(d.rpc.call('requests.queue', {}))).code).toBe('LOCKED');
  });

  it('reads and sets the idle time per user (kept in their store, bounded)', async () => {
    const { d, clock } = await signedIn('doc-bakulev');
    expect(await d.rpc.call('session.idleLock')).toEqual({ idleMs: IDLE, defaultMs: IDLE, minMs: 60_000, maxMs: 3_600_000 });
    expect((await rpcError(d.rpc.call('session.setIdleLock', { idleMs: 1000 }))).code).toBe('VALIDATION_FAILED');
    expect((await rpcError(d.rpc.call('session.setIdleLock', { idleMs: 24 * 3_600_000 }))).code).toBe('VALIDATION_FAILED');
    expect((await d.rpc.call('session.setIdleLock', { idleMs: 120_000 })).idleMs).toBe(120_000);
    clock!.advance(120_001);
    await locked(d);
    await d.rpc.call('session.unlock', { password: PASSWORD });
    expect((await d.rpc.call('session.idleLock')).idleMs).toBe(120_000);
    clock!.advance(119_000);
    expect((await d.rpc.call('session.get')).locked).toBe(false);
  });
});
