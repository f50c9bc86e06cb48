import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Files that keep both cores busy for a minute run alone, after the rest: the store raced by 50
 * processes, and the demo's recovery (its dashboard and five busy demo agents for ~40 s). Beside them,
 * other files' tests crawl (a 3 s reassign test took 37 s) and the attach test's first Enter went
 * unanswered in 2 of 3 full runs, never in 22 runs on its own. The racing opens spin 12 processes to
 * make them collide, which would starve whatever ran beside them; the package's install compiles two
 * native addons for ~2 minutes.
 */
const ALONE = [
  'test/integration/taskStore.test.ts',
  'test/integration/taskStoreOpen.test.ts',
  'test/e2e/demoRecovery.test.ts',
  'test/e2e/package.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      {
        // Pure tests: no tmux, no git, no ptys, no native addons, no chdir or exit. They run in worker
        // threads on every core (a thread's process.env is its own copy). `npm run test:unit` runs these.
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          pool: 'threads',
          maxWorkers: availableParallelism(),
          // Isolated (the default) on purpose: board.test.tsx sets FORCE_COLOR before Ink loads, which a
          // module cache shared between files (isolate: false) would carry into, or miss from, others.
          isolate: true,
          // Generous next to the slowest unit test (~2 s), so a loaded machine does not flake.
          testTimeout: 10_000,
          hookTimeout: 10_000,
          // Projects with different maxWorkers need their own group; the fast lane goes first.
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Integration and end-to-end tests drive real tmux servers, git and ptys: give them room, and
        // keep files in separate processes so a test's server never meets another's.
        test: {
          name: 'slow',
          include: ['test/integration/**/*.test.{ts,tsx}', 'test/e2e/**/*.test.{ts,tsx}'],
          exclude: ALONE,
          pool: 'forks',
          maxWorkers: 2,
          // A whole test's limit; each wait inside it has its own deadline. Room for a loaded machine.
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The heavy files (ALONE), one at a time after the rest.
        test: {
          name: 'race',
          include: ALONE,
          pool: 'forks',
          maxWorkers: 1,
          // The demo's recovery waits up to 45 s for its tasks, then up to 60 s for the recovery.
          testTimeout: 120_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
