import { expect, test } from '@playwright/test';
import { PipelineDashboard, type PipelineChart } from './page-models/pipeline-dashboard.js';
import { SignInPage } from './page-models/sign-in-page.js';
import { SmsOutbox } from './page-models/sms-outbox.js';
import { ApiUser, startCentralApi, startDesktopHost, tempDir } from './support/processes.js';

/**
 * The manager's pipeline dashboard and SMS outbox against a real central API with demo data:
 * every number matches the server, a chart value opened by keyboard lists exactly that many rows.
 */
interface Summary {
  totalPatients: number;
  totalRequests: number;
  overdue: number;
  byStage: { stage: string; count: number }[];
  byCentre: { centre: string; count: number }[];
  byRegion: { region: string; count: number }[];
}

test('the manager’s dashboard: numbers, click-through lists, SMS outbox', async ({ page }) => {
  const api = await startCentralApi(tempDir('api'));
  const host = await startDesktopHost(tempDir('desktop'), api.url);
  let stopped = false;
  try {
    const manager = await ApiUser.signIn(api.url, 'demo-manager');
    const server = await manager.call<Summary>('GET', '/api/pipeline');
    expect(server.totalPatients).toBeGreaterThan(0);

    await page.goto(host.url);
    await new SignInPage(page).signIn({ login: 'demo-manager', password: 'oblako-demo' });
    const dashboard = await new PipelineDashboard(page).waitForVisible();
    await dashboard.expectCard('patients', server.totalPatients);
    await dashboard.expectCard('requests', server.totalRequests);
    await dashboard.expectCard('overdue', server.overdue);

    expect(await dashboard.openCard('patients')).toBe(server.totalPatients);
    await dashboard.closeList();

    const picks: [PipelineChart, string, number][] = [];
    const stage = server.byStage.find((s) => s.count > 0);
    if (stage) picks.push(['stages', `stage=${stage.stage}`, stage.count]);
    const centre = server.byCentre.find((c) => c.count > 0);
    if (centre) picks.push(['centres', `centre=${centre.centre}`, centre.count]);
    const region = server.byRegion[0];
    if (region) picks.push(['regions', `region=${region.region}`, region.count]);
    for (const [chart, filter, count] of picks) {
      await dashboard.expectItem(chart, filter, count);
      expect(await dashboard.openItem(chart, filter)).toBe(count);
      await expect(dashboard.listRows).toHaveCount(Math.min(count, 50));
      await dashboard.closeList();
    }

    await page.getByTestId('nav-sms-outbox').click();
    const sms = await new SmsOutbox(page).waitForVisible();
    const outbox = await manager.call<{ total: number; items: { status: string; text: string }[] }>('GET', '/api/sms-outbox?limit=1');
    if (outbox.total > 0) {
      await expect(sms.rows.first()).toHaveAttribute('data-status', outbox.items[0]!.status);
      await expect(sms.text(sms.rows.first())).toHaveText(outbox.items[0]!.text);
    } else {
      await expect(sms.empty).toBeVisible();
    }

    // Offline: both screens say so plainly and offer a retry; back online, the retry brings the figures.
    await api.stop();
    stopped = true;
    await sms.refreshButton.click();
    await expect(sms.offline).toContainText('Нет связи с сервером');
    await page.getByTestId('nav-pipeline').click();
    await expect(dashboard.offline).toContainText('Нет связи с сервером');
    await expect(page.getByTestId('pipeline-offline-retry')).toBeVisible();
  } finally {
    await host.stop();
    if (!stopped) await api.stop();
  }
});
