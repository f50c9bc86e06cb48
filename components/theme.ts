/** How each health state looks: one symbol and one colour, so the grid reads at a glance. */
import type { HealthState } from '../src/core/rules/health.js';
import type { Tone } from '../src/core/views/workerFacts.js';

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
  // Its host does not answer: what runs there is not known, so not a red crash.
  unreachable: { symbol: '⇄', color: 'red' },
};

/** The states that need the person: counted in the header, filtered by `f`. */
export { NEEDS_YOU } from '../src/core/views/gridView.js';

/** How each tone of a fact line (core/views/workerFacts.ts) is drawn. */
export const toneStyle: Record<Tone, { color?: string; dimColor?: boolean }> = {
  plain: {},
  task: { color: 'magenta' },
  prompt: { color: 'cyan' },
  notice: { color: 'yellow' },
  error: { color: 'red' },
  stats: { color: 'gray' },
  dim: { dimColor: true },
};

/** The evidence line's colour: red for a crash, the state's own for a worker that needs the person, else gray. */
export function evidenceColor(state: HealthState, tone: 'error' | 'state' | 'quiet'): string {
  return tone === 'error' ? 'red' : tone === 'state' ? stateStyle[state].color : 'gray';
}
