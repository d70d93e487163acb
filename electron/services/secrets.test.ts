import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileSecretStore } from './secrets.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oblako-secrets-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('FileSecretStore keeps values across instances in a 0600 file', () => {
  const file = path.join(dir, 'nested', 'secrets.json');
  const a = new FileSecretStore(file);
  expect(a.get('token')).toBeNull();
  a.set('token', 'abc');
  a.set('other', 'x');
  a.delete('other');
  const b = new FileSecretStore(file);
  expect(b.get('token')).toBe('abc');
  expect(b.get('other')).toBeNull();
  if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
});

it('FileSecretStore treats a damaged file as empty', () => {
  const file = path.join(dir, 'secrets.json');
  fs.writeFileSync(file, '{nope');
  const s = new FileSecretStore(file);
  expect(s.get('token')).toBeNull();
  s.set('token', 'new');
  expect(new FileSecretStore(file).get('token')).toBe('new');
});
