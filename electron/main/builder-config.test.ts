import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * electron-builder.yml is only exercised when installers are built on a connected machine, so
 * its security-relevant settings are pinned here, and the whole file is checked against the JSON
 * schema electron-builder validates with: a misspelt key would otherwise surface only then.
 */
const require = createRequire(import.meta.url);
// Both ship with electron-builder (js-yaml is also electron-updater's); no extra dependency.
const yaml = require('js-yaml') as { load(text: string): unknown };
const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'));
const AjvModule = builderRequire('ajv') as { default: new (opts: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } } };

const root = path.resolve(import.meta.dirname, '..', '..');
const config = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;

describe('electron-builder.yml', () => {
  it('is valid for electron-builder', () => {
    const schema = JSON.parse(fs.readFileSync(builderRequire.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new AjvModule.default({ allErrors: true, strict: false }).compile(schema);
    const ok = validate(structuredClone(config));
    expect(validate.errors ?? null, JSON.stringify(validate.errors)).toBeNull();
    expect(ok).toBe(true);
  });

  it('identifies the product', () => {
    expect(config.appId).toBe('ru.oblako.desktop');
    expect(config.productName).toBe('Облако здоровья');
  });

  it('flips the security fuses', () => {
    expect(config.electronFuses).toEqual(
      expect.objectContaining({
        runAsNode: false,
        enableCookieEncryption: true,
        enableNodeOptionsEnvironmentVariable: false,
        enableNodeCliInspectArguments: false,
        enableEmbeddedAsarIntegrityValidation: true,
        onlyLoadAppFromAsar: true,
      }),
    );
  });

  it('packs into asar, with the native SQLite module unpacked and rebuilt for Electron', () => {
    expect(config.asar).not.toBe(false);
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3/**');
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3-multiple-ciphers/**');
    expect(config.npmRebuild).toBe(true);
  });

  it('ships the built main process, preload and renderer', () => {
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'dist/electron/**', 'dist/renderer/**']));
  });

  it('builds AppImage and deb for Linux, NSIS for Windows', () => {
    expect((config.linux as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect((config.win as { target: string[] }).target).toEqual(['nsis']);
  });

  it('publishes to the central API update feed', () => {
    const publish = config.publish as { provider: string; url: string };
    expect(publish.provider).toBe('generic');
    expect(publish.url).toMatch(/\/api\/updates\/$/);
  });
});
