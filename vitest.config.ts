import { defineConfig } from 'vitest/config';

// Two projects: pure unit tests (shared/, services) and the server suite, which is run once per
// database engine by scripts/test.mjs (OBLAKO_TEST_DB=sqlite|postgres).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'electron/services/**/*.test.ts', 'electron/host/**/*.test.ts', 'electron/main/**/*.test.ts', 'renderer/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          // Desktop services against a real central API started in-process (own temp dirs, own port).
          name: 'desktop',
          include: ['electron/test/**/*.test.ts'],
          exclude: ['**/*.fault.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          // Faults that touch shared infrastructure (restarting PostgreSQL): run alone, by `npm test -- fault`.
          name: 'fault',
          include: ['electron/fault/**/*.fault.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'server',
          include: ['server/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file creates its own database, so files run in parallel safely.
          pool: 'forks',
        },
      },
    ],
  },
});
