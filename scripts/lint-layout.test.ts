import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The "may import" column of ARCHITECTURE.md, as enforced by eslint.config.js. */
const eslint = new ESLint();

async function restricted(filePath: string, code: string): Promise<boolean> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).some((m) => m.ruleId === 'no-restricted-imports');
}

describe('layout import rules', () => {
  it.each([
    ['shared/x.ts', "import fs from 'node:fs';\nexport const x = fs;"],
    ['shared/x.ts', "import { y } from '../server/config.js';\nexport const x = y;"],
    ['server/x.ts', "import { y } from '../electron/services/y.js';\nexport const x = y;"],
    ['electron/services/x.ts', "import { app } from 'electron';\nexport const x = app;"],
    ['renderer/x.ts', "import { y } from '../server/config.js';\nexport const x = y;"],
    ['electron/preload/x.ts', "import { y } from '../services/y.js';\nexport const x = y;"],
    ['electron/services/x.ts', "import { y } from '../main/y.js';\nexport const x = y;"],
  ])('%s may not import: %s', async (file, code) => {
    expect(await restricted(file, code)).toBe(true);
  });

  it.each([
    ['server/x.ts', "import { API } from '../shared/api/contract.js';\nexport const x = API;"],
    ['electron/services/x.ts', "import { API } from '../../shared/api/contract.js';\nexport const x = API;"],
    ['electron/main/x.ts', "import { y } from '../services/y.js';\nexport const x = y;"],
  ])('%s may import: %s', async (file, code) => {
    expect(await restricted(file, code)).toBe(false);
  });
});
