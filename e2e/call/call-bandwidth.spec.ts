import type { VideoCallPage } from '../page-models/index.js';
import base from '../playwright.config.js';
import { busyCameraArgs } from '../support/busy-camera.js';
import { expect, test } from '../support/fixtures.js';
import { shape } from '../support/netns.js';
import { tempDir } from '../support/processes.js';
import { callWorld, doctorStartsCall, patientJoins } from './call-world.js';

/**
 * The bandwidth policy on a real shaped link (tc tbf on both ends of the veth between the two
 * namespaces; this kernel has no netem, tbf does the shaping): at 2 Mbit/s video stays on and
 * under the cap; at 512 kbit/s both senders switch to sound only and the call goes on; back at
 * 2 Mbit/s video returns. Figures are the senders' own getStats, as the quality indicator shows them.
 */

// Both cameras film a busy scene, so the encoders fill what they are allowed to send, as a real
// camera does (the built-in fake one compresses to a trickle that fits any link; see busy-camera.ts).
const camera = busyCameraArgs();
test.use({ launchOptions: { ...base.use?.launchOptions, args: [...(base.use?.launchOptions?.args ?? []), ...camera] } });

/** `count` one-second readings of a side's figures. */
async function readings(call: VideoCallPage, count: number) {
  const out = [];
  for (let i = 0; i < count; i++) {
    out.push(await call.figures());
    await call.page.waitForTimeout(1000); // one stats interval between readings: sampling, not waiting for a state
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

test('2 Mbit/s: video under the cap; 512 kbit/s: sound only, call kept; 2 Mbit/s again: video back', async ({ page, system }) => {
  const w = await callWorld(system, tempDir('api'), {}, camera);
  try {
    const host = await system.desktop(w.localUrl);
    const doctor = await doctorStartsCall(page, host.url, w.patientName);
    const patient = await patientJoins(w);
    await expect(page.getByTestId('call-admit')).toBeVisible();
    await doctor.admit();
    await doctor.expectPhase('in-call');
    await patient.expectMediaArriving();

    shape({ kbit: 2000 });
    // The estimate settles within seconds; then ten seconds of readings.
    await expect.poll(async () => (await doctor.figures()).availableBps, { timeout: 60_000 }).toBeLessThan(2_100_000);
    const at2 = await readings(doctor, 10);
    console.log('2 Mbit/s, doctor sends:', at2.map((f) => `${f.level}:${Math.round(f.outVideoBps / 1000)}k`).join(' '));
    expect(at2.every((f) => f.level !== 'audio')).toBe(true);
    expect(median(at2.map((f) => f.outVideoBps))).toBeLessThanOrEqual(2_000_000);
    expect(Math.max(...at2.map((f) => f.outVideoBps))).toBeLessThanOrEqual(2_200_000);
    await patient.expectMediaArriving();

    shape({ kbit: 512 });
    // The trail of what the doctor's side saw, printed whether or not the switch comes in time.
    const trail: string[] = [];
    try {
      await expect
        .poll(async () => {
          const f = await doctor.figures();
          trail.push(`${f.level}:${Math.round(f.availableBps / 1000)}k/${Math.round(f.outVideoBps / 1000)}k`);
          return f.level;
        }, { timeout: 45_000, intervals: [1000] })
        .toBe('audio');
    } finally {
      console.log('512 kbit/s, doctor (level:estimate/sent):', trail.join(' '));
    }
    await expect.poll(async () => (await patient.figures()).level, { timeout: 45_000 }).toBe('audio');
    await expect(page.getByTestId('call-audio-only')).toBeVisible();
    // Not dropped: still in the call, and the sound keeps arriving on both sides.
    await doctor.expectPhase('in-call');
    await patient.expectPhase('in-call');
    const a0 = await doctor.figures();
    const b0 = await patient.figures();
    await expect.poll(async () => (await doctor.figures()).inAudioBytes > a0.inAudioBytes && (await patient.figures()).inAudioBytes > b0.inAudioBytes, { timeout: 15_000 }).toBe(true);
    console.log('512 kbit/s, doctor:', (await readings(doctor, 5)).map((f) => `${f.level}:${Math.round(f.availableBps / 1000)}k`).join(' '));

    shape({ kbit: 2000 });
    // Video comes back at the next probe (the policy waits at most a minute between probes).
    await expect.poll(async () => (await doctor.figures()).level, { timeout: 90_000, intervals: [1000] }).not.toBe('audio');
    await expect.poll(async () => (await patient.figures()).level, { timeout: 90_000, intervals: [1000] }).not.toBe('audio');
    await patient.expectMediaArriving();
    await doctor.expectMediaArriving();
    console.log('2 Mbit/s again, doctor:', (await readings(doctor, 5)).map((f) => `${f.level}:${Math.round(f.outVideoBps / 1000)}k`).join(' '));
    await doctor.end();
    await patient.expectPhase('ended');
  } finally {
    shape('open');
    await w.patientBrowser.close();
  }
});
