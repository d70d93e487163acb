import { useEffect } from 'react';

/**
 * Editors that save with a short delay (a referral table, a conclusion) register their «save what
 * is typed now» here; «Заблокировать» runs them all before it locks. Saving on unmount is too
 * late then: by the time the shell goes away the services are locked and refuse the write, and the
 * last second of typing would be lost. One set for the page: there is one shell.
 */
const flushers = new Set<() => Promise<unknown>>();

export function useFlushBeforeLock(flush: () => Promise<unknown>): void {
  useEffect(() => {
    flushers.add(flush);
    return () => {
      flushers.delete(flush);
    };
  }, [flush]);
}

/**
 * Runs every registered save and waits for them, but never longer than `timeoutMs`: a save that
 * hangs (the services busy) must not keep the workstation open. Failures are the editors' own to
 * show; the lock goes ahead.
 */
export async function flushBeforeLock(timeoutMs = 3000): Promise<void> {
  if (flushers.size === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([Promise.allSettled([...flushers].map((f) => f())), limit]);
  } finally {
    clearTimeout(timer);
  }
}
