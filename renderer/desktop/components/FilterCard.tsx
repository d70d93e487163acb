import { Paper, Text, UnstyledButton } from '@mantine/core';

/**
 * A count that doubles as a filter toggle (the status cards on «Пациенты по статусам», the stage
 * cards on «Статусы пациентов»): pressed when its filter is on, tinted in its colour.
 */
export function FilterCard({
  testId,
  countTestId,
  label,
  count,
  color,
  selected,
  onSelect,
  compact = false,
}: {
  testId: string;
  countTestId: string;
  label: string;
  count: number;
  color: string;
  selected: boolean;
  onSelect: () => void;
  /** Smaller padding and type, for a denser row of cards. */
  compact?: boolean;
}) {
  return (
    <UnstyledButton onClick={onSelect} aria-pressed={selected} data-testid={testId} data-count={count} h="100%" w="100%">
      <Paper
        withBorder
        p={compact ? 'xs' : 'sm'}
        radius="md"
        h="100%"
        style={{
          borderColor: selected ? `var(--mantine-color-${color}-6)` : undefined,
          outline: selected ? `1px solid var(--mantine-color-${color}-6)` : undefined,
          background: selected ? `var(--mantine-color-${color}-0)` : undefined,
        }}
      >
        <Text size={compact ? 'lg' : 'xl'} fw={700} c={`${color}.7`} data-testid={countTestId}>
          {count}
        </Text>
        <Text size={compact ? 'xs' : 'sm'}>{label}</Text>
      </Paper>
    </UnstyledButton>
  );
}
