import { describe, expect, it } from 'vitest';
import { encodingFor, initialPolicy, levelFor, nextPolicy, POLICY, VIDEO_CAP_BPS, type LevelId, type PolicyState } from './bandwidth-policy.js';

/**
 * A simulated link: the estimate follows what the link carries, but only up to what is being sent
 * (×1.5, as a congestion controller that learns from the traffic); sending more than the link
 * carries loses the excess. One sample a second.
 */
function simulate(schedule: { seconds: number; linkBps: number }[]) {
  let state: PolicyState = initialPolicy();
  let t = 0;
  const trace: { t: number; link: number; level: LevelId; sentBps: number }[] = [];
  for (const phase of schedule) {
    for (let i = 0; i < phase.seconds; i++) {
      const enc = encodingFor(state.level);
      const wanted = (enc.active ? enc.maxBitrate : 0) + 40_000;
      const sent = Math.min(wanted, phase.linkBps);
      const estimate = Math.min(phase.linkBps * 0.95, Math.max(sent * 1.5, 100_000));
      const loss = wanted > phase.linkBps ? (wanted - phase.linkBps) / wanted : 0;
      state = nextPolicy(state, { availableBps: estimate, lossFraction: loss }, t);
      trace.push({ t, link: phase.linkBps, level: state.level, sentBps: encodingFor(state.level).active ? Math.min(encodingFor(state.level).maxBitrate, phase.linkBps) : 0 });
      t += 1000;
    }
  }
  return { state, trace };
}

describe('bandwidth policy', () => {
  it('never asks for more than the 2 Mbit/s cap at any level', () => {
    for (const id of ['hd', 'sd', 'low', 'min', 'audio'] as const) expect(encodingFor(id).maxBitrate).toBeLessThanOrEqual(VIDEO_CAP_BPS);
    expect(encodingFor('hd').maxBitrate).toBe(VIDEO_CAP_BPS);
  });

  it('picks levels from the estimate', () => {
    expect(levelFor(5_000_000)).toBe('hd');
    expect(levelFor(1_200_000)).toBe('sd');
    expect(levelFor(800_000)).toBe('low');
    expect(levelFor(600_000)).toBe('min');
    expect(levelFor(512_000)).toBe('audio');
  });

  it('climbs to 720p on a good link and stays there', () => {
    const { trace } = simulate([{ seconds: 40, linkBps: 10_000_000 }]);
    expect(trace.at(-1)!.level).toBe('hd');
    // It gets there by steps, not at once: the first seconds are at a smaller size.
    expect(trace[0]!.level).toBe('low');
    expect(trace.slice(-10).every((s) => s.level === 'hd')).toBe(true);
  });

  it('at 2 Mbit/s keeps video, under the cap', () => {
    const { trace } = simulate([{ seconds: 40, linkBps: 2_000_000 }]);
    const last = trace.slice(-20);
    expect(last.every((s) => s.level !== 'audio')).toBe(true);
    expect(last.every((s) => s.sentBps <= VIDEO_CAP_BPS)).toBe(true);
  });

  it('at 512 kbit/s drops to audio within seconds and stays audio-only, probing rarely', () => {
    const { trace } = simulate([
      { seconds: 30, linkBps: 2_000_000 },
      { seconds: 120, linkBps: 512_000 },
    ]);
    const drop = trace.findIndex((s) => s.t >= 30_000 && s.level === 'audio');
    expect(drop).toBeGreaterThan(0);
    expect(trace[drop]!.t - 30_000).toBeLessThanOrEqual(5_000);
    const after = trace.filter((s) => s.t >= 40_000);
    const videoSeconds = after.filter((s) => s.level !== 'audio').length;
    // Probes only: a few short tries with growing pauses, far less than a fifth of the time.
    expect(videoSeconds).toBeGreaterThan(0);
    expect(videoSeconds / after.length).toBeLessThan(0.2);
  });

  it('brings video back when the link recovers', () => {
    const { trace } = simulate([
      { seconds: 20, linkBps: 2_000_000 },
      { seconds: 60, linkBps: 400_000 },
      { seconds: 120, linkBps: 2_000_000 },
    ]);
    const recovered = trace.filter((s) => s.t >= 80_000);
    const back = recovered.findIndex((s) => s.level !== 'audio');
    expect(back).toBeGreaterThanOrEqual(0);
    // The longest wait is one probe backoff (at most a minute) plus the probe itself.
    expect(recovered[back]!.t - 80_000).toBeLessThanOrEqual(POLICY.maxProbeBackoffMs + 10_000);
    expect(recovered.slice(-10).every((s) => s.level !== 'audio' && s.level !== 'min')).toBe(true);
  });

  it('steps down on sustained loss even when the estimate looks fine', () => {
    let s: PolicyState = { ...initialPolicy(), level: 'hd' };
    s = nextPolicy(s, { availableBps: 3_000_000, lossFraction: 0.2 }, 0);
    expect(s.level).toBe('hd');
    s = nextPolicy(s, { availableBps: 3_000_000, lossFraction: 0.2 }, 1000);
    expect(s.level).toBe('sd');
  });

  it('ignores one bad sample (no flicker)', () => {
    let s: PolicyState = { ...initialPolicy(), level: 'hd' };
    s = nextPolicy(s, { availableBps: 300_000, lossFraction: 0 }, 0);
    s = nextPolicy(s, { availableBps: 3_000_000, lossFraction: 0 }, 1000);
    s = nextPolicy(s, { availableBps: 300_000, lossFraction: 0 }, 2000);
    expect(s.level).toBe('hd');
  });

  it('waits for an estimate before deciding anything', () => {
    const s = nextPolicy(initialPolicy(), { availableBps: null, lossFraction: null }, 0);
    expect(s).toEqual(initialPolicy());
  });
});
