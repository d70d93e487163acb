/**
 * How much video a sender puts on the wire, decided from what the connection can carry. Pure: it
 * takes one stats sample a second (see quality.ts) and says which level to send at; the call
 * applies it with RTCRtpSender.setParameters. Unit-tested with simulated stats feeds, and checked
 * against real shaped links in e2e/call-bandwidth.spec.ts.
 *
 * The programme promises video at 2 Mbit/s and audio at 512 kbit/s. So: never more than 2 Mbit/s
 * of video; below that, step resolution and frame rate down as the estimate falls; when there is
 * not enough for watchable video (under VIDEO_FLOOR_BPS — a 512 kbit/s link is audio territory),
 * stop sending video and keep the sound; every so often try video again, and keep it when the
 * link carries it. Stepping down is quick (two bad samples), stepping up slow (four good ones),
 * so a wobbling link does not make the picture flicker between sizes.
 */

export interface VideoLevel {
  id: 'hd' | 'sd' | 'low' | 'min';
  /** Divides the camera's resolution (1280×720 → 1: 720p, 2: 360p). */
  scaleResolutionDownBy: number;
  maxFramerate: number;
  /** The sender's cap for this level, bits per second. */
  maxBitrate: number;
  /** The estimate this level needs to be chosen (bits per second, audio included). */
  needs: number;
}

/** The cap the programme states: video never above 2 Mbit/s from one sender. */
export const VIDEO_CAP_BPS = 2_000_000;
/** Below this estimate video is dropped (audio keeps ~50 kbit/s, the rest is not enough to watch). */
export const VIDEO_FLOOR_BPS = 560_000;
/** A probe from audio-only succeeds when the estimate reaches this. */
export const VIDEO_RETURN_BPS = 700_000;

export const VIDEO_LEVELS: readonly VideoLevel[] = [
  { id: 'hd', scaleResolutionDownBy: 1, maxFramerate: 30, maxBitrate: VIDEO_CAP_BPS, needs: 1_600_000 },
  { id: 'sd', scaleResolutionDownBy: 4 / 3, maxFramerate: 25, maxBitrate: 1_200_000, needs: 1_000_000 },
  { id: 'low', scaleResolutionDownBy: 2, maxFramerate: 20, maxBitrate: 700_000, needs: VIDEO_RETURN_BPS },
  { id: 'min', scaleResolutionDownBy: 4, maxFramerate: 15, maxBitrate: 400_000, needs: VIDEO_FLOOR_BPS },
];

export type LevelId = VideoLevel['id'] | 'audio';

/** One second of the sender's view of the link. */
export interface LinkSample {
  /** The congestion controller's estimate (candidate-pair availableOutgoingBitrate); null until known. */
  availableBps: number | null;
  /** Share of the video packets lost on the way (remote-inbound-rtp), 0..1; null when unknown. */
  lossFraction: number | null;
}

export interface PolicyState {
  level: LevelId;
  /** Consecutive samples that argue for going down / up. */
  bad: number;
  good: number;
  /** In audio-only: when the next probe with video may start (ms, the sample clock). */
  nextProbeAt: number;
  probeBackoffMs: number;
  /** During a probe: samples taken so far; null when not probing. */
  probe: { samples: number } | null;
}

export const POLICY = {
  downAfter: 2,
  upAfter: 4,
  /** Loss above this counts against the current level whatever the estimate says. */
  badLoss: 0.1,
  /** Loss must be under this to step up. */
  goodLoss: 0.03,
  firstProbeMs: 8_000,
  maxProbeBackoffMs: 60_000,
  /** A probe gives the estimate this many samples to climb. */
  probeSamples: 8,
} as const;

export function initialPolicy(): PolicyState {
  // Start in the middle: the estimate starts low and climbs within seconds; a first picture at
  // 360p that improves beats a frozen 720p one.
  return { level: 'low', bad: 0, good: 0, nextProbeAt: 0, probeBackoffMs: POLICY.firstProbeMs, probe: null };
}

export function levelById(id: VideoLevel['id']): VideoLevel {
  const level = VIDEO_LEVELS.find((l) => l.id === id);
  if (!level) throw new Error(`unknown video level ${id}`);
  return level;
}

/** The best level the estimate carries, or audio-only. */
export function levelFor(availableBps: number): LevelId {
  return VIDEO_LEVELS.find((l) => availableBps >= l.needs)?.id ?? 'audio';
}

function rank(level: LevelId): number {
  return level === 'audio' ? VIDEO_LEVELS.length : VIDEO_LEVELS.findIndex((l) => l.id === level);
}

function oneUp(level: VideoLevel['id']): VideoLevel['id'] {
  const i = VIDEO_LEVELS.findIndex((l) => l.id === level);
  return VIDEO_LEVELS[Math.max(0, i - 1)]!.id;
}

/** The next state after one sample at time `now` (ms). `state.level` is what to send at. */
export function nextPolicy(state: PolicyState, sample: LinkSample, now: number): PolicyState {
  const { availableBps, lossFraction } = sample;
  const lossy = lossFraction !== null && lossFraction > POLICY.badLoss;

  if (state.level === 'audio') {
    if (now < state.nextProbeAt) return state;
    // Probe: send a small picture and see whether the estimate climbs (it cannot while only sound
    // is sent: the controller only learns what the link carries from what is sent on it).
    return { ...state, level: 'low', bad: 0, good: 0, probe: { samples: 0 } };
  }

  if (state.probe) {
    const samples = state.probe.samples + 1;
    if (!lossy && availableBps !== null && availableBps >= VIDEO_RETURN_BPS) {
      // Video is back; from here it climbs like any level (four good samples a step).
      return { ...state, level: 'low', bad: 0, good: 0, probe: null, probeBackoffMs: POLICY.firstProbeMs };
    }
    if (samples < POLICY.probeSamples && !(lossy && samples >= 2)) return { ...state, probe: { samples } };
    const backoff = Math.min(state.probeBackoffMs * 2, POLICY.maxProbeBackoffMs);
    return { ...state, level: 'audio', bad: 0, good: 0, probe: null, nextProbeAt: now + state.probeBackoffMs, probeBackoffMs: backoff };
  }

  if (availableBps === null) return state;
  const target = levelFor(availableBps);
  if (rank(target) > rank(state.level) || lossy) {
    const bad = state.bad + 1;
    if (bad < POLICY.downAfter) return { ...state, bad, good: 0 };
    // Down as far as the estimate says (a sudden drop goes straight to the right level); on
    // loss with a good estimate, one step.
    const down = rank(target) > rank(state.level) ? target : stepDown(state.level);
    if (down === 'audio') {
      return { ...state, level: 'audio', bad: 0, good: 0, nextProbeAt: now + state.probeBackoffMs, probeBackoffMs: Math.min(state.probeBackoffMs * 2, POLICY.maxProbeBackoffMs) };
    }
    return { ...state, level: down, bad: 0, good: 0 };
  }
  if (rank(target) < rank(state.level) && (lossFraction ?? 0) < POLICY.goodLoss) {
    const good = state.good + 1;
    if (good < POLICY.upAfter) return { ...state, good, bad: 0 };
    return { ...state, level: oneUp(state.level as VideoLevel['id']), good: 0, bad: 0, probeBackoffMs: POLICY.firstProbeMs };
  }
  return state.bad === 0 && state.good === 0 ? state : { ...state, bad: 0, good: 0 };
}

function stepDown(level: LevelId): LevelId {
  if (level === 'audio') return 'audio';
  const i = VIDEO_LEVELS.findIndex((l) => l.id === level);
  return VIDEO_LEVELS[i + 1]?.id ?? 'audio';
}

/** The encoding parameters for a level: what the call hands to RTCRtpSender.setParameters. */
export function encodingFor(level: LevelId): { active: boolean; maxBitrate: number; maxFramerate: number; scaleResolutionDownBy: number } {
  if (level === 'audio') return { active: false, maxBitrate: levelById('min').maxBitrate, maxFramerate: 15, scaleResolutionDownBy: 4 };
  const l = levelById(level);
  return { active: true, maxBitrate: l.maxBitrate, maxFramerate: l.maxFramerate, scaleResolutionDownBy: l.scaleResolutionDownBy };
}
