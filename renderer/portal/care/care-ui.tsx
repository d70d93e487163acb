import { Alert, Button, Stack, Text } from '@mantine/core';
import type { CSSProperties } from 'react';
import { isApiError } from '../api';
import { tp } from '../i18n';
import { clock, dayMonth, localClockIfDifferent, localTimeZone, relativeDay } from './care-model';

/** True when the session is gone: the caller hands over to the portal's sign-in. */
export function isSessionLost(err: unknown): boolean {
  return isApiError(err) && (err.code === 'UNAUTHENTICATED' || err.code === 'PASSWORD_CHANGE_REQUIRED');
}

/** What a failed call tells the patient (the server's Russian message, or a plain fallback). */
export function failureText(err: unknown): string {
  if (!isApiError(err)) return tp('care.error.other');
  if (err.code === 'SERVER_UNREACHABLE') return tp('care.error.unreachable');
  return err.message || tp('care.error.other');
}

/** «Сегодня, 25 ноября» / «Завтра, 26 ноября» / «пятница, 27 ноября» (Moscow day). */
export function dayLabel(iso: string, now = new Date()): string {
  const r = relativeDay(iso, now);
  const date = dayMonth(iso, now);
  if (r.kind === 'today') return tp('care.day.today', { date });
  if (r.kind === 'tomorrow') return tp('care.day.tomorrow', { date });
  const w = r.weekday;
  return tp('care.day.other', { weekday: w.charAt(0).toUpperCase() + w.slice(1), date });
}

/** «25 ноября, 14:30 МСК» */
export function whenText(iso: string, now = new Date()): string {
  return tp('care.when', { day: dayMonth(iso, now), time: clock(iso) });
}

/** «Сегодня, 25 ноября, 14:30 МСК» and, in another zone, «по вашему времени 16:30». */
export function When({ iso, testId }: { iso: string; testId?: string }) {
  const local = localClockIfDifferent(iso, localTimeZone());
  return (
    <span data-testid={testId}>
      <Text span fw={700} size="lg">
        {dayLabel(iso)}, {tp('care.moscow', { time: clock(iso) })}
      </Text>
      {local ? (
        <Text span size="md" c="gray.7">
          {' '}
          ({tp('care.localTime', { time: local })})
        </Text>
      ) : null}
    </span>
  );
}

/** A load that failed: what happened and a big retry button. */
export function LoadError({ message, onRetry, testId }: { message: string; onRetry: () => void; testId: string }) {
  return (
    <Alert color="red" role="alert" title={tp('care.error.title')} data-testid={testId}>
      <Stack gap="sm" align="flex-start">
        <Text size="md">{message}</Text>
        <Button styles={wrapButton} size="lg" variant="light" onClick={onRetry}>
          {tp('care.retry')}
        </Button>
      </Stack>
    </Alert>
  );
}

/** Lists without bullets or indentation (the cards are the list items). */
export const plainList = { listStyle: 'none', margin: 0, padding: 0 } as const;

/**
 * The shared theme's error red (red.6), `dimmed` grey and the text of light variants (shade 6 on
 * a pale tint) fail WCAG AA contrast; inside the care pages (and their dialogs) they are darkened
 * through Mantine's CSS variables.
 */
export const readableColours = {
  '--mantine-color-error': 'var(--mantine-color-red-9)',
  '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
  ...Object.fromEntries(['blue', 'red', 'teal', 'cyan', 'violet', 'gray', 'green'].map((c) => [`--mantine-color-${c}-light-color`, `var(--mantine-color-${c}-9)`])),
} as CSSProperties;

/** Long Russian labels wrap inside a button instead of being cut off at 360 px. */
export const wrapButton = {
  root: { height: 'auto', minHeight: 'var(--button-height)', paddingBlock: 8 },
  label: { whiteSpace: 'normal', overflow: 'visible', lineHeight: 1.3, textAlign: 'center' },
} as const;
