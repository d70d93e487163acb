#!/usr/bin/env node
// `npm test -- security`: the release gates that are not tests of our own code.
//  1. Electronegativity over the built main process, preload and renderer (dist/): any finding of
//     MEDIUM or higher fails, unless security/electronegativity-exceptions.json accepts exactly it
//     (same check, file and code) with a reviewed reason.
//  2. No SheetJS build below 0.20.2 anywhere in node_modules (prototype pollution and ReDoS in
//     0.18.5 and older; the fixed build is the @e965/xlsx republish).
//  3. `npm audit --omit=dev`: no high or critical advisory in what ships, except those listed in
//     security/audit-exceptions.json. When the registry cannot answer audits (this machine's
//     mirror refuses the bulk endpoint with 405), the gate says so and does not pretend it ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
let failures = 0;
const fail = (msg) => {
  failures += 1;
  process.stdout.write(`  ✗ ${msg}\n`);
};
const ok = (msg) => process.stdout.write(`  ✓ ${msg}\n`);

// ── 1. Electronegativity ──────────────────────────────────────────────────────────────────
process.stdout.write('Electronegativity (dist/electron, dist/renderer):\n');
if (!fs.existsSync(path.join(root, 'dist', 'electron', 'main.js')) || !fs.existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) {
  fail('dist/ is not built: run the build stages first (npm run build:renderer && npm run build:electron).');
} else {
  const csv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-eneg-')), 'report.csv');
  // -e: the Electron major we ship (the scanner would otherwise try to fetch release data).
  const electronVersion = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const res = spawnSync(path.join(root, 'node_modules', '.bin', 'electronegativity'), ['-i', 'dist', '-r', '-e', electronVersion, '-v', 'false', '-o', csv], {
    cwd: root,
    encoding: 'utf8',
  });
  if (!fs.existsSync(csv)) {
    fail(`the scanner did not produce a report (exit ${res.status}): ${(res.stderr || res.stdout).slice(-500)}`);
  } else {
    const findings = parseCsv(fs.readFileSync(csv, 'utf8'));
    const { exceptions } = JSON.parse(fs.readFileSync(path.join(root, 'security', 'electronegativity-exceptions.json'), 'utf8'));
    const serious = findings.filter((f) => f.severity === 'MEDIUM' || f.severity === 'HIGH' || f.severity === 'CRITICAL');
    const used = new Set();
    for (const f of serious) {
      const i = exceptions.findIndex((e) => e.check === f.issue && e.file === f.filename && f.sample.includes(e.sample));
      if (i >= 0) {
        used.add(i);
        ok(`${f.issue} ${f.filename}:${f.location} — accepted: ${exceptions[i].reason.slice(0, 100)}…`);
      } else {
        fail(`${f.issue} (${f.severity}, ${f.confidence}) ${f.filename}:${f.location}: ${f.description} — ${f.sample.slice(0, 160)}`);
      }
    }
    exceptions.forEach((e, i) => {
      if (!used.has(i)) fail(`exception no longer matches anything (remove it): ${e.check} ${e.file} «${e.sample}»`);
    });
    ok(`${findings.length} findings in all, ${serious.length} of MEDIUM or higher`);
  }
}

// ── 2. SheetJS version ────────────────────────────────────────────────────────────────────
process.stdout.write('SheetJS builds in node_modules:\n');
const sheetjs = [];
(function walk(dir, depth) {
  if (depth > 6 || !fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    if (name === '.bin') continue;
    const p = path.join(dir, name);
    if (name.startsWith('@')) {
      walk(p, depth);
      continue;
    }
    const pkg = path.join(p, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        const j = JSON.parse(fs.readFileSync(pkg, 'utf8'));
        // The republish keeps SheetJS's own name inside; match both, by what the package is.
        if (j.name === 'xlsx' || j.name === '@e965/xlsx') sheetjs.push({ where: path.relative(root, p), version: j.version });
      } catch {
        /* not a package */
      }
    }
    walk(path.join(p, 'node_modules'), depth + 1);
  }
})(path.join(root, 'node_modules'), 0);
const below = (v) => {
  const [a, b, c] = v.split('.').map((n) => Number.parseInt(n, 10));
  return a === 0 && (b < 20 || (b === 20 && c < 2));
};
if (sheetjs.length === 0) fail('no SheetJS build found at all (the referral-table reader needs @e965/xlsx)');
for (const s of sheetjs) (below(s.version) ? fail : ok)(`${s.where} ${s.version}${below(s.version) ? ' is below 0.20.2 (CVE-2023-30533, CVE-2024-22363)' : ''}`);

// ── 3. npm audit ──────────────────────────────────────────────────────────────────────────
process.stdout.write('npm audit --omit=dev:\n');
const audit = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8' });
let report = null;
try {
  report = JSON.parse(audit.stdout);
} catch {
  /* not JSON */
}
if (report?.message || !report?.metadata) {
  process.stdout.write(`  – not checked: the registry did not answer the audit (${(report?.message ?? audit.stderr ?? '').split('\n')[0].slice(0, 160)}). On a machine that reaches registry.npmjs.org this gate runs in full.\n`);
} else {
  const { exceptions } = JSON.parse(fs.readFileSync(path.join(root, 'security', 'audit-exceptions.json'), 'utf8'));
  const allowed = new Set(exceptions.map((e) => e.advisory));
  for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
    if (v.severity !== 'high' && v.severity !== 'critical') continue;
    const ids = (v.via ?? []).filter((x) => typeof x === 'object').map((x) => String(x.source ?? x.url));
    if (ids.length > 0 && ids.every((id) => allowed.has(id))) ok(`${name} (${v.severity}) — documented exception`);
    else fail(`${name}: ${v.severity} — ${ids.join(', ') || 'see npm audit'}`);
  }
  ok(`high: ${report.metadata.vulnerabilities.high}, critical: ${report.metadata.vulnerabilities.critical}`);
}

process.stdout.write(failures === 0 ? '\nsecurity gate: passed\n' : `\nsecurity gate: ${failures} problem(s)\n`);
process.exit(failures === 0 ? 0 : 1);

/** The scanner's CSV: a header line, then quoted fields (quotes doubled). */
function parseCsv(text) {
  const lines = text.split(/\r?\n/).filter(Boolean);
  const header = lines.shift().split(',').map((h) => h.trim());
  return lines.map((line) => {
    const cells = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        cells.push(cur);
        cur = '';
      } else cur += ch;
    }
    cells.push(cur);
    return Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? '').trim()]));
  });
}
