/**
 * The pre-call check's verdict from a rough measurement of the link to the central API: what the
 * call will be able to do, and what to tell the person. The programme's minimums: 2 Mbit/s for
 * video, 512 kbit/s for sound. HTTP timing of a quarter-megabyte is rough (it includes the
 * round trip and TCP's slow start), so the figures are read generously.
 */
export interface ProbeFigures {
  downBps: number;
  upBps: number;
  rttMs: number;
}

export type LinkVerdict = 'video' | 'audio' | 'chat';

export const VIDEO_MIN_BPS = 2_000_000;
export const AUDIO_MIN_BPS = 512_000;
/** A quarter-megabyte fetched over HTTP reads slower than the link is; this much under still passes. */
const HTTP_TIMING_SLACK = 0.6;

export function verdictOf(p: ProbeFigures): LinkVerdict {
  const slowest = Math.min(p.downBps, p.upBps) / HTTP_TIMING_SLACK;
  if (slowest >= VIDEO_MIN_BPS) return 'video';
  if (slowest >= AUDIO_MIN_BPS) return 'audio';
  return 'chat';
}

/** «1,8 Мбит/с», «420 кбит/с». */
export function formatBps(bps: number): string {
  if (bps >= 1_000_000) return `${(bps / 1_000_000).toLocaleString('ru-RU', { maximumFractionDigits: 1 })} Мбит/с`;
  return `${Math.round(bps / 1000)} кбит/с`;
}
