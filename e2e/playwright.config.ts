import { defineConfig } from '@playwright/test';

/**
 * End-to-end suites: Debian's Chromium (never a downloaded browser) drives the real UI through the
 * browser-mode host, against a real central API. Each test starts its own processes on free ports.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  // The call suites run inside network namespaces (scripts/call-e2e.mjs, stage e2e:call).
  testIgnore: ['call/**'],
  fullyParallel: false,
  // Two cores: a test runs a central API, a desktop host and a browser.
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: process.env.OBLAKO_E2E_REPORT ?? '/tmp/oblako-e2e-report.json' }]],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.OBLAKO_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        '--disable-features=WebRtcHideLocalIpsWithMdns',
      ],
    },
    locale: 'ru-RU',
    timezoneId: 'Europe/Moscow',
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  outputDir: '/tmp/oblako-e2e-results',
});
