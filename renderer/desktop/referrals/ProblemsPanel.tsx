import { Paper, ScrollArea, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { memo } from 'react';
import type { ReferralFieldKey } from '../../../shared/referral/columns';
import { t } from '../../i18n';
import { fieldHeader } from './field-options';

export interface Problem {
  /** Row index in the grid, or -1 when the row is no longer there. */
  index: number;
  row: number;
  field: ReferralFieldKey;
  message: string;
}

const SHOWN = 300;

/** «Проблемы»: one line per cell problem; a click takes the cursor to the cell. */
export const ProblemsPanel = memo(function ProblemsPanel({ problems, total, onJump }: { problems: readonly Problem[]; total: number; onJump: (p: Problem) => void }) {
  return (
    <Paper withBorder p="xs" data-testid="grid-problems" data-count={total}>
      <Title order={3} size="h6" mb={4}>
        {t('grid.problems.title')} ({total})
      </Title>
      {total === 0 ? (
        <Text size="sm" c="dimmed" data-testid="grid-problems-none">
          {t('grid.problems.none')}
        </Text>
      ) : (
        <ScrollArea.Autosize mah={160} type="auto">
          <Stack gap={0} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
            {problems.slice(0, SHOWN).map((p, i) => (
              <li key={`${p.row}:${p.field}:${i}`}>
                <UnstyledButton
                  onClick={() => onJump(p)}
                  data-testid="grid-problem"
                  data-row={p.row}
                  data-field={p.field}
                  px={4}
                  py={2}
                  w="100%"
                  style={{ borderRadius: 4, fontSize: 13 }}
                  className="rg-problem"
                >
                  <Text span size="sm" c="red.8">
                    {t('grid.problem', { row: p.row, field: fieldHeader(p.field), message: p.message })}
                  </Text>
                </UnstyledButton>
              </li>
            ))}
            {total > SHOWN && (
              <Text size="sm" c="dimmed" component="li">
                {t('grid.problems.more', { count: total - SHOWN })}
              </Text>
            )}
          </Stack>
        </ScrollArea.Autosize>
      )}
    </Paper>
  );
});
