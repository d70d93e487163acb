import type { ProbeFigures } from '../../../shared/call/precheck';
import { CALL_PROBE_BYTES } from '../../../shared/call/protocol';

/** Cameras and microphones, the stream from the chosen ones, and what went wrong in words. */

export interface DeviceChoice {
  cameraId: string | null;
  micId: string | null;
}

export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  mics: MediaDeviceInfo[];
}

export async function listDevices(): Promise<DeviceLists> {
  const all = await navigator.mediaDevices.enumerateDevices();
  return { cameras: all.filter((d) => d.kind === 'videoinput'), mics: all.filter((d) => d.kind === 'audioinput') };
}

/** 720p at 30 frames from the chosen camera (the sender scales it down as the link requires). */
export async function openMedia(choice: DeviceChoice, withVideo = true): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    audio: { ...(choice.micId ? { deviceId: { exact: choice.micId } } : {}), echoCancellation: true, noiseSuppression: true },
    video: withVideo ? { ...(choice.cameraId ? { deviceId: { exact: choice.cameraId } } : {}), width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } } : false,
  });
}

export type DeviceProblem = 'denied' | 'missing' | 'busy' | 'insecure' | 'other';

/** getUserMedia's errors, as the advice the screen gives (see i18n `call.device.*`). */
export function deviceProblem(err: unknown): DeviceProblem {
  const name = (err as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  if (typeof navigator !== 'undefined' && !navigator.mediaDevices) return 'insecure';
  return 'other';
}

/** A live microphone level 0..1, for the check's meter. */
export function levelMeter(stream: MediaStream): { level(): number; stop(): void } {
  const track = stream.getAudioTracks()[0];
  if (!track) return { level: () => 0, stop: () => undefined };
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  return {
    level: () => {
      analyser.getByteTimeDomainData(data);
      let peak = 0;
      for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
      return Math.min(1, peak / 64);
    },
    stop: () => void ctx.close(),
  };
}

/**
 * Times a quarter-megabyte each way against the central API (the portal's own origin, with its
 * session). Rough by nature; the verdict reads it generously (shared/call/precheck.ts).
 */
export async function probeOverHttp(serverUrl: string, headers: Record<string, string>, signal?: AbortSignal): Promise<ProbeFigures> {
  const base = serverUrl.replace(/\/+$/, '');
  const t0 = performance.now();
  const ping = await fetch(`${base}/api/health`, { cache: 'no-store', signal });
  await ping.arrayBuffer();
  const rttMs = performance.now() - t0;
  const t1 = performance.now();
  const down = await fetch(`${base}/api/call/probe`, { headers, cache: 'no-store', signal });
  if (!down.ok) throw new Error(`probe ${down.status}`);
  const got = (await down.arrayBuffer()).byteLength;
  const downBps = (got * 8) / Math.max(0.001, (performance.now() - t1 - rttMs / 2) / 1000);
  const body = new Uint8Array(CALL_PROBE_BYTES);
  crypto.getRandomValues(body.subarray(0, 65536));
  const t2 = performance.now();
  const up = await fetch(`${base}/api/call/probe`, { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' }, body, signal });
  if (!up.ok) throw new Error(`probe ${up.status}`);
  await up.json();
  const upBps = (body.byteLength * 8) / Math.max(0.001, (performance.now() - t2 - rttMs / 2) / 1000);
  return { downBps, upBps, rttMs: Math.round(rttMs) };
}
