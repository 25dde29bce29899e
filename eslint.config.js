// Lint for the whole workspace (`pnpm lint`): JavaScript's and typescript-eslint's recommended
// rules, without type information (fast enough to run on every change). Formatting is prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.venv*/**', 'fixtures/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node's globals, for the .js/.mjs scripts (TypeScript checks its own files' names).
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'URL',
          'Buffer',
          'AbortController',
          'AbortSignal',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'performance',
          'TextEncoder',
          'TextDecoder',
          'structuredClone',
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: {
      // `_name` marks a binding kept on purpose (destructuring a field away, an unused parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
);
