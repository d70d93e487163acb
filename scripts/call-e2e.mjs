#!/usr/bin/env node
// The video-call end-to-end suites (e2e/call/) on real, shaped network links: two network
// namespaces joined by a veth pair, the test runner, the central API, the desktop host and the
// doctor's browser in one, the patient's browser in the other, and the kernel's token-bucket
// shaper (tc tbf) on both ends of the link to set its rate or cut it. Needs root (CI runs as
// root) and iproute2; says why and fails when it cannot have them — it never skips quietly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const tag = String(process.pid % 100000);
const nsA = `oblako-a-${tag}`;
const nsB = `oblako-b-${tag}`;
const ifA = `oba${tag}`;
const ifB = `obb${tag}`;
// A private /30 inside namespaces this run makes and removes: no traffic leaves them.
const octet = 16 + (process.pid % 200);
const addrA = `10.231.${octet}.1`;
const addrB = `10.231.${octet}.2`;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout || '').trim() || `exit ${r.status}`}`);
  return r;
}

function cleanup() {
  run('ip', ['netns', 'del', nsA], { allowFail: true });
  run('ip', ['netns', 'del', nsB], { allowFail: true });
}

const chromium = process.env.OBLAKO_CHROMIUM ?? '/usr/bin/chromium';
const wrapper = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-netns-')), 'chromium-b.sh');
let status = 1;
try {
  if (process.getuid?.() !== 0) throw new Error('the call suites shape real links in network namespaces and need root (CI runs as root): run `sudo npm test -- e2e:call`');
  run('ip', ['netns', 'add', nsA]);
  run('ip', ['netns', 'add', nsB]);
  run('ip', ['link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB]);
  run('ip', ['link', 'set', ifA, 'netns', nsA]);
  run('ip', ['link', 'set', ifB, 'netns', nsB]);
  run('ip', ['-n', nsA, 'addr', 'add', `${addrA}/30`, 'dev', ifA]);
  run('ip', ['-n', nsB, 'addr', 'add', `${addrB}/30`, 'dev', ifB]);
  for (const [ns, dev] of [[nsA, ifA], [nsB, ifB]]) {
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    // tbf must be there from the start: the tests change its rate, they never add it.
    run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', '1gbit', 'burst', '1mb', 'latency', '50ms']);
  }
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${nsB} ${chromium} "$@"\n`, { mode: 0o755 });
  const env = {
    ...process.env,
    OBLAKO_NETNS_A: nsA,
    OBLAKO_NETNS_B: nsB,
    OBLAKO_NETNS_IF_A: ifA,
    OBLAKO_NETNS_IF_B: ifB,
    OBLAKO_NETNS_ADDR_A: addrA,
    OBLAKO_NETNS_ADDR_B: addrB,
    OBLAKO_CHROMIUM_B: wrapper,
  };
  const bin = path.join(root, 'node_modules', '.bin', 'playwright');
  const args = ['netns', 'exec', nsA, bin, 'test', '-c', 'e2e/playwright.call.config.ts', ...process.argv.slice(2)];
  const r = spawnSync('ip', args, { cwd: root, stdio: 'inherit', env });
  status = r.status ?? 1;
} catch (err) {
  process.stderr.write(`\nThe call suites could not set up their network: ${err.message}\n`);
  status = 1;
} finally {
  cleanup();
  fs.rmSync(path.dirname(wrapper), { recursive: true, force: true });
}
process.exit(status);
