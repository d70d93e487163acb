import { describe, expect, it } from 'vitest';
import { PATIENT_STAGES } from '../../../shared/domain/patients';
import type { PipelineSummary } from '../../../shared/domain/pipeline';
import { centreItems, chartItems, describeFilter, filterToken, organizationItems, pageWindow, pointIndex, regionItems, stageItems, trendItems } from './pipeline-view';

const summary: PipelineSummary = {
  generatedAt: '2026-11-22T10:00:00.000Z',
  totalPatients: 5,
  totalRequests: 4,
  overdue: 1,
  byStage: PATIENT_STAGES.map((stage) => ({ stage, count: stage === 'imported' ? 3 : stage === 'under_review' ? 2 : 0 })),
  byRegion: [
    { region: '77', name: 'г. Москва', count: 3 },
    { region: '50', name: 'Московская область', count: 2 },
  ],
  byCentre: [
    { centre: 'bakulev', name: 'НМИЦ ССХ им. А. Н. Бакулева', count: 3 },
    { centre: 'kulakov', name: 'НМИЦ АГП им. В. И. Кулакова', count: 1 },
  ],
  byOrganization: [{ organization: 'ГБУЗ «Областная больница № 1»', count: 4 }],
  trend: [
    { day: '2026-11-21', count: 0 },
    { day: '2026-11-22', count: 4 },
  ],
};

describe('pipeline dashboard: summary → chart items', () => {
  it('keeps every stage in funnel order, zeros included, each with its own filter', () => {
    const items = stageItems(summary);
    expect(items.map((i) => i.filter.stage)).toEqual([...PATIENT_STAGES]);
    expect(items.find((i) => i.key === 'stage=imported')).toMatchObject({ label: 'Импортирован', count: 3, filter: { stage: 'imported' } });
    expect(items.every((i) => /^[a-z]+\.6$/.test(i.color))).toBe(true);
  });

  it('maps regions, centres, organisations and days to the filter that lists them', () => {
    expect(regionItems(summary).map((i) => [i.key, i.label, i.count])).toEqual([
      ['region=77', 'г. Москва', 3],
      ['region=50', 'Московская область', 2],
    ]);
    expect(centreItems(summary).map((i) => i.filter)).toEqual([{ centre: 'bakulev' }, { centre: 'kulakov' }]);
    expect(organizationItems(summary)[0]).toMatchObject({ key: 'organization=ГБУЗ «Областная больница № 1»', count: 4 });
    expect(trendItems(summary).map((i) => [i.key, i.label, i.count])).toEqual([
      ['day=2026-11-21', '21.11.2026', 0],
      ['day=2026-11-22', '22.11.2026', 4],
    ]);
    expect(chartItems('centres', summary)).toEqual(centreItems(summary));
  });

  it('the item counts are the summary counts (the list behind each must total the same)', () => {
    for (const chart of ['stages', 'regions', 'centres', 'organizations', 'trend'] as const) {
      const items = chartItems(chart, summary);
      expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
    }
    expect(stageItems(summary).reduce((a, i) => a + i.count, 0)).toBe(summary.totalPatients);
  });
});

describe('pipeline dashboard: filter → token and label', () => {
  it('tokens are stable and order-independent', () => {
    expect(filterToken({})).toBe('all');
    expect(filterToken({ overdue: true })).toBe('overdue=true');
    expect(filterToken({ stage: 'imported', region: '77' })).toBe(filterToken({ region: '77', stage: 'imported' }));
    expect(filterToken({ region: '77', stage: 'imported' })).toBe('stage=imported&region=77');
  });

  it('says in Russian what the list holds', () => {
    expect(describeFilter({})).toBe('Все пациенты');
    expect(describeFilter({ stage: 'under_review' })).toBe('Этап: На рассмотрении');
    expect(describeFilter({ region: '77' }, summary)).toBe('Регион: г. Москва');
    expect(describeFilter({ region: '99x' })).toBe('Регион: 99x');
    expect(describeFilter({ centre: 'kulakov' }, summary)).toBe('Центр: НМИЦ АГП им. В. И. Кулакова');
    expect(describeFilter({ organization: 'ЦРБ' })).toBe('Организация: ЦРБ');
    expect(describeFilter({ overdue: true })).toBe('Просроченные заявки');
    expect(describeFilter({ day: '2026-11-22' })).toBe('Заявки за 22.11.2026');
    expect(describeFilter({ stage: 'imported', centre: 'bakulev' }, summary)).toBe('Этап: Импортирован; Центр: НМИЦ ССХ им. А. Н. Бакулева');
  });
});

describe('pipeline dashboard: paging', () => {
  it('computes offset and the shown range', () => {
    expect(pageWindow(1, 0)).toEqual({ offset: 0, limit: 50, pages: 1, from: 0, to: 0 });
    expect(pageWindow(1, 120)).toEqual({ offset: 0, limit: 50, pages: 3, from: 1, to: 50 });
    expect(pageWindow(3, 120)).toEqual({ offset: 100, limit: 50, pages: 3, from: 101, to: 120 });
    // A page past the end (the list shrank) shows the last page.
    expect(pageWindow(9, 120)).toMatchObject({ offset: 100, from: 101 });
    expect(pageWindow(2, 30, 10)).toMatchObject({ offset: 10, pages: 3, from: 11, to: 20 });
  });
});

describe('pipeline dashboard: a click on the trend', () => {
  it('takes the hovered point, and nothing when the pointer was off the points', () => {
    expect(pointIndex({ activeTooltipIndex: 3 })).toBe(3);
    expect(pointIndex({ activeTooltipIndex: '28' })).toBe(28);
    // A null index must not become point 0 (Number(null) === 0).
    expect(pointIndex({ activeTooltipIndex: null, isTooltipActive: false })).toBeUndefined();
    expect(pointIndex({ activeTooltipIndex: '' })).toBeUndefined();
    expect(pointIndex(null)).toBeUndefined();
  });
});
