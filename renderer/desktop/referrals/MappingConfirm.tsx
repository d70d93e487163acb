import { Alert, Badge, Button, Group, List, NativeSelect, Paper, ScrollArea, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { ReadFileOutput } from '../../../shared/rpc/contract';
import { REFERRAL_COLUMNS, type ReferralFieldKey } from '../../../shared/referral/columns';
import { hasMessage, t, type MessageId } from '../../i18n';
import { fieldHeader, isFieldKey } from './field-options';

export type MappingTarget = ReferralFieldKey | 'fullName' | 'rowNumber' | null;
export interface MappingChoice {
  index: number;
  target: MappingTarget;
}

const LOW_CONFIDENCE = new Set(['abbreviation', 'contains', 'none']);
const PREVIEW_ROWS = 5;

function asTarget(s: string | null): MappingTarget {
  if (s === 'fullName' || s === 'rowNumber') return s;
  return s !== null && isFieldKey(s) ? s : null;
}

export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

type NoParamKey = Extract<MessageId, `mapping.skip.${string}` | `mapping.confidence.${string}`>;

function label(key: string, fallback: string): string {
  return hasMessage(key) ? t(key as NoParamKey) : fallback;
}
const skipReason = (reason: string) => label(`mapping.skip.${reason}`, reason);
const confidenceLabel = (c: string) => label(`mapping.confidence.${c}`, c);

const TARGET_OPTIONS = [
  { value: '', label: t('mapping.target.none') },
  { value: 'rowNumber', label: t('mapping.target.rowNumber') },
  { value: 'fullName', label: t('mapping.target.fullName') },
  ...REFERRAL_COLUMNS.map((c) => ({ value: c.key, label: c.header })),
];

function SummaryCard({ id, label, value, color }: { id: string; label: string; value: number; color: string }) {
  return (
    <Paper withBorder p="sm" data-testid={`mapping-summary-${id}`} data-value={value}>
      <Text size="xl" fw={700} c={color}>
        {value}
      </Text>
      <Text size="sm">{label}</Text>
    </Paper>
  );
}

/**
 * After a file is read: which sheet and header row were taken, which column feeds which field
 * (the uncertain ones stand out), a preview, and every row that was not taken and why. The user
 * corrects the mapping («Применить» reads the file again with it) and confirms.
 */
export function MappingConfirm({
  result,
  busy,
  onApply,
  onConfirm,
  onCancel,
}: {
  result: ReadFileOutput;
  busy: boolean;
  onApply: (mapping: MappingChoice[]) => void;
  onConfirm: (title: string, mapping: MappingChoice[]) => void;
  onCancel: () => void;
}) {
  const initial = useMemo(() => new Map(result.columns.map((c) => [c.index, asTarget(c.target)])), [result]);
  const [choice, setChoice] = useState<Map<number, MappingTarget>>(initial);
  const [title, setTitle] = useState(result.fileName.replace(/\.xlsx$/i, ''));

  const mapping: MappingChoice[] = result.columns.map((c) => ({ index: c.index, target: choice.get(c.index) ?? null }));
  const dirty = mapping.some((m) => m.target !== (initial.get(m.index) ?? null));
  const counts = new Map<string, number>();
  for (const m of mapping) if (m.target) counts.set(m.target, (counts.get(m.target) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([k]) => k);

  const preview = result.rows.slice(0, PREVIEW_ROWS);
  const previewFields = REFERRAL_COLUMNS.map((c) => c.key).filter((f) => preview.some((r) => (r.cells[f] ?? '') !== ''));
  const otherSheets = result.sheets.filter((s) => !s.chosen);

  return (
    <Stack gap="md" data-testid="mapping-confirm" data-busy={busy} data-dirty={dirty}>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>{t('mapping.title')}</Title>
          <Text size="sm" c="dimmed" data-testid="mapping-file">
            {t('mapping.file', { fileName: result.fileName })}
          </Text>
        </Stack>
        <Button variant="subtle" onClick={onCancel} data-testid="mapping-cancel">
          {t('common.cancel')}
        </Button>
      </Group>

      <Paper withBorder p="sm">
        <Text fw={600} data-testid="mapping-sheet" data-sheet={result.sheet.name} data-header-row={result.headerRow}>
          {t('mapping.sheet', { name: result.sheet.name, row: result.headerRow })}
        </Text>
        {otherSheets.length > 0 && (
          <>
            <Text size="sm" mt="xs">
              {t('mapping.otherSheets')}:
            </Text>
            <List size="sm" data-testid="mapping-other-sheets">
              {otherSheets.map((s) => (
                <List.Item key={s.index} data-testid="mapping-other-sheet" data-rows={s.filledRows}>
                  {t('mapping.sheetRows', { name: s.name, rows: t('rows.count', { count: s.filledRows }) })}
                </List.Item>
              ))}
            </List>
          </>
        )}
        {result.remembered && (
          <Text size="sm" c="teal.8" mt="xs" data-testid="mapping-remembered">
            {t('mapping.remembered')}
          </Text>
        )}
      </Paper>

      {result.notices.length > 0 && (
        <Alert color="yellow" data-testid="mapping-notices">
          <List size="sm">
            {result.notices.map((n, i) => (
              <List.Item key={i} data-code={n.code}>
                {n.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}

      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" data-testid="mapping-summary" data-total={result.summary.total} data-valid={result.summary.valid} data-invalid={result.summary.invalid} data-skipped={result.summary.skipped}>
        <SummaryCard id="total" label={t('mapping.summary.total')} value={result.summary.total} color="blue.7" />
        <SummaryCard id="valid" label={t('mapping.summary.valid')} value={result.summary.valid} color="teal.7" />
        <SummaryCard id="invalid" label={t('mapping.summary.invalid')} value={result.summary.invalid} color="red.7" />
        <SummaryCard id="skipped" label={t('mapping.summary.skipped')} value={result.summary.skipped} color="gray.7" />
      </SimpleGrid>

      <Paper withBorder p="sm">
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing={4} data-testid="mapping-columns">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('mapping.col.file')}</Table.Th>
                <Table.Th>{t('mapping.col.target')}</Table.Th>
                <Table.Th>{t('mapping.col.confidence')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.columns.map((c) => {
                const low = LOW_CONFIDENCE.has(c.confidence);
                const current = choice.get(c.index) ?? null;
                const changed = current !== (initial.get(c.index) ?? null);
                const dup = current !== null && duplicates.includes(current);
                return (
                  <Table.Tr
                    key={c.index}
                    data-testid="mapping-column"
                    data-index={c.index}
                    data-header={c.header}
                    data-target={current ?? ''}
                    data-confidence={c.confidence}
                    data-low={low}
                    style={low && !changed ? { background: 'var(--mantine-color-yellow-0)' } : undefined}
                  >
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {c.header || t('common.empty')}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {t('mapping.columnLetter', { letter: columnLetter(c.index) })}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <NativeSelect
                        size="xs"
                        aria-label={`${t('mapping.col.target')}: ${c.header || columnLetter(c.index)}`}
                        data={TARGET_OPTIONS}
                        value={current ?? ''}
                        error={dup ? t('mapping.duplicateTarget', { field: current === 'fullName' ? t('mapping.target.fullName') : current === 'rowNumber' ? t('mapping.target.rowNumber') : fieldHeader(current) }) : undefined}
                        onChange={(e) => {
                          const v = asTarget(e.currentTarget.value || null);
                          setChoice((m) => new Map(m).set(c.index, v));
                        }}
                        data-testid={`mapping-target-${c.index}`}
                      />
                    </Table.Td>
                    <Table.Td>
                      {changed ? (
                        <Badge size="sm" color="blue" variant="light">
                          {t('mapping.confidence.confirmed')}
                        </Badge>
                      ) : (
                        <Badge size="sm" color={low ? 'yellow' : 'teal'} variant={low ? 'filled' : 'light'} data-testid="mapping-confidence">
                          {confidenceLabel(c.confidence)}
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>

      {preview.length > 0 && (
        <Paper withBorder p="sm">
          <Title order={3} size="h5" mb="xs">
            {t('mapping.preview')}
          </Title>
          <Table.ScrollContainer minWidth={640}>
            <Table striped verticalSpacing={2} fz="xs" data-testid="mapping-preview">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('grid.rowNumber')}</Table.Th>
                  {previewFields.map((f) => (
                    <Table.Th key={f} style={{ whiteSpace: 'nowrap' }}>
                      {fieldHeader(f)}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {preview.map((r) => (
                  <Table.Tr key={r.row} data-testid="mapping-preview-row" data-row={r.row}>
                    <Table.Td>{r.row}</Table.Td>
                    {previewFields.map((f) => (
                      <Table.Td key={f} style={{ whiteSpace: 'nowrap' }}>
                        {r.cells[f] ?? ''}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}

      <Paper withBorder p="sm" data-testid="mapping-skipped" data-count={result.skipped.length}>
        <Title order={3} size="h5" mb="xs">
          {t('mapping.skipped.title')} ({result.skipped.length})
        </Title>
        {result.skipped.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('mapping.skipped.none')}
          </Text>
        ) : (
          <ScrollArea.Autosize mah={160} type="auto">
            <List size="sm">
              {result.skipped.map((s) => (
                <List.Item key={s.row} data-testid="mapping-skipped-row" data-row={s.row} data-reason={s.reason}>
                  {t('mapping.skipped.row', { row: s.row, reason: skipReason(s.reason) })}
                </List.Item>
              ))}
            </List>
          </ScrollArea.Autosize>
        )}
      </Paper>

      <Group justify="space-between" align="flex-end">
        <TextInput
          label={t('mapping.draftTitle')}
          value={title}
          onChange={(e) => setTitle(e.currentTarget.value)}
          w={360}
          maxLength={200}
          data-testid="mapping-title"
        />
        <Group>
          {dirty && (
            <Text size="sm" c="dimmed">
              {t('mapping.apply.hint')}
            </Text>
          )}
          <Button variant="light" onClick={() => onApply(mapping)} disabled={!dirty || busy} loading={busy && dirty} data-testid="mapping-apply">
            {t('mapping.apply')}
          </Button>
          <Button onClick={() => onConfirm(title.trim(), mapping)} disabled={dirty || busy || !title.trim()} loading={busy && !dirty} data-testid="mapping-confirm-button">
            {t('mapping.confirm')}
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
