/** How each health state looks: one symbol and one colour, so the grid reads at a glance. */
import type { HealthState } from '../src/core/rules/health.js';

export const stateStyle: Record<HealthState, { symbol: string; color: string }> = {
  starting: { symbol: '◌', color: 'cyan' },
  running: { symbol: '●', color: 'green' },
  working: { symbol: '●', color: 'green' },
  idle: { symbol: '○', color: 'white' },
  waiting: { symbol: '◐', color: 'yellow' },
  // Waits for a clock (the agent's usage limit), not for the person.
  limited: { symbol: '◷', color: 'yellow' },
  stuck: { symbol: '⚠', color: 'magenta' },
  exited: { symbol: '✔', color: 'blue' },
  crashed: { symbol: '✖', color: 'red' },
  missing: { symbol: '?', color: 'yellow' },
  stopped: { symbol: '■', color: 'gray' },
};

/** The states that need the person: counted in the header, filtered by `f`. */
export { NEEDS_YOU } from '../src/core/views/gridView.js';
