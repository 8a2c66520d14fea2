/** Tests run from TypeScript through ts-jest (transpile only; `npm run typecheck` checks types).
 * Integration tests mount real filesystems, so they run one file at a time and may take a while. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  maxWorkers: 1,
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/helpers/global-setup.js',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.js',
};
