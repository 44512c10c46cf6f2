// Stripe's UI-extension ESLint config (only SDK components, hooks rules), plus the project's
// type-aware rules: no floating promises, type-only imports.
import uiExtension from '@stripe/ui-extension-tools/eslint.config.ui-extension.mjs';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['node_modules/**', '.build/**', 'coverage/**'] },
  ...uiExtension,
  { settings: { react: { version: '18.3' } } },
  {
    // Node tooling (the icon generator).
    files: ['scripts/**/*.mjs'],
    languageOptions: {
      globals: { Buffer: 'readonly', URL: 'readonly', console: 'readonly', process: 'readonly' },
    },
  },
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
];
