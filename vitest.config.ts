/**
 * Three test rings, each a vitest project:
 *   unit         tests beside the sources, packages/<name>/src/.../x.test.ts
 *   inprocess    test/inprocess: controller, agents and ctl wired together in one
 *                process over real sockets, with a fake systemd
 *   integration  test/integration: the built programs on real systemd, in
 *                containers (needs Docker and `npm run build`)
 * Workspace packages resolve through their `source` export condition, so every
 * ring runs on the TypeScript sources, never on a stale build.
 */
import { defineConfig } from 'vitest/config';

// Vite's server-side defaults, with our own condition first.
const conditions = ['source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    // Leaves time for the integration ring's global teardown to remove containers.
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'inprocess',
          include: ['test/inprocess/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/harness/global-setup.ts'],
          // Containers boot systemd; the machines have two cores.
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // No Ryuk (it needs an image pull); global-setup cleans up instead.
          env: { TESTCONTAINERS_RYUK_DISABLED: 'true' },
        },
      },
    ],
  },
});
