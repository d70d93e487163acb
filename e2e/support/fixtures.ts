import { test as base } from '@playwright/test';
import { startCentralApi, startDesktopHost, tempDir, type CentralApi, type DesktopHost } from './processes.js';

/** Starts the real processes a test needs and stops them (newest first) after the test. */
export interface SystemFixture {
  /** The central API on SQLite with demo data; pass `dataDir` and `port` to bring it back. */
  api(dataDir?: string, port?: number, env?: NodeJS.ProcessEnv): Promise<CentralApi>;
  /** The desktop services behind the browser-mode host; reuse `dataDir` to restart the same desktop. */
  desktop(serverUrl: string, dataDir?: string, env?: NodeJS.ProcessEnv): Promise<DesktopHost>;
}

export const test = base.extend<{ system: SystemFixture }>({
  // Playwright reads the fixture's parameter list: the empty pattern means "needs no other fixture".
  // eslint-disable-next-line no-empty-pattern
  system: async ({}, use) => {
    const children: { stop(): Promise<void> }[] = [];
    await use({
      api: async (dataDir = tempDir('api'), port = 0, env = {}) => {
        const a = await startCentralApi(dataDir, port, env);
        children.push(a);
        return a;
      },
      desktop: async (serverUrl, dataDir = tempDir('desktop'), env = {}) => {
        const h = await startDesktopHost(dataDir, serverUrl, env);
        children.push(h);
        return h;
      },
    });
    for (const c of children.reverse()) await c.stop();
  },
});

export { expect } from '@playwright/test';
