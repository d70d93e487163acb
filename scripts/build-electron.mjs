#!/usr/bin/env node
// Bundles the Electron main process and the preload into dist/electron/ for electron-builder.
//   main.js      ESM (package.json is "type": "module"); electron/main + the services and shared
//                code it imports; npm packages stay external and are shipped in node_modules
//                (the native SQLite modules must be loaded from disk, rebuilt for Electron).
//   referral-import-worker.js  the XLSX parsing worker thread, beside main.js where the runner looks.
//   preload.cjs  CommonJS, one self-contained file: a sandboxed preload can require only 'electron'.
// Usage: node scripts/build-electron.mjs [--watch]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'electron');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'info',
  external: ['electron'],
};

const builds = [
  {
    ...common,
    // The referral-import worker runs in its own thread and is found next to main.js.
    entryPoints: { main: 'electron/main/main.ts', 'referral-import-worker': 'electron/services/xlsx/referral-import-worker.ts' },
    outdir,
    format: 'esm',
    outExtension: { '.js': '.js' },
    packages: 'external',
  },
  {
    ...common,
    entryPoints: { preload: 'electron/preload/preload.ts' },
    outdir,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
