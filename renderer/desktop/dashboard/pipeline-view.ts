import type { PipelineFilter, PipelineSummary } from '../../../shared/domain/pipeline';
import { REGIONS } from '../../../shared/reference/regions';
import { t } from '../../i18n';
import { formatDate } from '../../i18n/format';
import { centreName, STAGE_COLOR, stageLabel } from '../labels';

/**
 * What the dashboard draws, derived from a PipelineSummary: one item per bar or number, each
 * with the filter that lists exactly the rows behind it (its `total` equals `count`).
 */
export interface ChartItem {
  /** Stable within its chart: the filter as a token (`stage=imported`). */
  key: string;
  label: string;
  count: number;
  color: string;
  filter: PipelineFilter;
}

export type ChartId = 'stages' | 'regions' | 'centres' | 'organizations' | 'trend';

export const LIST_PAGE_SIZE = 50;

const FILTER_KEYS = ['stage', 'region', 'organization', 'centre', 'overdue', 'day', 'requests'] as const satisfies readonly (keyof PipelineFilter)[];

/** The filter as a stable token for test ids, React keys and query keys: `region=77&stage=imported`, `all` for none. */
export function filterToken(filter: PipelineFilter): string {
  const parts = FILTER_KEYS.flatMap((k) => (filter[k] === undefined ? [] : [`${k}=${String(filter[k])}`]));
  return parts.length === 0 ? 'all' : parts.join('&');
}

/** Names the summary carries, else the reference data, else the code. */
export function regionName(code: string, summary?: PipelineSummary): string {
  return summary?.byRegion.find((r) => r.region === code)?.name ?? REGIONS.find((r) => r.code === code)?.name ?? code;
}

function centreTitle(code: string, summary?: PipelineSummary): string {
  return summary?.byCentre.find((c) => c.centre === code)?.name ?? centreName(code);
}

/** The list header: what the filter selects, in Russian (several parts joined by «; »). */
export function describeFilter(filter: PipelineFilter, summary?: PipelineSummary): string {
  const parts: string[] = [];
  if (filter.stage) parts.push(t('dashboard.filter.stage', { name: stageLabel(filter.stage) }));
  if (filter.region) parts.push(t('dashboard.filter.region', { name: regionName(filter.region, summary) }));
  if (filter.organization) parts.push(t('dashboard.filter.organization', { name: filter.organization }));
  if (filter.centre) parts.push(t('dashboard.filter.centre', { name: centreTitle(filter.centre, summary) }));
  if (filter.overdue === true) parts.push(t('dashboard.filter.overdue'));
  if (filter.overdue === false) parts.push(t('dashboard.filter.notOverdue'));
  if (filter.day) parts.push(t('dashboard.filter.day', { date: formatDate(filter.day) }));
  if (filter.requests) parts.push(t('dashboard.filter.requests'));
  return parts.length === 0 ? t('dashboard.filter.all') : parts.join('; ');
}

function item(filter: PipelineFilter, label: string, count: number, color: string): ChartItem {
  return { key: filterToken(filter), label, count, color, filter };
}

const ORG_PALETTE = 'indigo.6';

export function stageItems(s: PipelineSummary): ChartItem[] {
  return s.byStage.map((x) => item({ stage: x.stage }, stageLabel(x.stage), x.count, `${STAGE_COLOR[x.stage]}.6`));
}

export function regionItems(s: PipelineSummary): ChartItem[] {
  return s.byRegion.map((x) => item({ region: x.region }, x.name || regionName(x.region), x.count, 'blue.6'));
}

export function centreItems(s: PipelineSummary): ChartItem[] {
  return s.byCentre.map((x) => item({ centre: x.centre }, x.name || centreName(x.centre), x.count, 'teal.6'));
}

export function organizationItems(s: PipelineSummary): ChartItem[] {
  return s.byOrganization.map((x) => item({ organization: x.organization }, x.organization, x.count, ORG_PALETTE));
}

/** Every day of the trend (zeros included): the chart's points. */
export function trendItems(s: PipelineSummary): ChartItem[] {
  return s.trend.map((x) => item({ day: x.day }, formatDate(x.day), x.count, 'blue.6'));
}

export function chartItems(chart: ChartId, s: PipelineSummary): ChartItem[] {
  switch (chart) {
    case 'stages':
      return stageItems(s);
    case 'regions':
      return regionItems(s);
    case 'centres':
      return centreItems(s);
    case 'organizations':
      return organizationItems(s);
    case 'trend':
      return trendItems(s);
  }
}

/** Page `page` (1-based) of a list of `total` rows: the RPC paging and the «1–50 из 120» range. */
export function pageWindow(page: number, total: number, size = LIST_PAGE_SIZE): { offset: number; limit: number; pages: number; from: number; to: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const current = Math.min(Math.max(1, Math.floor(page)), pages);
  const offset = (current - 1) * size;
  return { offset, limit: size, pages, from: total === 0 ? 0 : offset + 1, to: Math.min(total, offset + size) };
}

/** A bar chart's height for `n` horizontal bars: readable labels, never a squashed chart. */
export function barChartHeight(n: number): number {
  return Math.max(120, n * 30 + 40);
}

/** The hovered point of a chart click (recharts sends it as a number or a numeric string). */
export function pointIndex(state: unknown): number | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const raw = (state as { activeTooltipIndex?: unknown }).activeTooltipIndex;
  const index = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}
