import { Button, Center, Paper, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { RpcOutput, Session } from '../../shared/rpc/contract';
import { t } from '../i18n';
import { useReconnected, useRpc, useRpcEvent } from '../rpc/context';
import { ConnectionLost, Loading } from './components/ConnectionScreens';
import { errorMessage } from './notify';
import { Shell } from './Shell';
import { SignIn } from './SignIn';

type AppInfo = RpcOutput<'app.info'>;

/**
 * The top of the desktop UI: asks the services who is signed in, follows `session.changed`, and
 * shows the sign-in screen or the shell. State is reloaded after a lost connection comes back.
 */
export function App() {
  const rpc = useRpc();
  const [session, setSession] = useState<Session | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);

  const load = useCallback(() => {
    setLoadError(null);
    Promise.all([rpc.call('app.info'), rpc.call('session.get')]).then(
      ([i, s]) => {
        setInfo(i);
        setSession(s);
      },
      (e: unknown) => setLoadError(e),
    );
  }, [rpc]);

  useEffect(load, [load]);
  useReconnected(load);
  useRpcEvent('session.changed', setSession);

  let body;
  if (session && info) {
    body = session.user ? (
      <Shell key={session.user.id} user={session.user} />
    ) : (
      <SignIn defaultServerUrl={session.serverUrl ?? info.defaultServerUrl} onSignedIn={setSession} />
    );
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
