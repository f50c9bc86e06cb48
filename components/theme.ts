/** How each health state looks: one symbol and one colour, so the grid reads at a glance. */
import type { HealthState } from '../src/core/health.js';

export const stateStyle: Record<HealthState, { symbol: string; color: string }> = {
  starting: { symbol: '◌', color: 'cyan' },
  running: { symbol: '●', color: 'green' },
  exited: { symbol: '✔', color: 'blue' },
  crashed: { symbol: '✖', color: 'red' },
  missing: { symbol: '?', color: 'yellow' },
  stopped: { symbol: '■', color: 'gray' },
};
