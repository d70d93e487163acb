import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { expect, test } from '../support/fixtures.js';
import { NETNS, shape } from '../support/netns.js';
import { tempDir } from '../support/processes.js';
import { callWorld, doctorStartsCall, patientJoins } from './call-world.js';

/**
 * The centre's own TURN server, relay only: a real coturn (Debian's) on the doctor's side of the
 * link with a shared secret; the central API configured with it and `OBLAKO_ICE_RELAY_ONLY=1`.
 * The call connects, both sides' selected path is `relay`, media flows — with credentials the
 * server made for each participant from the secret, nothing built in.
 */

function startCoturn(secret: string, dir: string): Promise<ChildProcess> {
  const proc = spawn(
    'turnserver',
    [
      '-n', '--listening-ip', NETNS.addrA, '--relay-ip', NETNS.addrA, '--listening-port', '3478', '--min-port', '49160', '--max-port', '49200',
      '--use-auth-secret', '--static-auth-secret', secret, '--realm', 'oblako.test', '--no-tls', '--no-dtls', '--no-cli', '--fingerprint',
      '--log-file', 'stdout', '--simple-log', '--pidfile', path.join(dir, 'turnserver.pid'), '--db', path.join(dir, 'turndb'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start:\n${out}`)), 20_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Total General servers')) {
        clearTimeout(timer);
        resolve(proc);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited with ${code}:\n${out}`));
    });
  });
}

test('relay only through the centre’s own TURN server', async ({ page, system }) => {
  const secret = crypto.randomBytes(16).toString('hex');
  const turn = await startCoturn(secret, tempDir('coturn'));
  const w = await callWorld(system, tempDir('api'), { OBLAKO_ICE_SERVERS: `turn:${NETNS.addrA}:3478?transport=udp`, OBLAKO_TURN_SECRET: secret, OBLAKO_ICE_RELAY_ONLY: '1' });
  try {
    const host = await system.desktop(w.localUrl);
    const doctor = await doctorStartsCall(page, host.url, w.patientName);
    const patient = await patientJoins(w);
    await expect(page.getByTestId('call-admit')).toBeVisible();
    await doctor.admit();
    await doctor.expectPhase('in-call', 45_000);
    await patient.expectPhase('in-call', 45_000);
    await doctor.expectMediaArriving();
    await patient.expectMediaArriving();
    await expect(doctor.quality).toHaveAttribute('data-path', 'relay');
    await expect(patient.quality).toHaveAttribute('data-path', 'relay');
    await doctor.end();
    await patient.expectPhase('ended');
  } finally {
    shape('open');
    await w.patientBrowser.close();
    turn.kill('SIGTERM');
  }
});
