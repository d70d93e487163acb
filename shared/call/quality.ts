import type { LinkSample } from './bandwidth-policy.js';

/**
 * One second of a peer connection, read from two getStats() snapshots: what we send, what we
 * receive, the link estimate and the path in use. Pure over plain stats records, so it is tested
 * with recorded and simulated reports; the call feeds it `[...report.values()]`.
 */

export type StatsRecord = { type: string; id: string; timestamp: number; [key: string]: unknown };

export interface StreamRates {
  bps: number;
  /** Cumulative frames (decoded for incoming video, encoded for outgoing). */
  frames: number;
  fps: number;
  width: number | null;
  height: number | null;
}

export interface CallSample {
  link: LinkSample;
  rttMs: number | null;
  outVideo: StreamRates;
  outAudio: { bps: number };
  inVideo: StreamRates;
  /** `level`: the loudness of what arrives now, 0..1 (silence when the other side is muted). */
  inAudio: { bps: number; bytes: number; level: number };
  /** Share of incoming packets lost in this interval (audio and video), 0..1. */
  inLossFraction: number;
  /** The selected path: host (direct), srflx (through NAT), relay (TURN). */
  path: { local: string | null; remote: string | null };
  quality: Quality;
}

export type Quality = 'good' | 'fair' | 'poor' | 'none';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function byType(stats: readonly StatsRecord[], type: string, kind?: string): StatsRecord[] {
  return stats.filter((s) => s.type === type && (kind === undefined || s.kind === kind || s.mediaType === kind));
}

function sum(records: readonly StatsRecord[], key: string): number {
  return records.reduce((n, r) => n + (num(r[key]) ?? 0), 0);
}

function rate(now: readonly StatsRecord[], before: readonly StatsRecord[], key: string, seconds: number, scale = 1): number {
  if (seconds <= 0) return 0;
  return Math.max(0, ((sum(now, key) - sum(before, key)) * scale) / seconds);
}

function selectedPair(stats: readonly StatsRecord[]): StatsRecord | undefined {
  const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  if (transport) return stats.find((s) => s.id === transport.selectedCandidatePairId);
  return stats.find((s) => s.type === 'candidate-pair' && (s.selected === true || (s.nominated === true && s.state === 'succeeded')));
}

function timestampOf(stats: readonly StatsRecord[]): number {
  return stats.reduce((t, s) => Math.max(t, num(s.timestamp) ?? 0), 0);
}

/** The interval's figures; `before` is the previous snapshot (empty on the first call). */
export function sampleCall(now: readonly StatsRecord[], before: readonly StatsRecord[]): CallSample {
  const seconds = before.length > 0 ? (timestampOf(now) - timestampOf(before)) / 1000 : 0;
  const outV = byType(now, 'outbound-rtp', 'video');
  const outVb = byType(before, 'outbound-rtp', 'video');
  const inV = byType(now, 'inbound-rtp', 'video');
  const inVb = byType(before, 'inbound-rtp', 'video');
  const inA = byType(now, 'inbound-rtp', 'audio');
  const inAb = byType(before, 'inbound-rtp', 'audio');
  const inAll = byType(now, 'inbound-rtp');
  const inAllb = byType(before, 'inbound-rtp');

  const pair = selectedPair(now);
  const local = pair ? now.find((s) => s.id === pair.localCandidateId) : undefined;
  const remote = pair ? now.find((s) => s.id === pair.remoteCandidateId) : undefined;
  const rtt = num(pair?.currentRoundTripTime);

  // What the other side says it lost of our video (RTCP receiver reports).
  const remoteIn = byType(now, 'remote-inbound-rtp', 'video');
  const lossReported = remoteIn.map((r) => num(r.fractionLost)).filter((v): v is number => v !== null);
  const lossFraction = lossReported.length > 0 ? Math.max(...lossReported) : null;

  const lostNow = sum(inAll, 'packetsLost') - sum(inAllb, 'packetsLost');
  const gotNow = sum(inAll, 'packetsReceived') - sum(inAllb, 'packetsReceived');
  const inLossFraction = lostNow > 0 && lostNow + gotNow > 0 ? lostNow / (lostNow + gotNow) : 0;

  const streamRates = (n: StatsRecord[], b: StatsRecord[], framesKey: string): StreamRates => ({
    bps: rate(n, b, 'bytesSent', seconds, 8) + rate(n, b, 'bytesReceived', seconds, 8),
    frames: sum(n, framesKey),
    fps: rate(n, b, framesKey, seconds),
    width: num(n[0]?.frameWidth),
    height: num(n[0]?.frameHeight),
  });

  const sample: Omit<CallSample, 'quality'> = {
    link: { availableBps: num(pair?.availableOutgoingBitrate), lossFraction },
    rttMs: rtt === null ? null : Math.round(rtt * 1000),
    outVideo: streamRates(outV, outVb, 'framesEncoded'),
    outAudio: { bps: rate(byType(now, 'outbound-rtp', 'audio'), byType(before, 'outbound-rtp', 'audio'), 'bytesSent', seconds, 8) },
    inVideo: streamRates(inV, inVb, 'framesDecoded'),
    inAudio: { bps: rate(inA, inAb, 'bytesReceived', seconds, 8), bytes: sum(inA, 'bytesReceived'), level: Math.max(0, ...inA.map((r) => num(r.audioLevel) ?? 0)) },
    inLossFraction,
    path: { local: typeof local?.candidateType === 'string' ? local.candidateType : null, remote: typeof remote?.candidateType === 'string' ? remote.candidateType : null },
  };
  return { ...sample, quality: qualityOf(sample, seconds > 0) };
}

/**
 * The indicator a person reads: good (the picture and sound as promised), fair (a smaller
 * picture), poor (sound only or losses they will hear), none (nothing arrives).
 */
export function qualityOf(s: Omit<CallSample, 'quality'>, measured: boolean): Quality {
  if (!measured) return 'fair';
  if (s.inAudio.bps === 0 && s.inVideo.bps === 0) return 'none';
  const loss = Math.max(s.inLossFraction, s.link.lossFraction ?? 0);
  const rtt = s.rttMs ?? 0;
  const available = s.link.availableBps ?? 0;
  if (loss > 0.08 || rtt > 800 || (available > 0 && available < 560_000)) return 'poor';
  if (loss > 0.02 || rtt > 300 || (available > 0 && available < 1_000_000)) return 'fair';
  return 'good';
}
