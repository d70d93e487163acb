import { NativeSelect } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { IdleLockSettings } from '../../shared/rpc/contract';
import { t } from '../i18n';
import { useRpc } from '../rpc/context';
import { notifyError, notifySuccess } from './notify';

/** The choices offered, in minutes; those outside what the services allow are left out. */
const MINUTES = [1, 5, 10, 15, 30, 60];

/** «15 мин», or «5 с» for a configured default under a minute (a test or kiosk set-up). */
export function idleText(ms: number): string {
  return ms < 60_000 ? t('lock.idle.seconds', { n: Math.round(ms / 1000) }) : t('lock.idle.minutes', { n: Math.round(ms / 60_000) });
}

export function idleChoices(s: IdleLockSettings): number[] {
  const offered = MINUTES.map((m) => m * 60_000).filter((ms) => ms >= s.minMs && ms <= s.maxMs);
  return offered.includes(s.idleMs) ? offered : [...offered, s.idleMs].sort((a, b) => a - b);
}

/**
 * This user's idle time on this computer, in the header beside «Заблокировать»: a plain select,
 * so it works by keyboard; the services keep the choice and re-arm the timer at once.
 */
export function IdleLockSelect() {
  const rpc = useRpc();
  const [settings, setSettings] = useState<IdleLockSettings | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let live = true;
    rpc
      .call('session.idleLock')
      .then((s) => live && setSettings(s))
      .catch(() => undefined); // the header works without it; the lock itself does not depend on this
    return () => {
      live = false;
    };
  }, [rpc]);

  if (!settings) return null;
  const choose = (idleMs: number) => {
    setSaving(true);
    rpc
      .call('session.setIdleLock', { idleMs })
      .then((s) => {
        setSettings(s);
        notifySuccess(t('lock.idle.saved', { time: idleText(s.idleMs) }));
      })
      .catch(notifyError)
      .finally(() => setSaving(false));
  };
  return (
    <NativeSelect
      size="xs"
      aria-label={t('lock.idle.label')}
      title={t('lock.idle.label')}
      value={String(settings.idleMs)}
      disabled={saving}
      onChange={(e) => choose(Number(e.currentTarget.value))}
      data={idleChoices(settings).map((ms) => ({ value: String(ms), label: t('lock.idle.option', { time: idleText(ms) }) }))}
      data-testid="idle-lock-select"
    />
  );
}
