import { AppShell, Burger, Button, Group, Modal, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState, type ReactNode } from 'react';
import type { PublicUser } from '../../shared/domain/users';
import { t, type MessageId } from '../i18n';
import { useRpc, useRpcEvent } from '../rpc/context';
import { SyncIndicator } from './components/SyncIndicator';
import { EmptyState } from './components/EmptyState';
import { DoctorQueue } from './homes/DoctorQueue';
import { ManagerHome } from './homes/ManagerHome';
import { PhysicianHome } from './homes/PhysicianHome';
import { DraftsView } from './referrals/DraftsView';
import { ManagerBatches } from './referrals/ManagerBatches';
import { AuditViewer } from './admin/AuditViewer';
import { CalendarView } from './calendar/CalendarView';
import { PipelineDashboard } from './dashboard/PipelineDashboard';
import { SmsOutbox } from './sms/SmsOutbox';
import { StatusView } from './referrals/StatusView';
import { roleText } from './labels';
import { notifyError, notifyRejection } from './notify';
import { flushBeforeLock } from './flush-before-lock';
import { IdleLockSelect } from './IdleLockSelect';
import { useActivity } from './use-activity';
import { useSignOut } from './use-sign-out';

interface View {
  id: string;
  label: Extract<MessageId, `shell.nav.${string}`>;
  render: (user: PublicUser) => ReactNode;
}

/** What each role sees in the navigation, first item is the home. */
function viewsFor(user: PublicUser): View[] {
  switch (user.role) {
    case 'physician':
      return [
        { id: 'my-patients', label: 'shell.nav.myPatients', render: () => <PhysicianHome /> },
        { id: 'referral-drafts', label: 'shell.nav.referralDrafts', render: () => <DraftsView /> },
        { id: 'referral-status', label: 'shell.nav.referralStatus', render: () => <StatusView /> },
      ];
    case 'manager':
      return [
        { id: 'pipeline', label: 'shell.nav.pipeline', render: () => <PipelineDashboard /> },
        { id: 'incoming-batches', label: 'shell.nav.incomingBatches', render: () => <ManagerBatches /> },
        { id: 'patients-by-status', label: 'shell.nav.patientsByStatus', render: () => <ManagerHome /> },
        { id: 'sms-outbox', label: 'shell.nav.smsOutbox', render: () => <SmsOutbox /> },
        { id: 'centre-queues', label: 'shell.nav.centreQueues', render: (u) => <DoctorQueue user={u} /> },
      ];
    case 'doctor':
      return [
        { id: 'centre-queue', label: 'shell.nav.centreQueue', render: (u) => <DoctorQueue user={u} /> },
        { id: 'calendar', label: 'shell.nav.calendar', render: (u) => <CalendarView user={u} /> },
      ];
    case 'admin':
      return [{ id: 'audit', label: 'shell.nav.audit', render: () => <AuditViewer /> }];
    case 'patient':
      return [];
  }
}

/**
 * The signed-in frame. `viewId`/`onViewChange` let the parent keep the current section while the
 * shell is unmounted (the lock screen); without them the shell keeps it itself.
 */
export function Shell({ user, viewId: viewIdProp, onViewChange }: { user: PublicUser; viewId?: string; onViewChange?: (id: string) => void }) {
  const rpc = useRpc();
  const views = viewsFor(user);
  const [ownViewId, setOwnViewId] = useState(viewIdProp ?? views[0]?.id);
  const viewId = viewIdProp ?? ownViewId;
  const setViewId = (id: string) => {
    setOwnViewId(id);
    onViewChange?.(id);
  };
  const [navOpened, nav] = useDisclosure(false);
  const [locking, setLocking] = useState(false);
  const view = views.find((v) => v.id === viewId) ?? views[0];

  useRpcEvent('sync.rejected', notifyRejection);
  useActivity();

  // session.changed brings the lock screen; nothing else to do on success.
  const lockNow = () => {
    setLocking(true);
    // What an editor has not saved yet goes in first: once locked, the services refuse writes.
    flushBeforeLock()
      .then(() => rpc.call('session.lock'))
      .catch(notifyError)
      .finally(() => setLocking(false));
  };

  const { signOut, signingOut, pendingWarning, dismissWarning } = useSignOut(notifyError);

  const role = roleText(user);

  return (
    <AppShell header={{ height: 64 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !navOpened } }} padding="md">
      <Modal opened={pendingWarning !== null} onClose={dismissWarning} title={t('shell.signOutPending.title')} data-testid="sign-out-pending">
        <Stack>
          <Text size="sm">{pendingWarning}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={dismissWarning} data-testid="sign-out-pending-stay">
              {t('shell.signOutPending.stay')}
            </Button>
            <Button color="red" onClick={() => signOut(true)} data-testid="sign-out-pending-confirm">
              {t('shell.signOutPending.confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={navOpened} onClick={nav.toggle} hiddenFrom="sm" size="sm" aria-label={t('shell.toggleNav')} />
            <Title order={1} size="h4" c="blue.7" data-testid="app-title">
              {t('app.name')}
            </Title>
          </Group>
          <Group gap="lg" wrap="nowrap">
            <SyncIndicator />
            <Stack gap={0} align="flex-end" data-testid="current-user" data-role={user.role}>
              <Text size="sm" fw={600} data-testid="current-user-name">
                {user.fullName}
              </Text>
              <Text size="xs" c="dimmed" data-testid="current-user-role">
                {role}
              </Text>
            </Stack>
            <IdleLockSelect />
            <Button variant="subtle" size="xs" onClick={lockNow} loading={locking} title={t('lock.now.hint')} data-testid="lock-now">
              {t('lock.now')}
            </Button>
            <Button variant="subtle" size="xs" onClick={() => signOut()} loading={signingOut} data-testid="sign-out">
              {t('shell.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('shell.nav.label')} component="nav">
        {views.map((v) => (
          <NavLink
            key={v.id}
            component="button"
            label={t(v.label)}
            active={v.id === view?.id}
            aria-current={v.id === view?.id ? 'page' : undefined}
            onClick={() => {
              setViewId(v.id);
              nav.close();
            }}
            data-testid={`nav-${v.id}`}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {view ? (
          <div key={view.id} data-testid={`view-${view.id}`}>
            {view.render(user)}
          </div>
        ) : (
          <EmptyState testId="patient-desktop" title={t('patient.desktop.title')} body={t('patient.desktop.body')} />
        )}
      </AppShell.Main>
    </AppShell>
  );
}
