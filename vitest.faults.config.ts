import { defineConfig } from 'vitest/config'

// `npm run test:faults`: the fault-injection suite (RELIABILITY.md), bounded at 10 minutes on 2 cores
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/faults/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    // figures are part of the output
    silent: false,
  },
})
