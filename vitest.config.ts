import { defineConfig } from 'vitest/config'
import path from 'node:path'

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Each test file runs in its own process: chDB allows one data directory
    // per process, and test/support/engine.ts gives every process its own.
    pool: 'forks',
    isolate: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 600_000,
    setupFiles: ['test/support/setup-env.ts'],
  },
})
