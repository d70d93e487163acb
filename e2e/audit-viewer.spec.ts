import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './support/fixtures.js';
import { SignInPage } from './page-models/index.js';
import { ApiUser, tempDir } from './support/processes.js';

/**
 * #9 «Audit viewer»: the administrator filters the log by patient and action, checks the chain,
 * and exports what is shown — browser mode, real central API.
 */
test('the administrator filters the audit log by patient and action, verifies the chain and exports it', async ({ page, system }) => {
  const central = await system.api();
  const host = await system.desktop(central.url);

  // Something to find: the manager reads one patient's record.
  const manager = await ApiUser.signIn(central.url, 'demo-manager');
  const patients = await manager.call<{ items: { id: string }[] }>('GET', '/api/patients?limit=1');
  const patientId = patients.items[0]!.id;
  await manager.call('GET', `/api/patients/${patientId}`);

  await page.goto(host.url);
  const shell = await new SignInPage(page).signIn({ login: 'demo-admin', password: 'oblako-demo' });
  await shell.navigate('audit');
  await expect(page.getByTestId('audit-table')).toBeVisible();

  // A malformed patient id is explained, not sent.
  await page.getByTestId('audit-filter-patient').fill('не-идентификатор');
  await page.getByTestId('audit-apply').click();
  await expect(page.getByTestId('audit-filter-problem')).toContainText('36 символов');

  await page.getByTestId('audit-filter-patient').fill(patientId);
  await page.getByTestId('audit-filter-action').fill('patient.read');
  await page.getByTestId('audit-apply').click();
  const rows = page.getByTestId('audit-row');
  await expect(rows.first()).toHaveAttribute('data-patient-id', patientId);
  for (const row of await rows.all()) {
    await expect(row).toHaveAttribute('data-action', 'patient.read');
    await expect(row).toHaveAttribute('data-patient-id', patientId);
  }
  const shown = await rows.count();

  await page.getByTestId('audit-verify').click();
  await expect(page.getByTestId('audit-verify-result')).toHaveAttribute('data-ok', 'true');

  const download = page.waitForEvent('download');
  await page.getByTestId('audit-export').click();
  const file = path.join(tempDir('audit'), 'audit.csv');
  await (await download).saveAs(file);
  const csv = fs.readFileSync(file, 'utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const lines = csv.trim().split('\r\n');
  expect(lines).toHaveLength(shown + 1);
  expect(lines.slice(1).every((l) => l.includes('"patient.read"') && l.includes(patientId))).toBe(true);
});
