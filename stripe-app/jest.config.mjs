// Stripe's UI-extension Jest config, plus what SDK 9.3 needs: it ships ES modules without
// "type": "module", so ts-jest must transform it too (../shared/ENVIRONMENT.md).
import base from '@stripe/ui-extension-tools/jest.config.ui-extension.mjs';

export default {
  ...base,
  preset: 'ts-jest/presets/js-with-ts',
  transformIgnorePatterns: ['/node_modules/(?!@stripe/ui-extension-sdk/)'],
  testTimeout: 15000,
  setupFilesAfterEnv: ['<rootDir>/test/support/setup.ts'],
  testMatch: ['<rootDir>/test/**/*.test.ts?(x)'],
  // The server's contract: tests check their fixtures against the very schemas the API answers with.
  moduleNameMapper: { '^@disputedesk/contract$': '<rootDir>/../server/src/app-api/contract.ts' },
};
