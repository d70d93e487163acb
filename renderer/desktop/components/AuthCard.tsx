import { Box, Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { t } from '../../i18n';

/**
 * The one-card screens before the shell — signing in, the lock screen: the programme's name, the
 * screen's heading (which names the form for screen readers), a line or two under it, then the
 * form's fields.
 */
export function AuthCard({
  title,
  titleId,
  intro,
  maw,
  onSubmit,
  cardTestId,
  formTestId,
  children,
}: {
  title: string;
  titleId: string;
  intro: ReactNode;
  maw: number;
  onSubmit: (e: FormEvent) => void;
  cardTestId?: string;
  formTestId?: string;
  children: ReactNode;
}) {
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-0)">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={maw} component="main" data-testid={cardTestId}>
        <Box component="form" onSubmit={onSubmit} noValidate aria-labelledby={titleId} data-testid={formTestId}>
          <Stack gap="md">
            <div>
              <Text fw={700} c="blue.7" size="lg">
                {t('app.name')}
              </Text>
              <Title order={1} size="h2" id={titleId}>
                {title}
              </Title>
              {intro}
            </div>
            {children}
          </Stack>
        </Box>
      </Paper>
    </Center>
  );
}
