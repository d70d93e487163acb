import { expect, type Locator, type Page } from '@playwright/test';

export type PipelineCard = 'patients' | 'requests' | 'overdue';
export type PipelineChart = 'stages' | 'regions' | 'centres' | 'organizations' | 'trend';

/**
 * «Воронка программы» — the manager's home. Each chart has, beside it, a list of buttons with its
 * values (`data-filter` is the filter token, e.g. `stage=imported`, `region=77`, `day=2026-11-22`;
 * `data-count` the number); a card or an item opens the list drawer (`data-total`).
 */
export class PipelineDashboard {
  readonly view: Locator;
  readonly root: Locator;
  readonly refreshButton: Locator;
  readonly offline: Locator;
  readonly empty: Locator;
  readonly list: Locator;
  readonly listTitle: Locator;
  readonly listRows: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('view-pipeline');
    this.root = page.getByTestId('pipeline-dashboard');
    this.refreshButton = page.getByTestId('pipeline-refresh');
    this.offline = page.getByTestId('pipeline-offline');
    this.empty = page.getByTestId('pipeline-empty');
    this.list = page.getByTestId('pipeline-list');
    this.listTitle = page.getByTestId('pipeline-list-title');
    this.listRows = page.getByTestId('pipeline-row');
  }

  /** Waits for the figures, the empty state or the offline notice. */
  async waitForVisible(): Promise<this> {
    await expect(this.root).toBeVisible();
    await expect(this.page.getByTestId('pipeline-cards').or(this.empty).or(this.offline)).toBeVisible();
    return this;
  }

  card(id: PipelineCard): Locator {
    return this.page.getByTestId(`pipeline-card-${id}`);
  }

  async expectCard(id: PipelineCard, n: number): Promise<void> {
    await expect(this.card(id)).toHaveAttribute('data-count', String(n));
  }

  async cardCount(id: PipelineCard): Promise<number> {
    return Number(await this.card(id).getAttribute('data-count'));
  }

  chart(chart: PipelineChart): Locator {
    return this.page.getByTestId(`chart-${chart}`);
  }

  /** The accessible value button of a chart for a filter token (`stage=imported`). */
  item(chart: PipelineChart, filter: string): Locator {
    return this.chart(chart).locator(`[data-testid="chart-item"][data-filter="${cssEscape(filter)}"]`);
  }

  async expectItem(chart: PipelineChart, filter: string, n: number): Promise<void> {
    await expect(this.item(chart, filter)).toHaveAttribute('data-count', String(n));
  }

  /** Every value of a chart as `{filter: count}`. */
  async values(chart: PipelineChart): Promise<Record<string, number>> {
    const pairs = await this.chart(chart)
      .locator('[data-testid="chart-item"]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-filter') ?? '', Number(e.getAttribute('data-count'))] as const));
    return Object.fromEntries(pairs);
  }

  async refresh(): Promise<void> {
    await this.refreshButton.click();
    await expect(this.refreshButton).not.toHaveAttribute('data-loading', 'true');
  }

  /** Opens the list behind a card; waits until it has loaded. Returns its total. */
  async openCard(id: Exclude<PipelineCard, 'requests'>): Promise<number> {
    await this.card(id).click();
    return this.listLoaded();
  }

  /** Opens the list behind a chart value (by keyboard: focus the item, press Enter). */
  async openItem(chart: PipelineChart, filter: string): Promise<number> {
    const item = this.item(chart, filter);
    await item.focus();
    await item.press('Enter');
    return this.listLoaded(filter);
  }

  async listLoaded(filter?: string): Promise<number> {
    await expect(this.list).toBeVisible();
    if (filter !== undefined) await expect(this.list).toHaveAttribute('data-filter', filter);
    return Number(await this.list.getAttribute('data-total'));
  }

  async expectListTotal(n: number): Promise<void> {
    await expect(this.list).toHaveAttribute('data-total', String(n));
  }

  listRow(fullName: string): Locator {
    return this.listRows.filter({ has: this.page.getByTestId('pipeline-row-name').getByText(fullName, { exact: true }) });
  }

  /** Goes to page `n` of the open list. */
  async listPage(n: number): Promise<void> {
    await this.page.getByTestId('pipeline-list-pages').getByRole('button', { name: String(n), exact: true }).click();
  }

  /** Closes the drawer (Escape) and waits until it is gone, overlay included. */
  async closeList(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await expect(this.list).toBeHidden();
    // The overlay fades out after the panel: until then it would take the next click.
    await expect(this.page.getByTestId('pipeline-list-drawer').locator('.mantine-Drawer-overlay')).toHaveCount(0);
  }
}

function cssEscape(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}
