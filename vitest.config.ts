import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the fault-injection suite runs on its own: `npm run test:faults` (vitest.faults.config.ts)
    exclude: ['**/node_modules/**', 'test/faults/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // bundler builds are CPU heavy: two workers on a two-core machine
    maxWorkers: 2,
  },
})
