// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules that touch processes, files or terminals: only src/adapters (and the CLI's wiring) may use them. */
const worldModules = ['execa', 'node-pty', 'chokidar', 'node:fs', 'node:fs/promises', 'fs', 'node:child_process', 'child_process'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'coverage/**'] },
  js.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly' } },
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The layer rule (ARCHITECTURE.md §3): views render and dispatch through the store.
    files: ['components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: worldModules.map((name) => ({ name, message: 'Only src/adapters touches the world (ARCHITECTURE.md §3).' })),
        patterns: [{ group: ['**/adapters/*', '**/control/*', '**/cli/*'], message: 'Arrows point down: components → state → control → core + adapters.' }],
      }],
    },
  },
  {
    files: ['src/state/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: worldModules.map((name) => ({ name, message: 'Only src/adapters touches the world (ARCHITECTURE.md §3).' })),
        patterns: [{ group: ['**/cli/*', '**/components/*'], message: 'Arrows point down: components → state → control → core + adapters.' }],
      }],
    },
  },
  {
    // Control orchestrates: it reaches the world only through src/adapters, and never up into the UI or the CLI.
    files: ['src/control/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: worldModules.map((name) => ({ name, message: 'Only src/adapters touches the world (ARCHITECTURE.md §3): add an adapter function.' })),
        patterns: [{ group: ['**/app/*', '**/cli/*', '**/state/*', '**/components/*'], message: 'Arrows point down: cli → app → control → core + adapters.' }],
      }],
    },
  },
  {
    // Adapters touch the world for everyone above them, and know nothing of them.
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/app/*', '**/cli/*', '**/control/*', '**/state/*', '**/components/*'], message: 'Adapters depend only on core: the layers above call them, never the other way.' }],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...worldModules, 'react', 'ink', 'zustand'].map((name) => ({ name, message: 'src/core is pure: no I/O, no UI.' })),
        patterns: [{ group: ['**/adapters/*', '**/control/*', '**/state/*', '**/components/*'], message: 'src/core depends on nothing above it.' }],
      }],
    },
  },
);
