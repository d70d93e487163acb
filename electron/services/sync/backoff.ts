/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so many
 * desktops that lost the server together do not all come back in the same instant.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
