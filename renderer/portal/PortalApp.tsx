import { Button, Center, Container, Group, Loader, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { PublicUser } from '../../shared/domain/users';
import { call, isApiError } from './api';
import { ChangePasswordPage } from './ChangePasswordPage';
import { HomePage } from './HomePage';
import { tp } from './i18n';
import { clearSession, loadSession, saveSession } from './session';
import { SignInPage, type SignedIn } from './SignInPage';

type View =
  | { kind: 'loading' }
  | { kind: 'signIn'; notice: string | null }
  | { kind: 'change'; token: string; user: PublicUser; oneTimePassword: string }
  | { kind: 'home'; token: string; user: PublicUser; notice: string | null };

const TITLES = { loading: 'title.signIn', signIn: 'title.signIn', change: 'title.change', home: 'title.home' } as const;

/**
 * The portal: sign-in → (forced password change while the one-time SMS password is in use) → home.
 * No router: pages follow from the session, so a deep link can never skip the password change.
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
        setView(user.mustChangePassword ? { kind: 'change', token: stored.token, user, oneTimePassword: '' } : { kind: 'home', token: stored.token, user, notice: null });
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

  useEffect(() => {
    document.title = tp(TITLES[view.kind]);
  }, [view.kind]);

  const signedIn = ({ session, password }: SignedIn) => {
    saveSession({ token: session.token, expiresAt: session.expiresAt });
    setView(
      session.user.mustChangePassword
        ? { kind: 'change', token: session.token, user: session.user, oneTimePassword: password }
        : { kind: 'home', token: session.token, user: session.user, notice: null },
    );
  };

  const signOut = (token: string) => {
    // The session ends on the server too; if it is unreachable, the token is forgotten here anyway.
    void call('logout', { token }).catch(() => undefined);
    clearSession();
    setView({ kind: 'signIn', notice: tp('notice.signedOut') });
  };

  const changed = (token: string, user: PublicUser) => {
    setView({ kind: 'home', token, user: { ...user, mustChangePassword: false }, notice: tp('change.saved') });
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
            <Button size="lg" variant="default" onClick={() => signOut(view.token)} data-testid="portal-signout" style={{ flexShrink: 0 }}>
              {tp('home.signOut')}
            </Button>
          ) : null}
        </Group>
        <main>
          {view.kind === 'loading' ? (
            <Center py="xl">
              <Loader aria-label={tp('app.loading')} />
            </Center>
          ) : view.kind === 'signIn' ? (
            <SignInPage notice={view.notice} onSignedIn={signedIn} />
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
          ) : (
            <HomePage key={view.token} user={view.user} token={view.token} notice={view.notice} onExpired={expired} />
          )}
        </main>
      </Stack>
    </Container>
  );
}
