import { useEffect } from 'react';
import { ACTIVITY_REPORT_MIN_INTERVAL_MS } from '../../shared/rpc/contract';
import { useRpc } from '../rpc/context';

/**
 * What counts as the user being at the keyboard. Pointer moves count too: reading a long document
 * with the mouse on it is work, and the check per event is a clock read.
 */
const EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/**
 * A throttle with a trailing call: the first activity is reported at once, later ones at most
 * every `intervalMs`, and activity inside a window is reported when the window ends, so the
 * services' idle deadline is never more than one window behind the user.
 */
export function createActivityReporter(report: () => void, intervalMs = ACTIVITY_REPORT_MIN_INTERVAL_MS, now: () => number = Date.now) {
  let last = -Infinity;
  let trailing: ReturnType<typeof setTimeout> | null = null;
  const send = () => {
    last = now();
    report();
  };
  return {
    activity(): void {
      const since = now() - last;
      if (since >= intervalMs) {
        send();
      } else if (trailing === null) {
        trailing = setTimeout(() => {
          trailing = null;
          send();
        }, intervalMs - since);
      }
    },
    stop(): void {
      if (trailing !== null) clearTimeout(trailing);
      trailing = null;
    },
  };
}

/**
 * Tells the desktop services that the user is active (keyboard, pointer, wheel), throttled, while
 * the component is mounted; the services lock the workstation when the reports stop for the idle
 * time. A refused report (the session has just locked) is of no interest.
 */
export function useActivity(): void {
  const rpc = useRpc();
  useEffect(() => {
    const reporter = createActivityReporter(() => {
      rpc.call('session.activity').catch(() => undefined);
    });
    const onActivity = () => reporter.activity();
    for (const e of EVENTS) window.addEventListener(e, onActivity, { passive: true, capture: true });
    return () => {
      for (const e of EVENTS) window.removeEventListener(e, onActivity, { capture: true });
      reporter.stop();
    };
  }, [rpc]);
}

/**
 * Counts as activity for as long as `active` holds, with no input at all: a video consultation
 * must not lock the doctor out while they listen and talk.
 */
export function useKeepAwake(active = true): void {
  const rpc = useRpc();
  useEffect(() => {
    if (!active) return;
    const ping = () => {
      rpc.call('session.activity').catch(() => undefined);
    };
    ping();
    const timer = setInterval(ping, ACTIVITY_REPORT_MIN_INTERVAL_MS * 2);
    return () => clearInterval(timer);
  }, [rpc, active]);
}
