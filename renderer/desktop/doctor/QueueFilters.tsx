import { Badge, Button, Checkbox, Group, NativeSelect, Paper, SimpleGrid } from '@mantine/core';
import type { PatientStage } from '../../../shared/domain/patients';
import type { RequestSource } from '../../../shared/domain/requests';
import { CENTRES } from '../../../shared/reference/centres';
import { REGIONS } from '../../../shared/reference/regions';
import { t } from '../../i18n';
import { sourceLabel, STAGE_COLOR, stageLabel, STATUS_ORDER, statusLabel } from '../labels';
import { activeFilterCount, NO_FILTERS, type QueueFilterState } from './doctor-view';

const SOURCES = ['referral', 'self_application', 'duty_booking'] as const satisfies readonly RequestSource[];
const STAGES = Object.keys(STAGE_COLOR) as PatientStage[];

/**
 * The queue's filters. Native selects: typed into with the keyboard, read by screen readers, and
 * all the filtering happens in SQL in the local store, so changing one costs one query.
 */
export function QueueFilters({
  value,
  onChange,
  centre,
  canFilterMine,
}: {
  value: QueueFilterState;
  onChange: (next: QueueFilterState) => void;
  /** The doctor's centre: only its profiles are offered; null (manager) offers every centre's. */
  centre: string | null;
  canFilterMine: boolean;
}) {
  const set = <K extends keyof QueueFilterState>(k: K, v: QueueFilterState[K]) => onChange({ ...value, [k]: v });
  const any = { value: '', label: t('doctor.filter.any') };
  const centres = CENTRES.filter((c) => centre === null || c.code === centre);
  const profiles =
    centres.length === 1
      ? [any, ...centres[0]!.profiles.map((p) => ({ value: p.code, label: p.name }))]
      : [any, ...centres.map((c) => ({ group: c.shortName, items: c.profiles.map((p) => ({ value: p.code, label: p.name })) }))];
  const count = activeFilterCount(value);
  return (
    <Paper withBorder p="sm" data-testid="queue-filters" role="search" aria-label={t('doctor.filter.title')}>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm" verticalSpacing="xs">
        <NativeSelect label={t('doctor.filter.profile')} data={profiles} value={value.profile} onChange={(e) => set('profile', e.currentTarget.value)} data-testid="filter-profile" />
        <NativeSelect
          label={t('doctor.filter.source')}
          data={[any, ...SOURCES.map((s) => ({ value: s, label: sourceLabel(s) }))]}
          value={value.source}
          onChange={(e) => set('source', e.currentTarget.value)}
          data-testid="filter-source"
        />
        <NativeSelect
          label={t('doctor.filter.region')}
          data={[any, ...REGIONS.map((r) => ({ value: r.code, label: `${r.code} — ${r.name}` }))]}
          value={value.region}
          onChange={(e) => set('region', e.currentTarget.value)}
          data-testid="filter-region"
        />
        <NativeSelect
          label={t('doctor.filter.stage')}
          data={[any, ...STAGES.map((s) => ({ value: s, label: stageLabel(s) }))]}
          value={value.stage}
          onChange={(e) => set('stage', e.currentTarget.value)}
          data-testid="filter-stage"
        />
        <NativeSelect
          label={t('doctor.filter.status')}
          data={[any, ...STATUS_ORDER.map((s) => ({ value: s, label: statusLabel(s) }))]}
          value={value.status}
          onChange={(e) => set('status', e.currentTarget.value)}
          data-testid="filter-status"
        />
        <NativeSelect
          label={t('doctor.filter.documents')}
          data={[any, { value: 'complete', label: t('doctor.filter.documents.complete') }, { value: 'incomplete', label: t('doctor.filter.documents.incomplete') }]}
          value={value.documents}
          onChange={(e) => set('documents', e.currentTarget.value as QueueFilterState['documents'])}
          data-testid="filter-documents"
        />
        <Group gap="lg" align="flex-end" pb={6}>
          <Checkbox label={t('doctor.filter.overdue')} checked={value.overdue} onChange={(e) => set('overdue', e.currentTarget.checked)} data-testid="filter-overdue" />
          {canFilterMine && <Checkbox label={t('doctor.filter.mine')} checked={value.mine} onChange={(e) => set('mine', e.currentTarget.checked)} data-testid="filter-mine" />}
        </Group>
        <Group gap="xs" align="flex-end" pb={2}>
          {count > 0 && (
            <>
              <Badge variant="light" data-testid="filter-count">
                {t('doctor.filter.active', { count })}
              </Badge>
              <Button size="xs" variant="subtle" onClick={() => onChange(NO_FILTERS)} data-testid="filter-reset">
                {t('doctor.filter.reset')}
              </Button>
            </>
          )}
        </Group>
      </SimpleGrid>
    </Paper>
  );
}
