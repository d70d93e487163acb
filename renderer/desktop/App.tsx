import { Button, Center, Paper, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { RpcOutput, Session } from '../../shared/rpc/contract';
import { t } from '../i18n';
import { useReconnected, useRpc, useRpcEvent } from '../rpc/context';
import { ConnectionLost, Loading } from './components/ConnectionScreens';
import { LockScreen } from './LockScreen';
import { errorMessage } from './notify';
import { Shell } from './Shell';
import { SignIn } from './SignIn';

type AppInfo = RpcOutput<'app.info'>;

/**
 * The top of the desktop UI: asks the services who is signed in, follows `session.changed`, and
 * shows the sign-in screen, the lock screen or the shell. State is reloaded after a lost
 * connection comes back.
 *
 * While locked the shell is unmounted, so none of the user's data stays on screen or in the page;
 * the section they were in is kept here, and unlocking brings them back to it.
 */
export function App() {
  const rpc = useRpc();
  const [session, setSessionState] = useState<Session | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [viewByUser, setViewByUser] = useState<Record<string, string>>({});
  /** Why the user is on the sign-in screen again (too many wrong passwords on the lock screen). */
  const [notice, setNotice] = useState<string | null>(null);

  const setSession = useCallback((s: Session) => {
    if (!s.user) setViewByUser({});
    setSessionState(s);
  }, []);

  const load = useCallback(() => {
    setLoadError(null);
    Promise.all([rpc.call('app.info'), rpc.call('session.get')]).then(
      ([i, s]) => {
        setInfo(i);
        setSession(s);
      },
      (e: unknown) => setLoadError(e),
    );
  }, [rpc, setSession]);

  useEffect(load, [load]);
  useReconnected(load);
  useRpcEvent('session.changed', setSession);

  let body;
  if (session && info) {
    const user = session.user;
    if (!user) {
      body = (
        <SignIn
          defaultServerUrl={session.serverUrl ?? info.defaultServerUrl}
          notice={notice}
          onSignedIn={(s) => {
            setNotice(null);
            setSession(s);
          }}
        />
      );
    } else if (session.locked) {
      body = <LockScreen key={user.id} user={user} onUnlocked={setSession} onSignedOut={setNotice} />;
    } else {
      body = <Shell key={user.id} user={user} viewId={viewByUser[user.id]} onViewChange={(id) => setViewByUser((m) => ({ ...m, [user.id]: id }))} />;
    }
  } else if (loadError) {
    body = (
      <Center h="100vh">
        <Paper withBorder p="xl" maw={480} role="alert" data-testid="app-load-error">
          <Stack>
            <Text>{errorMessage(loadError)}</Text>
            <Button onClick={load}>{t('common.retry')}</Button>
          </Stack>
        </Paper>
      </Center>
    );
  } else {
    body = <Loading label={t('conn.connecting')} />;
  }

  return (
    <>
      {body}
      <ConnectionLost />
    </>
  );
}
