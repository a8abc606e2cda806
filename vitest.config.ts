// Test runner settings: fast unit suites, and end-to-end suites that start the broker as a child
// process and drive it with real Kafka clients (so they get long timeouts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two cores: two test files at a time keeps a broker plus a JVM tool per file within reach.
    maxWorkers: 2,
    fileParallelism: true,
    // A global option in vitest 4 (projects may not set it): time for e2e brokers to stop.
    teardownTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
