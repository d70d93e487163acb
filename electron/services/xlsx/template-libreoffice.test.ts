import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZipDirectory } from '../../../shared/referral/zip-guard.js';
import { CSV_UTF8, sofficeConvert } from './libreoffice.test-support.js';
import { buildReferralTemplate } from './template.js';

function part(bytes: Uint8Array, name: string): string | null {
  const e = readZipDirectory(bytes).find((x) => x.name === name);
  if (!e) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = e.localHeaderOffset + 30 + view.getUint16(e.localHeaderOffset + 26, true) + view.getUint16(e.localHeaderOffset + 28, true);
  return inflateRawSync(bytes.subarray(start, start + e.compressedSize)).toString('utf8');
}

describe('referral template in LibreOffice', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oblako-template-lo-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens without repair and keeps its headers and dropdowns when saved again', { timeout: 90_000 }, async () => {
    const file = join(dir, 'template.xlsx');
    await writeFile(file, buildReferralTemplate());
    await sofficeConvert(file, CSV_UTF8, dir, dir);
    const csvPath = join(dir, 'template.csv');
    expect(existsSync(csvPath), 'LibreOffice could not open the template').toBe(true);
    const header = (await readFile(csvPath, 'utf8')).split('\n').find((l) => l.includes('Фамилия')) ?? '';
    for (const h of ['Фамилия', 'СНИЛС', 'Центр', 'Профиль', 'Срочность']) expect(header).toContain(h);

    // LibreOffice writes back only what it understood: the list validations must survive.
    const out = join(dir, 'resaved');
    await sofficeConvert(file, 'xlsx', out, dir);
    const resaved = new Uint8Array(await readFile(join(out, 'template.xlsx')));
    const sheets = readZipDirectory(resaved).map((e) => e.name).filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n));
    const xml = sheets.map((n) => part(resaved, n) ?? '').join('\n');
    const lists = xml.match(/<dataValidation [^>]*type="list"/g) ?? [];
    expect(lists.length).toBeGreaterThanOrEqual(5);
  });
});
