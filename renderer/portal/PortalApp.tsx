import { Badge, Button, Center, Container, Drawer, Group, Loader, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { ApiResponse } from '../../shared/api/contract';
import type { PublicUser } from '../../shared/domain/users';
import { call, isApiError } from './api';
import { ChangePasswordPage } from './ChangePasswordPage';
import { ApplyPage } from './care/ApplyPage';
import { ConsultationsPage } from './care/ConsultationsPage';
import { DutyPage } from './care/DutyPage';
import { NotificationsPage } from './care/NotificationsPage';
import { DocumentsPage } from './DocumentsPage';
import { HomePage } from './HomePage';
import { tp } from './i18n';
import { RegisterPage } from './RegisterPage';
import { ResetPage } from './ResetPage';
import { clearSession, loadSession, saveSession } from './session';
import { SignInPage, type SignedIn } from './SignInPage';

export type Tab = 'home' | 'documents' | 'apply' | 'duty' | 'consultations' | 'notifications';
export const TABS: readonly Tab[] = ['home', 'documents', 'apply', 'duty', 'consultations', 'notifications'];

type View =
  | { kind: 'loading' }
  | { kind: 'signIn'; notice: string | null }
  | { kind: 'register' }
  | { kind: 'reset' }
  | { kind: 'change'; token: string; user: PublicUser; oneTimePassword: string }
  | { kind: 'home'; token: string; user: PublicUser; notice: string | null; tab: Tab };

const TITLES = { loading: 'title.signIn', signIn: 'title.signIn', register: 'access.title.register', reset: 'access.title.reset', change: 'title.change' } as const;
const TAB_TITLES = {
  home: 'title.home',
  documents: 'access.title.documents',
  apply: 'access.title.apply',
  duty: 'access.title.duty',
  consultations: 'access.title.consultations',
  notifications: 'access.title.notifications',
} as const satisfies Record<Tab, string>;
const TAB_LABELS = {
  home: 'access.nav.home',
  documents: 'access.nav.documents',
  apply: 'access.nav.apply',
  duty: 'access.nav.duty',
  consultations: 'access.nav.consultations',
  notifications: 'access.nav.notifications',
} as const satisfies Record<Tab, string>;

/** Unread notifications for the menu's badge: on sign-in, on every page change, and once a minute. */
function useUnread(token: string | null, tick: unknown): number {
  const [unread, setUnread] = useState(0);
  useEffect(() => {
    if (!token) return;
    let live = true;
    const poll = () =>
      call('listNotifications', { token }).then(
        (r: ApiResponse<'listNotifications'>) => live && setUnread(r.unread),
        () => undefined,
      );
    void poll();
    const t = setInterval(() => void poll(), 60_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [token, tick]);
  return token ? unread : 0;
}

/**
 * The portal: sign-in (or registration, or a reset by SMS code) → (forced password change while the
 * one-time SMS password is in use) → the signed-in shell: a menu of sections, the unread badge,
 * sign-out. No router: pages follow from the session, so a deep link can never skip the password change.
 */
export function PortalApp() {
  const [view, setView] = useState<View>(() => (loadSession() ? { kind: 'loading' } : { kind: 'signIn', notice: null }));

  const expired = useCallback(() => {
    clearSession();
    setView({ kind: 'signIn', notice: tp('notice.expired') });
  }, []);

  // A reload inside the tab: the stored token says who we are and whether the change is pending.
  useEffect(() => {
    const stored = loadSession();
    if (!stored) return;
    let live = true;
    call('me', { token: stored.token }).then(
      (user) => {
        if (!live) return;
        setView(user.mustChangePassword ? { kind: 'change', token: stored.token, user, oneTimePassword: '' } : { kind: 'home', token: stored.token, user, notice: null, tab: 'home' });
      },
      (err: unknown) => {
        if (!live) return;
        if (isApiError(err) && err.code === 'SERVER_UNREACHABLE') {
          setView({ kind: 'signIn', notice: tp('signIn.error.SERVER_UNREACHABLE') });
          return;
        }
        expired();
      },
    );
    return () => {
      live = false;
    };
  }, [expired]);

  const tab = view.kind === 'home' ? view.tab : null;
  useEffect(() => {
    document.title = tp(view.kind === 'home' ? TAB_TITLES[tab ?? 'home'] : TITLES[view.kind]);
  }, [view.kind, tab]);

  const [menuOpen, setMenuOpen] = useState(false);
  const unread = useUnread(view.kind === 'home' ? view.token : null, tab);

  const signedIn = ({ session, password }: SignedIn) => {
    saveSession({ token: session.token, expiresAt: session.expiresAt });
    setView(
      session.user.mustChangePassword
        ? { kind: 'change', token: session.token, user: session.user, oneTimePassword: password }
        : { kind: 'home', token: session.token, user: session.user, notice: null, tab: 'home' },
    );
  };

  const registered = (session: ApiResponse<'registerConfirm'>) => {
    saveSession({ token: session.token, expiresAt: session.expiresAt });
    setView({ kind: 'home', token: session.token, user: session.user, notice: tp('access.register.done'), tab: 'home' });
  };

  const go = (next: Tab) => {
    setMenuOpen(false);
    setView((v) => (v.kind === 'home' ? { ...v, tab: next, notice: null } : v));
  };

  const signOut = (token: string) => {
    // The session ends on the server too; if it is unreachable, the token is forgotten here anyway.
    void call('logout', { token }).catch(() => undefined);
    clearSession();
    setMenuOpen(false);
    setView({ kind: 'signIn', notice: tp('notice.signedOut') });
  };

  const changed = (token: string, user: PublicUser) => {
    setView({ kind: 'home', token, user: { ...user, mustChangePassword: false }, notice: tp('change.saved'), tab: 'home' });
  };

  return (
    <Container size={560} px="md" py="lg">
      <Stack gap="xl">
        <Group component="header" justify="space-between" align="center" wrap="nowrap" gap="sm">
          <div style={{ minWidth: 0 }}>
            <Text fw={700} size="lg" c="blue.8">
              {tp('app.name')}
            </Text>
            <Text size="md" c="dimmed">
              {tp('app.portal')}
            </Text>
          </div>
          {view.kind === 'home' ? (
            <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
              <Button
                size="lg"
                px="sm"
                variant="filled"
                onClick={() => setMenuOpen(true)}
                data-testid="portal-menu"
                aria-haspopup="dialog"
                aria-expanded={menuOpen}
                aria-label={unread > 0 ? tp('access.nav.menu.unread', { count: unread }) : tp('access.nav.menu')}
                rightSection={
                  unread > 0 ? (
                    <Badge color="red.8" variant="filled" size="md" circle data-testid="portal-menu-unread" aria-hidden>
                      {unread}
                    </Badge>
                  ) : null
                }
              >
                {tp('access.nav.menu')}
              </Button>
              <Button size="lg" px="sm" variant="default" onClick={() => signOut(view.token)} data-testid="portal-signout">
                {tp('home.signOut')}
              </Button>
            </Group>
          ) : null}
        </Group>
        {view.kind === 'home' ? (
          <Drawer
            opened={menuOpen}
            onClose={() => setMenuOpen(false)}
            position="right"
            size="min(100%, 360px)"
            title={tp('access.nav.label')}
            closeButtonProps={{ 'aria-label': tp('access.nav.close'), size: 'xl' }}
            data-testid="portal-nav-drawer"
          >
            <nav aria-label={tp('access.nav.label')} data-testid="portal-nav">
              <Stack component="ul" gap="sm" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                {TABS.map((t) => (
                  <li key={t}>
                    <Button
                      size="lg"
                      fullWidth
                      justify="space-between"
                      variant={view.tab === t ? 'filled' : 'light'}
                      aria-current={view.tab === t ? 'page' : undefined}
                      onClick={() => go(t)}
                      data-testid={`portal-nav-${t}`}
                      rightSection={
                        t === 'notifications' && unread > 0 ? (
                          <Badge color="red.8" variant="filled" size="lg" data-testid="portal-nav-unread">
                            {tp('access.nav.unread', { count: unread })}
                          </Badge>
                        ) : view.tab === t ? (
                          <Text span size="sm">
                            {tp('access.nav.current')}
                          </Text>
                        ) : null
                      }
                    >
                      {tp(TAB_LABELS[t])}
                    </Button>
                  </li>
                ))}
                <li>
                  <Button size="lg" fullWidth variant="default" mt="md" onClick={() => signOut(view.token)} data-testid="portal-nav-signout">
                    {tp('home.signOut')}
                  </Button>
                </li>
              </Stack>
            </nav>
          </Drawer>
        ) : null}
        <main>
          {view.kind === 'loading' ? (
            <Center py="xl">
              <Loader aria-label={tp('app.loading')} />
            </Center>
          ) : view.kind === 'signIn' ? (
            <SignInPage
              notice={view.notice}
              onSignedIn={signedIn}
              onRegister={() => setView({ kind: 'register' })}
              onForgot={() => setView({ kind: 'reset' })}
            />
          ) : view.kind === 'register' ? (
            <RegisterPage onRegistered={registered} onBack={() => setView({ kind: 'signIn', notice: null })} />
          ) : view.kind === 'reset' ? (
            <ResetPage onDone={() => setView({ kind: 'signIn', notice: tp('access.reset.done') })} onBack={() => setView({ kind: 'signIn', notice: null })} />
          ) : view.kind === 'change' ? (
            <ChangePasswordPage
              key={view.token}
              user={view.user}
              token={view.token}
              oneTimePassword={view.oneTimePassword}
              onChanged={() => changed(view.token, view.user)}
              onSignOut={() => signOut(view.token)}
              onExpired={expired}
            />
          ) : view.tab === 'documents' ? (
            <DocumentsPage key={view.token} user={view.user} token={view.token} onExpired={expired} />
          ) : view.tab === 'apply' ? (
            <ApplyPage key={view.token} user={view.user} token={view.token} onExpired={expired} />
          ) : view.tab === 'duty' ? (
            <DutyPage key={view.token} user={view.user} token={view.token} onExpired={expired} />
          ) : view.tab === 'consultations' ? (
            <ConsultationsPage key={view.token} user={view.user} token={view.token} onExpired={expired} />
          ) : view.tab === 'notifications' ? (
            <NotificationsPage key={view.token} user={view.user} token={view.token} onExpired={expired} />
          ) : (
            <HomePage key={view.token} user={view.user} token={view.token} notice={view.notice} onExpired={expired} />
          )}
        </main>
      </Stack>
    </Container>
  );
}
