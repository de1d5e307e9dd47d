import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e tests start real servers and processes; two cores are all a machine here has.
    maxWorkers: 2,
  },
})
