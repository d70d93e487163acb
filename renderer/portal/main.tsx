import '@mantine/core/styles.css';
import { MantineProvider } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { portalCssVariables, portalTheme } from './theme';
import { tp } from './i18n';
import { PortalApp } from './PortalApp';

document.title = tp('title.signIn');
const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from portal/index.html');

createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={portalTheme} cssVariablesResolver={portalCssVariables} defaultColorScheme="light">
      <PortalApp />
    </MantineProvider>
  </StrictMode>,
);
