// The linter the code's comments assume: typescript-eslint's recommended rules over the
// TypeScript sources (the type checker, `npm run typecheck`, does the rest). Run by scripts/test.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'] },
  { ignores: ['**/*.js', 'dist/**', 'build-bench/**', 'native/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // An operation module takes the shared context whether it needs it or not (one table,
      // one signature): an unused parameter is named with a leading underscore.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
