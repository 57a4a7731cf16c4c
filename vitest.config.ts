import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // No `include` here: `extends: true` concatenates arrays, so a root include would put every file in
    // both projects.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      // Unit and integration tests: app.inject() on a temp database (SQLite, or PostgreSQL with FABRIK_TEST_PG_URL).
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/e2e/**'] },
      },
      // The real server process and Debian Chromium. Its globalSetup builds dist/, and runs only when an e2e
      // file is selected, so `vitest run test/calendar` never builds. FABRIK_E2E=skip skips them.
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
