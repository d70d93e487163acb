import type { ProbeFigures } from '../../../shared/call/precheck';
import { measureLink } from '../../../shared/call/link-probe';

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

/** The portal's link check: against its own origin, with the patient's session. */
export function probeOverHttp(serverUrl: string, headers: Record<string, string>, signal?: AbortSignal): Promise<ProbeFigures> {
  return measureLink({ baseUrl: serverUrl, headers, signal });
}
