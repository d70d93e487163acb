#!/usr/bin/env node
// `npm test`: every check, in order — typecheck, lint, unit tests, the desktop services against a
// real central API, the server suite on SQLite and on PostgreSQL, the UI build, the end-to-end
// suites in Debian's Chromium, and the benchmarks in their quick mode (figures only, no pass/fail
// on speed). Prints each stage's test counts and a closing "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const only = process.argv.slice(2);
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-test-report-'));

const stages = [
  { name: 'typecheck', cmd: bin('tsc'), args: ['-p', 'tsconfig.json', '--noEmit'] },
  // electron/main and preload against Electron's own type definitions (the binary cannot run here).
  { name: 'typecheck:electron', cmd: bin('tsc'), args: ['-p', 'tsconfig.electron.json', '--noEmit'] },
  { name: 'typecheck:renderer', cmd: bin('tsc'), args: ['-p', 'renderer/tsconfig.json', '--noEmit'] },
  { name: 'lint', cmd: bin('eslint'), args: ['.', '--max-warnings=0'] },
  { name: 'unit', cmd: bin('vitest'), args: ['run', '--project', 'unit'], counts: true },
  { name: 'desktop', cmd: bin('vitest'), args: ['run', '--project', 'desktop', '--passWithNoTests'], env: { OBLAKO_TEST_DB: 'sqlite' }, counts: true },
  { name: 'server:sqlite', cmd: bin('vitest'), args: ['run', '--project', 'server'], env: { OBLAKO_TEST_DB: 'sqlite' }, counts: true },
  { name: 'server:postgres', cmd: bin('vitest'), args: ['run', '--project', 'server'], env: { OBLAKO_TEST_DB: 'postgres' }, counts: true },
  // Restarts the shared PostgreSQL: alone, after the suites that use it.
  { name: 'fault', cmd: bin('vitest'), args: ['run', '--project', 'fault'], env: { OBLAKO_TEST_DB: 'postgres' }, counts: true },
  { name: 'build', cmd: bin('vite'), args: ['build', '--logLevel', 'warn'] },
  { name: 'build:electron', cmd: process.execPath, args: ['scripts/build-electron.mjs'] },
  // Electronegativity over the build, the SheetJS version floor, npm audit (scripts/security-gate.mjs).
  { name: 'security', cmd: process.execPath, args: ['scripts/security-gate.mjs'] },
  { name: 'e2e', cmd: bin('playwright'), args: ['test', '-c', 'e2e/playwright.config.ts'], playwright: true },
  // Video calls on real shaped links between two network namespaces (root; scripts/call-e2e.mjs).
  { name: 'e2e:call', cmd: process.execPath, args: ['scripts/call-e2e.mjs'], playwright: true },
  { name: 'bench', cmd: bin('tsx'), args: ['bench/run.ts', '--quick'], env: { LOG_LEVEL: 'warn', OBLAKO_LOG_LEVEL: 'warn' } },
].filter((s) => only.length === 0 || only.some((o) => s.name.startsWith(o)));

let passed = 0;
let failed = 0;
const summary = [];
for (const stage of stages) {
  const started = Date.now();
  const args = [...stage.args];
  const report = path.join(reportDir, `${stage.name.replace(':', '-')}.json`);
  if (stage.counts) args.push('--reporter=default', '--reporter=json', `--outputFile.json=${report}`);
  process.stdout.write(`\n━━ ${stage.name} ━━\n`);
  const env = { ...process.env, ...stage.env, ...(stage.playwright ? { OBLAKO_E2E_REPORT: report } : {}) };
  if (stage.playwright && fs.existsSync(report)) fs.rmSync(report);
  const res = spawnSync(stage.cmd, args, { cwd: root, stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  let line = `${stage.name}: ${res.status === 0 ? 'ok' : 'FAILED'} (${seconds} s)`;
  if (stage.counts) {
    if (fs.existsSync(report)) {
      const r = JSON.parse(fs.readFileSync(report, 'utf8'));
      passed += r.numPassedTests;
      failed += r.numFailedTests + (res.status === 0 ? 0 : r.numFailedTests === 0 ? 1 : 0);
      line += ` — ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`;
    } else {
      failed += 1;
      line += ' — no report (the runner did not finish)';
    }
  } else if (stage.playwright) {
    if (fs.existsSync(report)) {
      const st = JSON.parse(fs.readFileSync(report, 'utf8')).stats;
      const bad = st.unexpected + st.flaky;
      passed += st.expected;
      failed += bad + (res.status === 0 ? 0 : bad === 0 ? 1 : 0);
      line += ` — ${st.expected} passed, ${bad} failed, ${st.skipped} skipped`;
    } else {
      failed += 1;
      line += ' — no report (the runner did not finish)';
    }
  } else if (res.status !== 0) {
    failed += 1;
  }
  summary.push(line);
}
process.stdout.write(`\n━━ summary ━━\n${summary.join('\n')}\n\nTotal: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
