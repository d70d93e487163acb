import crypto from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.js';
import { AppShell, DoctorQueue, PhysicianHome, SignInPage } from './page-models/index.js';
import { uniqueSurname } from './support/names.js';
import { connectRpc } from './support/node-rpc.js';
import { ApiUser, tempDir, type DesktopHost } from './support/processes.js';

/** Live updates, offline work and a killed desktop process, all against a real central API. */

async function open(page: Page, host: DesktopHost): Promise<AppShell> {
  await page.goto(host.url);
  return new AppShell(page);
}

type Patient = { id: string; lastName: string };

test('a record created on the server appears in the open app within 2 s, without a reload', async ({ page, system }) => {
  const central = await system.api();
  const host = await system.desktop(central.url);
  const shell = await open(page, host);
  await new SignInPage(page).signIn({ login: 'demo-doctor-bakulev', password: 'oblako-demo' });
  const queue = await new DoctorQueue(page).waitForVisible();
  await shell.expectSyncState('online');

  const physician = await ApiUser.signIn(central.url, 'demo-physician');
  const lastName = uniqueSurname();
  const patientId = crypto.randomUUID();
  await physician.call('POST', '/api/patients', { id: patientId, lastName, firstName: 'Пётр', sex: 'male', birthDate: '1970-05-06' });
  await physician.call('POST', '/api/requests', { id: crypto.randomUUID(), patientId, centre: 'bakulev', profile: 'ischemic_heart_disease', icd10: 'I25.1', diagnosis: 'ИБС' });
  const created = Date.now();
  await expect(queue.row(`${lastName} Пётр`)).toBeVisible({ timeout: 2000 });
  test.info().annotations.push({ type: 'poke→pull→UI', description: `${Date.now() - created} ms` });
});

test('offline: a change is kept, shown as pending, survives a restart and reaches the server exactly once', async ({ page, system }) => {
  const apiDir = tempDir('api');
  let central = await system.api(apiDir);
  const port = central.port;
  const desktopDir = tempDir('desktop');
  let host = await system.desktop(central.url, desktopDir);
  let shell = await open(page, host);
  await new SignInPage(page).signIn({ login: 'demo-physician', password: 'oblako-demo' });
  let home = await new PhysicianHome(page).waitForVisible();
  await shell.expectSyncState('online');

  await central.stop();
  await shell.syncNow('offline');

  const lastName = uniqueSurname('Офлайнов');
  const name = `${lastName} Олег Игоревич`;
  await home.addPatient({ lastName, firstName: 'Олег', middleName: 'Игоревич', sex: 'male', birthDate: '1958-11-30', region: 'Республика Татарстан' });
  await home.rows.expectRow(name, { pending: true });
  await shell.expectPending(1);
  await shell.expectSyncState('offline');
  // Signing out would leave the change behind: the app asks first, and staying keeps the session.
  await shell.signOutButton.click();
  await expect(page.getByTestId('sign-out-pending')).toContainText('Не отправлено изменений: 1');
  await page.getByTestId('sign-out-pending-stay').click();
  await shell.waitForVisible();

  // The app is closed and started again while the server is still down.
  await host.stop();
  host = await system.desktop(central.url, desktopDir);
  shell = await open(page, host);
  await shell.waitForVisible();
  home = await new PhysicianHome(page).waitForVisible();
  await home.rows.expectRow(name, { pending: true });
  await shell.expectPending(1);

  // The server comes back on the same address.
  central = await system.api(apiDir, port);
  await shell.syncNow('online');
  await shell.expectPending(0);
  await home.rows.expectRow(name, { pending: false });

  const manager = await ApiUser.signIn(central.url, 'demo-manager');
  const found = await manager.call<{ items: Patient[] }>('GET', `/api/patients?q=${encodeURIComponent(lastName)}`);
  expect(found.items.filter((p) => p.lastName === lastName)).toHaveLength(1);
});

test('kill -9 of the desktop services during sync: nothing acknowledged is lost, nothing applied twice', async ({ page, system }) => {
  const central = await system.api();
  const desktopDir = tempDir('desktop');
  let host = await system.desktop(central.url, desktopDir);
  await open(page, host);
  await new SignInPage(page).signIn({ login: 'demo-physician', password: 'oblako-demo' });
  await new PhysicianHome(page).waitForVisible();

  // A burst of local writes over the same RPC socket the UI uses, then the process is killed
  // while they are being pushed.
  const stem = uniqueSurname('Крахов');
  const count = 25;
  const letters = 'абвгдежзиклмнопрстуфхцчшэюя';
  const { client, ws } = await connectRpc(host.origin, new URL(host.url).hash.replace('#token=', ''));
  const acknowledged = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const lastName = stem + letters[i % letters.length] + letters[Math.floor(i / letters.length)];
      const row = await client.call('patients.create', { lastName, firstName: 'Кирилл', sex: 'male', birthDate: '1966-01-15' });
      return row.patient.lastName;
    }),
  );
  ws.terminate();
  expect(acknowledged).toHaveLength(count);
  await host.kill9();

  host = await system.desktop(central.url, desktopDir);
  const shell = await open(page, host);
  await shell.waitForVisible();
  await shell.syncNow('online');
  await shell.expectPending(0);

  const manager = await ApiUser.signIn(central.url, 'demo-manager');
  const onServer = await manager.call<{ items: Patient[] }>('GET', `/api/patients?limit=500&q=${encodeURIComponent(stem)}`);
  const names = onServer.items.map((p) => p.lastName).sort();
  expect(names).toEqual([...acknowledged].sort());
  expect(new Set(names).size).toBe(count);
});
