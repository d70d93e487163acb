import { describe, expect, it } from 'vitest';
import { sampleCall, type StatsRecord } from './quality.js';

/** Two snapshots a second apart, shaped like Chromium's getStats() records. */
function snapshot(t: number, n: { sentVideo: number; gotVideo: number; frames: number; gotAudio: number; lost: number; received: number; available: number; fractionLost?: number }): StatsRecord[] {
  return [
    { type: 'transport', id: 'T1', timestamp: t, selectedCandidatePairId: 'CP1' },
    { type: 'candidate-pair', id: 'CP1', timestamp: t, localCandidateId: 'L1', remoteCandidateId: 'R1', availableOutgoingBitrate: n.available, currentRoundTripTime: 0.042 },
    { type: 'local-candidate', id: 'L1', timestamp: t, candidateType: 'relay' },
    { type: 'remote-candidate', id: 'R1', timestamp: t, candidateType: 'host' },
    { type: 'outbound-rtp', id: 'OV', kind: 'video', timestamp: t, bytesSent: n.sentVideo, framesEncoded: n.frames, frameWidth: 640, frameHeight: 360 },
    { type: 'inbound-rtp', id: 'IV', kind: 'video', timestamp: t, bytesReceived: n.gotVideo, framesDecoded: n.frames, packetsLost: n.lost, packetsReceived: n.received },
    { type: 'inbound-rtp', id: 'IA', kind: 'audio', timestamp: t, bytesReceived: n.gotAudio, audioLevel: 0.2, packetsLost: 0, packetsReceived: n.received },
    { type: 'remote-inbound-rtp', id: 'RV', kind: 'video', timestamp: t, fractionLost: n.fractionLost ?? 0 },
  ];
}

describe('call stats sample', () => {
  it('turns two snapshots into rates, the estimate, the path and a quality', () => {
    const a = snapshot(1000, { sentVideo: 0, gotVideo: 0, frames: 0, gotAudio: 0, lost: 0, received: 0, available: 2_500_000 });
    const b = snapshot(2000, { sentVideo: 125_000, gotVideo: 100_000, frames: 30, gotAudio: 4_000, lost: 0, received: 200, available: 2_500_000 });
    const s = sampleCall(b, a);
    expect(s.outVideo.bps).toBe(1_000_000);
    expect(s.inVideo.bps).toBe(800_000);
    expect(s.inVideo.fps).toBe(30);
    expect(s.inVideo.frames).toBe(30);
    expect(s.inAudio).toEqual({ bps: 32_000, bytes: 4_000, level: 0.2 });
    expect(s.link).toEqual({ availableBps: 2_500_000, lossFraction: 0 });
    expect(s.rttMs).toBe(42);
    expect(s.path).toEqual({ local: 'relay', remote: 'host' });
    expect(s.quality).toBe('good');
  });

  it('calls a lossy or thin link poor, and silence none', () => {
    const a = snapshot(1000, { sentVideo: 0, gotVideo: 0, frames: 0, gotAudio: 0, lost: 0, received: 0, available: 400_000 });
    const thin = sampleCall(snapshot(2000, { sentVideo: 10_000, gotVideo: 10_000, frames: 5, gotAudio: 4_000, lost: 0, received: 100, available: 400_000 }), a);
    expect(thin.quality).toBe('poor');
    const lossy = sampleCall(snapshot(2000, { sentVideo: 10_000, gotVideo: 10_000, frames: 5, gotAudio: 4_000, lost: 20, received: 100, available: 3_000_000 }), a);
    expect(lossy.inLossFraction).toBeCloseTo(20 / 220, 5);
    expect(lossy.quality).toBe('poor');
    const silent = sampleCall(a, a.map((r) => ({ ...r, timestamp: 0 })));
    expect(silent.quality).toBe('none');
  });
});
