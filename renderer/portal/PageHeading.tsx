import { Title } from '@mantine/core';
import { useEffect, useRef } from 'react';

/**
 * The page's one <h1>. It takes focus when the page appears, so a screen reader announces the new
 * page after sign-in or a password change (the portal swaps pages without a navigation).
 */
export function PageHeading({ title, testId }: { title: string; testId?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <Title order={1} ref={ref} tabIndex={-1} fz={{ base: 26, sm: 32 }} style={{ outline: 'none', overflowWrap: 'break-word', hyphens: 'auto' }} data-testid={testId}>
      {title}
    </Title>
  );
}
