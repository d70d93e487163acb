import { expect, test } from '@playwright/test';
import { DoctorQueue, ManagerHome, PhysicianHome, SignInPage } from './page-models/index.js';
import { ApiUser, startCentralApi, startDesktopHost, tempDir, type CentralApi, type DesktopHost } from './support/processes.js';

/**
 * Each role signs in to the desktop app (browser mode, real central API with demo data) and
 * sees its home filled from the local store with exactly what the server lets that role see.
 */
let api: CentralApi;
let host: DesktopHost;

test.beforeAll(async () => {
  api = await startCentralApi(tempDir('api'));
});
test.afterAll(async () => {
  await api?.stop();
});
// One desktop per test: the desktop keeps one signed-in session, like the real app.
test.beforeEach(async () => {
  host = await startDesktopHost(tempDir('desktop'), api.url);
});
test.afterEach(async () => {
  await host?.stop();
});

type PatientList = { items: { lastName: string; firstName: string; middleName: string | null }[]; total: number };
const fullName = (p: PatientList['items'][number]) => [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' ');

test('the regional physician sees exactly the patients they referred', async ({ page }) => {
  const server = await (await ApiUser.signIn(api.url, 'demo-physician')).call<PatientList>('GET', '/api/patients?limit=500');
  expect(server.total).toBeGreaterThan(0);

  await page.goto(host.url);
  const signIn = new SignInPage(page);
  await signIn.expectPrefilledServer(api.url);
  const shell = await signIn.signIn({ login: 'demo-physician', password: 'oblako-demo' });
  await shell.expectUser('Петрова Анна Сергеевна (ГБУЗ «Областная больница №1»)');
  const home = await new PhysicianHome(page).waitForVisible();
  await home.rows.expectCount(server.total);
  expect((await home.rows.names()).sort()).toEqual(server.items.map(fullName).sort());
  await shell.expectSyncState('online');
  await shell.expectPending(0);
});

test('the project manager sees every patient, counted by status', async ({ page }) => {
  const server = await (await ApiUser.signIn(api.url, 'demo-manager')).call<PatientList>('GET', '/api/patients?limit=1');
  await page.goto(host.url);
  const shell = await new SignInPage(page).signIn({ login: 'demo-manager', password: 'oblako-demo' });
  // The manager lands on the pipeline dashboard; the status view is one click away.
  await shell.navigate('patients-by-status');
  const home = await new ManagerHome(page).waitForVisible();
  await home.expectCount('all', server.total);
  await home.filterBy('new');
  const newCount = Number(await home.statusCard('new').getAttribute('data-count'));
  expect(newCount).toBeGreaterThan(0);
  await home.rows.expectCount(newCount);
});

test('a centre doctor sees their centre\u2019s queue and no other centre\u2019s requests', async ({ page }) => {
  const doctor = await ApiUser.signIn(api.url, 'demo-doctor-bakulev');
  const server = await doctor.call<{ items: { centre: string }[]; total: number }>('GET', '/api/requests?limit=500');
  expect(server.total).toBeGreaterThan(0);
  expect(server.items.every((r) => r.centre === 'bakulev')).toBe(true);

  await page.goto(host.url);
  await new SignInPage(page).signIn({ login: 'demo-doctor-bakulev', password: 'oblako-demo' });
  const queue = await new DoctorQueue(page).waitForVisible();
  await queue.rows.expectCount(server.total);
});

test('the administrator signs in to the audit log; nothing is synced to this computer', async ({ page }) => {
  await page.goto(host.url);
  const shell = await new SignInPage(page).signIn({ login: 'demo-admin', password: 'oblako-demo' });
  await expect(page.getByTestId('view-audit')).toBeVisible();
  // Admins hold no patient data on a desktop: no sync runs, nothing is pending.
  await shell.expectSyncState('online');
  await shell.expectPending(0);
});

test('a wrong password is refused with a message that says what to do', async ({ page }) => {
  await page.goto(host.url);
  const signIn = new SignInPage(page);
  await signIn.submitCredentials({ login: 'demo-physician', password: 'не-тот-пароль' });
  await signIn.expectError('INVALID_CREDENTIALS', /парол/i);
});

test('the session survives a reload and signing out returns to the sign-in screen', async ({ page }) => {
  await page.goto(host.url);
  const shell = await new SignInPage(page).signIn({ login: 'demo-physician', password: 'oblako-demo' });
  await page.reload();
  await shell.waitForVisible();
  await new PhysicianHome(page).waitForVisible();
  await shell.signOut();
});
