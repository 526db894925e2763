/** Jest: @swc/jest transpiles TypeScript (type checking runs separately: npm run typecheck). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  // middy 6, cel-js and feed ship ESM only: let swc transpile them to CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|@marcbachmann|feed)/)'],
  setupFiles: ['<rootDir>/test/support/setup.js'],
  // Builds the web console once (when missing or stale) before the tests that serve it or run `npm start`.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 30000,
};
