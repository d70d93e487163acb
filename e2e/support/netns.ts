import { spawnSync } from 'node:child_process';

/**
 * The network the call suites run on (made by scripts/call-e2e.mjs): this process, the central
 * API, the desktop host and the doctor's browser in namespace A; the patient's browser in B; one
 * veth link between them with a token-bucket shaper (tc tbf) on each end. `shape()` sets what the
 * link carries, in both directions at once.
 */
function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: the call suites run through scripts/call-e2e.mjs (npm test -- e2e:call)`);
  return v;
}

export const NETNS = {
  get a() {
    return required('OBLAKO_NETNS_A');
  },
  get b() {
    return required('OBLAKO_NETNS_B');
  },
  /** The doctor's side of the link: where the patient reaches the central API. */
  get addrA() {
    return required('OBLAKO_NETNS_ADDR_A');
  },
  /** Chromium started inside namespace B. */
  get chromiumB() {
    return required('OBLAKO_CHROMIUM_B');
  },
};

export type LinkRate = 'open' | 'cut' | { kbit: number };

function tbfArgs(rate: LinkRate): string[] {
  if (rate === 'open') return ['rate', '1gbit', 'burst', '1mb', 'latency', '50ms'];
  // A bucket smaller than one packet never lets one through: the link is up and carries nothing.
  if (rate === 'cut') return ['rate', '8bit', 'burst', '100', 'limit', '1'];
  const bytesPerSecond = (rate.kbit * 1000) / 8;
  // A bucket of ~20 ms and a queue of ~200 ms: a shaped line as a congested regional link is.
  const burst = Math.max(4000, Math.round(bytesPerSecond * 0.02));
  return ['rate', `${rate.kbit}kbit`, 'burst', String(burst), 'latency', '200ms'];
}

export function shape(rate: LinkRate): void {
  const args = ['qdisc', 'replace', 'dev', required('OBLAKO_NETNS_IF_A'), 'root', 'tbf', ...tbfArgs(rate)];
  const a = spawnSync('tc', args, { encoding: 'utf8' });
  if (a.status !== 0) throw new Error(`tc ${args.join(' ')}: ${a.stderr}`);
  const bArgs = ['netns', 'exec', NETNS.b, 'tc', 'qdisc', 'replace', 'dev', required('OBLAKO_NETNS_IF_B'), 'root', 'tbf', ...tbfArgs(rate)];
  const b = spawnSync('ip', bArgs, { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`ip ${bArgs.join(' ')}: ${b.stderr}`);
}
