import { defineConfig } from '@playwright/test';
import base from './playwright.config.js';

/**
 * The video-call suites: run by scripts/call-e2e.mjs inside a network namespace, with the
 * patient's browser in a second one (see e2e/support/netns.ts). Same browser and options as the
 * other suites; longer timeouts, since bandwidth estimates take seconds to settle on a shaped link.
 */
export default defineConfig({
  ...base,
  testDir: './call',
  testMatch: '**/*.spec.ts',
  testIgnore: [],
  timeout: 240_000,
  expect: { timeout: 20_000 },
  outputDir: '/tmp/oblako-e2e-call-results',
});
