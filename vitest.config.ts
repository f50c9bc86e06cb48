import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const RACE = 'test/integration/taskStore.test.ts';

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
          exclude: [RACE],
          pool: 'forks',
          maxWorkers: 2,
          // A whole test's limit; each wait inside it has its own deadline. Room for a loaded machine.
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The store raced by 50 processes at once, alone after the rest: beside it, both cores are busy
        // for a minute and other files' tests crawl (a 3 s reassign test took 37 s).
        test: {
          name: 'race',
          include: [RACE],
          pool: 'forks',
          maxWorkers: 1,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
