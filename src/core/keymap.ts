/**
 * The one keymap table (ARCHITECTURE.md §10). The root input handler, the hints bar, the `?` overlay
 * and the README's key table are all made from it, so a key can never work without being documented
 * or be documented without working.
 */

/** What a key press means, independent of which key produced it. */
export type Action =
  | 'moveUp'
  | 'moveDown'
  | 'moveLeft'
  | 'moveRight'
  | 'attach'
  | 'restart'
  | 'stop'
  | 'start'
  | 'help'
  | 'quit';

/** The subset of Ink's key record that bindings look at (kept here so core stays free of Ink). */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
}

export type KeySpec =
  | { kind: 'char'; char: string }
  | { kind: 'ctrl'; char: string }
  | { kind: 'named'; name: 'up' | 'down' | 'left' | 'right' | 'enter' | 'escape' };

/** What a binding needs to know about the selected worker to say whether it applies. */
export interface SelectionContext {
  /** The selected worker's health state, or null when there are no workers. */
  state: string | null;
}

export interface Binding {
  action: Action;
  keys: KeySpec[];
  /** How the keys are written in the hints bar, the help overlay and the README. */
  label: string;
  description: string;
  /** The word the always-visible hints bar shows, or null to leave it out (the help overlay shows every binding). */
  hint: string | null;
  /** Acts on a running worker in a way that loses its current process: asks first. */
  dangerous: boolean;
  /** Why the action does nothing right now, or null when it applies. */
  disabledReason: (ctx: SelectionContext) => string | null;
}

const char = (c: string): KeySpec => ({ kind: 'char', char: c });
const ctrl = (c: string): KeySpec => ({ kind: 'ctrl', char: c });
const named = (name: Extract<KeySpec, { kind: 'named' }>['name']): KeySpec => ({ kind: 'named', name });
const always = (): null => null;
const needsWorker = (ctx: SelectionContext): string | null => (ctx.state === null ? 'no worker selected' : null);
const needsSession = (ctx: SelectionContext): string | null => {
  if (ctx.state === null) return 'no worker selected';
  if (ctx.state === 'missing' || ctx.state === 'stopped') return `the worker is ${ctx.state}: press u to start it`;
  return null;
};

export const keymap: readonly Binding[] = [
  { action: 'moveUp', keys: [named('up'), char('k')], label: '↑/k', description: 'select the worker above', hint: null, dangerous: false, disabledReason: needsWorker },
  { action: 'moveDown', keys: [named('down'), char('j')], label: '↓/j', description: 'select the worker below', hint: null, dangerous: false, disabledReason: needsWorker },
  { action: 'moveLeft', keys: [named('left'), char('h')], label: '←/h', description: 'select the worker to the left', hint: null, dangerous: false, disabledReason: needsWorker },
  { action: 'moveRight', keys: [named('right'), char('l')], label: '→/l', description: 'select the worker to the right', hint: null, dangerous: false, disabledReason: needsWorker },
  { action: 'attach', keys: [named('enter')], label: '⏎', description: "attach to the worker's terminal (Ctrl-Q or tmux's detach comes back)", hint: 'attach', dangerous: false, disabledReason: needsSession },
  { action: 'restart', keys: [char('r')], label: 'r', description: 'restart the worker', hint: 'restart', dangerous: true, disabledReason: needsWorker },
  { action: 'stop', keys: [char('s')], label: 's', description: 'stop the worker gracefully (its worktree is kept)', hint: 'stop', dangerous: false, disabledReason: needsSession },
  { action: 'start', keys: [char('u')], label: 'u', description: 'start the worker (or bring a missing one back)', hint: 'start', dangerous: false, disabledReason: needsWorker },
  { action: 'help', keys: [char('?')], label: '?', description: 'show or hide this help', hint: 'help', dangerous: false, disabledReason: always },
  { action: 'quit', keys: [char('q'), ctrl('c')], label: 'q/Ctrl-C', description: 'quit the dashboard (workers keep running)', hint: 'quit', dangerous: false, disabledReason: always },
];

/** The label the hints bar uses for the four movement bindings together. */
export const moveHintLabel = '←↑↓→/hjkl';

/** Keys that answer a confirmation dialog; not in the table because they mean nothing elsewhere. */
export const confirmKeys = { yes: ['y', 'Y'], no: ['n', 'N'] } as const;

export function matchesKey(spec: KeySpec, input: string, key: KeyPress): boolean {
  if (spec.kind === 'char') return !key.ctrl && input === spec.char;
  if (spec.kind === 'ctrl') return key.ctrl === true && input === spec.char;
  switch (spec.name) {
    case 'up':
      return key.upArrow === true;
    case 'down':
      return key.downArrow === true;
    case 'left':
      return key.leftArrow === true;
    case 'right':
      return key.rightArrow === true;
    case 'enter':
      return key.return === true;
    case 'escape':
      return key.escape === true;
  }
}

/** The binding a key press selects, if any. */
export function bindingFor(input: string, key: KeyPress, table: readonly Binding[] = keymap): Binding | undefined {
  return table.find((binding) => binding.keys.some((spec) => matchesKey(spec, input, key)));
}

/** The README's key table, as Markdown. */
export function keyTableMarkdown(table: readonly Binding[] = keymap): string {
  const rows = table.map((b) => `| ${b.label.replace(/\|/g, '\\|')} | ${b.description}${b.dangerous ? ' — asks first' : ''} |`);
  return ['| key | what it does |', '| --- | --- |', ...rows].join('\n');
}
