import { AreaChart, BarChart } from '@mantine/charts';
import { Box, ColorSwatch, Group, Paper, SimpleGrid, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { t } from '../../i18n';
import { barChartHeight, pointIndex, type ChartId, type ChartItem } from './pipeline-view';

/** recharts hands a clicked bar's data entry back; ours always carries the item's key. */
function keyOf(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const payload = (entry as { payload?: unknown }).payload;
  const source = typeof payload === 'object' && payload !== null ? payload : entry;
  const key = (source as { key?: unknown }).key;
  return typeof key === 'string' ? key : undefined;
}

/**
 * One chart of the dashboard and, beside it, the same values as a list of buttons: the chart is
 * for the eye (its bars and points can be clicked), the list for the keyboard and screen readers.
 * Both open the list behind the value.
 */
export function ChartPanel({
  chart,
  title,
  description,
  items,
  listItems = items,
  listNote,
  kind = 'bar',
  seriesLabel,
  onOpen,
}: {
  chart: ChartId;
  title: string;
  description?: string;
  items: ChartItem[];
  /** What the accessible list shows (the trend lists only days with requests). */
  listItems?: ChartItem[];
  listNote?: string;
  kind?: 'bar' | 'area';
  seriesLabel: string;
  onOpen: (item: ChartItem) => void;
}) {
  const open = (key: string | undefined) => {
    const found = items.find((i) => i.key === key);
    if (found) onOpen(found);
  };
  const data = items.map((i) => ({ key: i.key, label: i.label, count: i.count, color: i.color }));
  const titleId = `chart-title-${chart}`;

  return (
    <Paper withBorder p="md" radius="md" data-testid={`chart-${chart}`} aria-labelledby={titleId} component="section">
      <Stack gap="xs">
        <div>
          <Title order={3} size="h4" id={titleId}>
            {title}
          </Title>
          {description && (
            <Text size="xs" c="dimmed">
              {description}
            </Text>
          )}
        </div>
        {items.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid={`chart-${chart}-empty`}>
            {t('dashboard.chart.noData')}
          </Text>
        ) : (
          <SimpleGrid cols={{ base: 1, md: kind === 'area' ? 1 : 2 }} spacing="md">
            {/* The chart itself is hidden from assistive technology: the list beside it says the same. */}
            <Box aria-hidden="true" data-testid={`chart-${chart}-plot`} style={{ cursor: 'pointer' }}>
              {kind === 'bar' ? (
                <BarChart
                  h={barChartHeight(items.length)}
                  data={data}
                  dataKey="label"
                  orientation="vertical"
                  series={[{ name: 'count', label: seriesLabel, color: 'blue.6' }]}
                  yAxisProps={{ width: 170, interval: 0 }}
                  gridAxis="none"
                  withBarValueLabel
                  minBarSize={2}
                  barProps={{ onClick: (entry: unknown) => open(keyOf(entry)), cursor: 'pointer' }}
                />
              ) : (
                <AreaChart
                  h={220}
                  data={data}
                  dataKey="label"
                  series={[{ name: 'count', label: seriesLabel, color: 'blue.6' }]}
                  curveType="monotone"
                  withDots
                  gridAxis="y"
                  tickLine="none"
                  areaChartProps={{
                    // The index of the point under the pointer; none when the click was off the points.
                    onClick: (state: unknown) => open(items[pointIndex(state) ?? -1]?.key),
                  }}
                />
              )}
            </Box>
            <ValueList chart={chart} title={title} items={listItems} note={listNote} onOpen={onOpen} />
          </SimpleGrid>
        )}
      </Stack>
    </Paper>
  );
}

function ValueList({ chart, title, items, note, onOpen }: { chart: ChartId; title: string; items: ChartItem[]; note?: string; onOpen: (item: ChartItem) => void }) {
  return (
    <Stack gap={4}>
      {note && (
        <Text size="xs" c="dimmed">
          {note}
        </Text>
      )}
      {/* A plain scrolling box: a long region list stays short on screen, and nothing scrolls sideways. */}
      <Box mah={360} style={{ overflowY: 'auto' }}>
        <Box
          component="ul"
          aria-label={t('dashboard.chart.values', { title })}
          data-testid={`chart-${chart}-values`}
          style={{ listStyle: 'none', margin: 0, padding: 0 }}
        >
          {items.map((i) => (
            <li key={i.key}>
              <UnstyledButton
                onClick={() => onOpen(i)}
                data-testid="chart-item"
                data-chart={chart}
                data-filter={i.key}
                data-count={i.count}
                aria-label={t('dashboard.item.open', { label: i.label, count: i.count })}
                w="100%"
                px="xs"
                py={4}
                style={{ borderRadius: 'var(--mantine-radius-sm)' }}
              >
                <Group gap="xs" wrap="nowrap" justify="space-between">
                  <Group gap="xs" wrap="nowrap" style={{ minWidth: 0, flex: 1 }}>
                    <ColorSwatch color={`var(--mantine-color-${i.color.replace('.', '-')})`} size={10} withShadow={false} />
                    <Text size="sm" truncate="end" title={i.label}>
                      {i.label}
                    </Text>
                  </Group>
                  <Text size="sm" fw={600} data-testid="chart-item-count" style={{ flexShrink: 0 }}>
                    {i.count}
                  </Text>
                </Group>
              </UnstyledButton>
            </li>
          ))}
        </Box>
      </Box>
    </Stack>
  );
}
