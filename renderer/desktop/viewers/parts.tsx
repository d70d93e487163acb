import { ActionIcon, Alert, Button, Group, Text, Tooltip } from '@mantine/core';
import { useEffect, useRef, type ReactNode } from 'react';
import { t } from '../../i18n';
import { percent } from './view-math';

/** Shared pieces of the three viewers: the zoom buttons, the keyboard hook, the error box. */

export interface ViewerKeys {
  prev?: () => void;
  next?: () => void;
  zoomIn?: () => void;
  zoomOut?: () => void;
  first?: () => void;
  last?: () => void;
}

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return true;
  // A focused slider takes the arrows itself.
  return target.getAttribute('role') === 'slider';
}

/** ←/→ (and PageUp/PageDown) for pages or frames, +/− for zoom; ignored while typing in a field. Esc is the modal's. */
export function useViewerKeys(keys: ViewerKeys): void {
  const ref = useRef(keys);
  useEffect(() => {
    ref.current = keys;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
      const k = ref.current;
      const action =
        e.key === 'ArrowLeft' || e.key === 'ArrowUp' || e.key === 'PageUp'
          ? k.prev
          : e.key === 'ArrowRight' || e.key === 'ArrowDown' || e.key === 'PageDown'
            ? k.next
            : e.key === '+' || e.key === '=' || e.key === 'Add'
              ? k.zoomIn
              : e.key === '-' || e.key === '_' || e.key === 'Subtract'
                ? k.zoomOut
                : e.key === 'Home'
                  ? k.first
                  : e.key === 'End'
                    ? k.last
                    : undefined;
      if (!action) return;
      e.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function ToolButton({ label, onClick, disabled, testId, children }: { label: string; onClick: () => void; disabled?: boolean; testId: string; children: ReactNode }) {
  return (
    <Tooltip label={label} withArrow openDelay={400}>
      <ActionIcon variant="default" size="lg" aria-label={label} onClick={onClick} disabled={disabled} data-testid={testId}>
        {children}
      </ActionIcon>
    </Tooltip>
  );
}

export function ZoomControls({ zoom, onZoomIn, onZoomOut, onFit, fitLabel }: { zoom: number; onZoomIn: () => void; onZoomOut: () => void; onFit: () => void; fitLabel?: string }) {
  return (
    <Group gap={4} wrap="nowrap" aria-label={t('viewers.zoom')} role="group">
      <ToolButton label={t('viewers.zoomOut')} onClick={onZoomOut} testId="viewer-zoom-out">
        −
      </ToolButton>
      <Text size="sm" w={52} ta="center" data-testid="viewer-zoom-value" aria-live="polite">
        {percent(zoom)}
      </Text>
      <ToolButton label={t('viewers.zoomIn')} onClick={onZoomIn} testId="viewer-zoom-in">
        +
      </ToolButton>
      <Button variant="default" size="compact-sm" onClick={onFit} data-testid="viewer-fit">
        {fitLabel ?? t('viewers.fit')}
      </Button>
    </Group>
  );
}

export function ViewerError({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <Alert color="red" title={t('viewers.error.title')} data-testid="viewer-error" maw={640} m="xl" role="alert">
      <Text size="sm">{message}</Text>
      {onRetry && (
        <Button mt="md" variant="light" color="red" onClick={onRetry} data-testid="viewer-retry">
          {t('viewers.retry')}
        </Button>
      )}
    </Alert>
  );
}

/**
 * Scrolls `container` (only it) so that `el` shows: `center` puts it in the middle, `nearest`
 * moves as little as possible. Element.scrollIntoView would also scroll the page behind the
 * full-screen viewer (its scroll is locked only against the user, not against scripts).
 */
export function scrollWithin(container: HTMLElement | null, el: HTMLElement | null, block: 'center' | 'nearest'): void {
  if (!container || !el) return;
  const c = container.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (block === 'center') {
    container.scrollTop += r.top - c.top - (container.clientHeight - r.height) / 2;
    if (r.left < c.left || r.right > c.left + container.clientWidth) container.scrollLeft += r.left - c.left - (container.clientWidth - r.width) / 2;
    return;
  }
  if (r.top < c.top) container.scrollTop += r.top - c.top;
  else if (r.bottom > c.top + container.clientHeight) container.scrollTop += r.bottom - c.top - container.clientHeight;
}

/** The dark, scrollable stage the page or image sits on. */
export const stageStyle = {
  flex: 1,
  minHeight: 0,
  minWidth: 0,
  overflow: 'auto',
  background: 'var(--mantine-color-dark-6)',
  position: 'relative',
} as const;
