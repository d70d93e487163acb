import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Lint, including the "may import" column of ARCHITECTURE.md's layout table: each top-level
 * folder may import only what the table allows.
 */
const noNode = [{ group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net'], message: 'shared/ is environment-free: no Node built-ins.' }];
const layer = (allowedNote, forbidden) => ({
  'no-restricted-imports': ['error', { patterns: forbidden.map((f) => ({ group: f, message: allowedNote })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...noNode, { group: ['**/server/**', '**/electron/**', '**/renderer/**', 'electron', 'react'], message: 'shared/ imports nothing environment-specific.' }] }],
      'no-console': 'error',
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      ...layer('server/ may import shared/ only.', [['**/electron/**', '**/renderer/**', 'electron', 'react']]),
      'no-console': 'error',
    },
  },
  {
    files: ['electron/services/**/*.ts', 'electron/host/**/*.ts'],
    rules: {
      ...layer('electron/services and electron/host are plain Node: shared/ and electron/services only.', [['electron', '**/electron/main/**', '../main/**', '../../main/**', '**/renderer/**', '**/server/**']]),
      'no-console': 'error',
    },
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: layer('electron/main may import electron/services and shared/.', [['**/renderer/**', '**/server/**']]),
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: layer('electron/preload may import shared/ types only.', [['**/electron/services/**', '**/electron/main/**', '../services/**', '../main/**', '**/renderer/**', '**/server/**']]),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: layer('renderer/ reaches the services only through its RPC client; it imports shared/.', [['**/electron/**', '**/server/**', 'electron', 'node:*']]),
  },
  {
    // Desktop integration tests drive the services against a real central API.
    files: ['electron/test/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', 'server/test/**/*.ts', 'bench/**/*.ts', 'scripts/**', 'e2e/**'],
    rules: { 'no-console': 'off' },
  },
);
