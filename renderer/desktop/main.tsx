import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { theme } from '../common/theme';
import { t } from '../i18n';
import { connect } from '../rpc/connection';
import { RpcProvider } from '../rpc/context';
import { App } from './App';
import { NoToken } from './components/ConnectionScreens';

document.title = t('app.name');
const result = connect();
const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="bottom-right" limit={5} />
      {result.ok ? (
        <RpcProvider connection={result.connection}>
          <App />
        </RpcProvider>
      ) : (
        <NoToken />
      )}
    </MantineProvider>
  </StrictMode>,
);
