import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * LibreOffice, headless, for tests that prove a file we write opens in a real spreadsheet (no
 * repair prompt: the conversion succeeds). Missing LibreOffice fails the test loudly.
 */
export function findSoffice(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['soffice', 'libreoffice']) {
      const p = join(dir, name);
      if (dir && existsSync(p)) return p;
    }
  }
  throw new Error('LibreOffice (soffice) is not installed, so the file cannot be checked in a real spreadsheet: apt-get install -y --no-install-recommends libreoffice-calc');
}

/** Converts `file` into `outDir` (`csv:…` filter or `xlsx`), with a profile of its own under `workDir`. */
export async function sofficeConvert(file: string, to: string, outDir: string, workDir: string): Promise<void> {
  // Own profile: no clash with a LibreOffice already running, nothing left in $HOME.
  const profile = pathToFileURL(join(workDir, 'lo-profile')).href;
  await run(findSoffice(), [`-env:UserInstallation=${profile}`, '--headless', '--norestore', '--convert-to', to, '--outdir', outDir, file], { timeout: 55_000 });
}

/** UTF-8 CSV, comma-separated, every sheet's first: LibreOffice's filter options. */
export const CSV_UTF8 = 'csv:Text - txt - csv (StarCalc):44,34,76,1';
