import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RPC_CHANNEL } from './constants.js';

/**
 * Unit tests run in plain Node, where `electron` is only types. The files that hold the rules
 * (and their tests) must therefore never import it at runtime; the preload must import nothing
 * else, because a sandboxed preload can require only 'electron'.
 */
const here = import.meta.dirname;
const PURE = ['constants.ts', 'config.ts', 'origin.ts', 'protocol-paths.ts', 'secret-file.ts', 'window-options.ts'];

function runtimeImports(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of src.matchAll(/^\s*import\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    if (!m[1]) specs.push(m[2] ?? '');
  }
  for (const m of src.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1] ?? '');
  return specs;
}

describe('electron/main boundaries', () => {
  it.each(PURE)('%s does not load electron at runtime', (name) => {
    expect(runtimeImports(path.join(here, name))).not.toContain('electron');
  });

  it('every test file imports only pure modules', () => {
    for (const name of fs.readdirSync(here).filter((f) => f.endsWith('.test.ts'))) {
      const local = runtimeImports(path.join(here, name)).filter((s) => s.startsWith('./'));
      for (const spec of local) expect(PURE, `${name} imports ${spec}`).toContain(spec.replace(/^\.\//, '').replace(/\.js$/, '.ts'));
      expect(runtimeImports(path.join(here, name))).not.toContain('electron');
    }
  });

  it('the preload imports only electron and uses the same channel as the main process', () => {
    const preload = path.join(here, '..', 'preload', 'preload.ts');
    expect(runtimeImports(preload)).toEqual(['electron']);
    expect(fs.readFileSync(preload, 'utf8')).toContain(`const CHANNEL = '${RPC_CHANNEL}';`);
  });

  it('the preload exposes only send and onMessage', () => {
    const src = fs.readFileSync(path.join(here, '..', 'preload', 'preload.ts'), 'utf8');
    expect(src.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(src).toMatch(/exposeInMainWorld\('oblako', bridge\)/);
    expect(src).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });
});
