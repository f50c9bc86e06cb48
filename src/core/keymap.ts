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
  | 'openLog'
  | 'openPreview'
  | 'cycleFilter'
  | 'cycleSort'
  | 'restart'
  | 'stop'
  | 'start'
  | 'scrollUp'
  | 'scrollDown'
  | 'pageUp'
  | 'pageDown'
  | 'scrollTop'
  | 'follow'
  | 'cycleLevel'
  | 'search'
  | 'back'
  | 'help'
  | 'quit'
  | 'openBoard'
  | 'assign'
  | 'reassign'
  | 'newTask'
  | 'events'
  | 'toggleDispatch'
  | 'land'
  | 'doctor';

/**
 * Where a key works: the grid, the log view of one worker (`l`) or the live preview of its screen
 * (`p`). A key may mean different things in different views (j scrolls the log, moves in the grid),
 * never two things in one.
 */
export type View = 'grid' | 'log' | 'preview' | 'board';

export const VIEWS: readonly View[] = ['grid', 'log', 'preview', 'board'];

/** The subset of Ink's key record that bindings look at (kept here so core stays free of Ink). */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
}

export type KeySpec =
  | { kind: 'char'; char: string }
  | { kind: 'ctrl'; char: string }
  | { kind: 'named'; name: 'up' | 'down' | 'left' | 'right' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'enter' | 'escape' };

/** What a binding needs to know about the selected worker to say whether it applies. */
export interface SelectionContext {
  /** The selected worker's health state, or null when there are no workers. */
  state: string | null;
  /** On the board: the selected task's state, or null when the board is empty. */
  taskState?: string | null;
}

export interface Binding {
  action: Action;
  keys: KeySpec[];
  /** The views the keys work in. */
  views: readonly View[];
  /** How the keys are written in the hints bar, the help overlay and the README. */
  label: string;
  description: string;
  /** The word the always-visible hints bar shows, or null to leave it out (the help overlay shows every binding). */
  hint: string | null;
  /** The views whose hints bar shows the hint, when not all of `views`: a short bar says what this view is for. */
  hintViews?: readonly View[];
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

const GRID: readonly View[] = ['grid'];
const LOG: readonly View[] = ['log'];
/** Views with a way back to the grid. */
const AWAY: readonly View[] = ['log', 'preview', 'board'];
/** Keys that act on a worker work wherever one worker is in front of the person: the selected one, or the one a view shows. */
const ANY: readonly View[] = ['grid', 'log', 'preview'];
/** Keys about tasks: on a worker in the grid, or on the selected card of the board. */
const TASKS: readonly View[] = ['grid', 'board'];
/** Keys about the whole board rather than one worker: they work where the board is in front of the person. */
const BOARD: readonly View[] = ['board'];
const needsTaskOrWorker = (ctx: SelectionContext): string | null => (ctx.taskState === undefined ? needsWorker(ctx) : ctx.taskState === null ? 'no task selected' : null);

type Row = Omit<Binding, 'dangerous' | 'disabledReason'> & Partial<Pick<Binding, 'dangerous' | 'disabledReason'>>;
const row = (r: Row): Binding => ({ dangerous: false, disabledReason: always, ...r });

export const keymap: readonly Binding[] = [
  // The grid: move, open a worker's views, choose what the grid shows.
  row({ action: 'moveUp', keys: [named('up'), char('k')], views: TASKS, label: '↑/k', description: 'select the worker (or, on the board, the task) above', hint: null, disabledReason: needsTaskOrWorker }),
  row({ action: 'moveDown', keys: [named('down'), char('j')], views: TASKS, label: '↓/j', description: 'select the worker (or task) below', hint: null, disabledReason: needsTaskOrWorker }),
  row({ action: 'moveLeft', keys: [named('left')], views: TASKS, label: '←', description: 'select the worker (or task) to the left', hint: null, disabledReason: needsTaskOrWorker }),
  row({ action: 'moveRight', keys: [named('right')], views: TASKS, label: '→', description: 'select the worker (or task) to the right', hint: null, disabledReason: needsTaskOrWorker }),
  row({ action: 'attach', keys: [named('enter')], views: ANY, label: '⏎', description: "attach to the worker's terminal (Ctrl-Q or tmux's detach comes back)", hint: 'attach', hintViews: ['grid', 'preview'], disabledReason: needsSession }),
  row({ action: 'openLog', keys: [char('l')], views: ['grid', 'preview'], label: 'l', description: "the worker's log: every event, with level filter and search", hint: 'log', disabledReason: needsWorker }),
  row({ action: 'openPreview', keys: [char('p')], views: ['grid', 'log'], label: 'p', description: "a live preview of the worker's screen", hint: 'preview', disabledReason: needsWorker }),
  row({ action: 'cycleFilter', keys: [char('f')], views: GRID, label: 'f', description: 'filter the grid: all → needs you → working → idle or done → each lane', hint: 'filter' }),
  row({ action: 'cycleSort', keys: [char('o')], views: GRID, label: 'o', description: 'order the grid: config → needs you first → by name → by last activity', hint: null }),
  row({ action: 'restart', keys: [char('r')], views: ANY, label: 'r', description: 'restart the worker', hint: 'restart', hintViews: GRID, dangerous: true, disabledReason: needsWorker }),
  row({ action: 'stop', keys: [char('s')], views: ANY, label: 's', description: 'stop the worker gracefully (its worktree is kept)', hint: 'stop', hintViews: GRID, disabledReason: needsSession }),
  row({ action: 'start', keys: [char('u')], views: ANY, label: 'u', description: 'start the worker (or bring a missing one back)', hint: 'start', hintViews: GRID, disabledReason: needsWorker }),
  // Tasks: the board, and the task moves on a worker or a card.
  row({ action: 'openBoard', keys: [char('t')], views: GRID, label: 't', description: 'the task board: a column per state, drift marked', hint: 'tasks' }),
  row({ action: 'newTask', keys: [char('n')], views: TASKS, label: 'n', description: 'add a task: title, lane, priority, acceptance check', hint: 'new task', hintViews: ['board'] }),
  row({ action: 'assign', keys: [char('a')], views: TASKS, label: 'a', description: 'assign a queued task to the worker, or (board) the task to a worker', hint: 'assign', hintViews: ['board'], disabledReason: needsTaskOrWorker }),
  row({ action: 'reassign', keys: [char('R')], views: TASKS, label: 'R', description: 'move a task to another worker, its uncommitted work with it', hint: 'reassign', hintViews: ['board'], dangerous: true, disabledReason: needsTaskOrWorker }),
  row({ action: 'events', keys: [char('e')], views: TASKS, label: 'e', description: 'what happened to the worker (or task), with the reasons', hint: 'events', disabledReason: needsTaskOrWorker }),
  row({ action: 'toggleDispatch', keys: [char('P')], views: BOARD, label: 'P', description: 'pause or resume handing queued tasks to idle workers', hint: null }),
  row({ action: 'land', keys: [char('L')], views: BOARD, label: 'L', description: 'land done tasks on the base now: merge, check, fast-forward', hint: 'land' }),
  row({ action: 'doctor', keys: [char('D')], views: BOARD, label: 'D', description: 'the drift doctor: where the record and the world disagree, with fixes', hint: 'doctor' }),
  // The log view: scroll, follow, filter.
  row({ action: 'scrollUp', keys: [named('up'), char('k')], views: LOG, label: '↑/k', description: 'scroll up a line (stops following)', hint: null }),
  row({ action: 'scrollDown', keys: [named('down'), char('j')], views: LOG, label: '↓/j', description: 'scroll down a line', hint: null }),
  row({ action: 'pageUp', keys: [named('pageUp'), ctrl('u')], views: LOG, label: 'PgUp/Ctrl-U', description: 'scroll up a page', hint: null }),
  row({ action: 'pageDown', keys: [named('pageDown'), ctrl('d')], views: LOG, label: 'PgDn/Ctrl-D', description: 'scroll down a page', hint: null }),
  row({ action: 'scrollTop', keys: [char('g'), named('home')], views: LOG, label: 'g/Home', description: 'go to the oldest line', hint: null }),
  row({ action: 'follow', keys: [char('G'), named('end')], views: LOG, label: 'G/End', description: 'go to the newest line and follow new ones', hint: 'follow' }),
  row({ action: 'cycleLevel', keys: [char('e')], views: LOG, label: 'e', description: 'lowest level shown: all → info → warn → error', hint: 'level' }),
  row({ action: 'search', keys: [char('/')], views: LOG, label: '/', description: 'search: type, ⏎ applies (nothing typed clears it), Esc cancels', hint: 'search' }),
  // Everywhere.
  row({ action: 'back', keys: [named('escape'), char('q')], views: AWAY, label: 'Esc/q', description: 'back to the grid', hint: 'back' }),
  row({ action: 'help', keys: [char('?')], views: VIEWS, label: '?', description: 'show or hide this help', hint: 'help' }),
  row({ action: 'quit', keys: [char('q'), ctrl('c')], views: GRID, label: 'q/Ctrl-C', description: 'quit the dashboard (workers keep running)', hint: 'quit' }),
  // In a detail view q goes back to the grid; Ctrl-C still quits from anywhere.
  row({ action: 'quit', keys: [ctrl('c')], views: AWAY, label: 'Ctrl-C', description: 'quit the dashboard (workers keep running)', hint: null }),
];

/** The bindings that work in a view, in table order. */
export function bindingsFor(view: View, table: readonly Binding[] = keymap): Binding[] {
  return table.filter((b) => b.views.includes(view));
}

/** Movement keys, shown in the hints bar as one group rather than one hint each. */
const HINT_GROUPS: Record<View, string | null> = { grid: '←↑↓→ move', log: '↑↓ scroll', preview: null, board: '←↑↓→ move' };

/** Hints the bar never drops for lack of room: the way to every other key, and the way out. */
const KEPT_HINTS: readonly Action[] = ['help', 'quit', 'back'];

/**
 * The hints bar for a view at a width: the group hint and the table's hints in order, as many whole
 * ones as fit, always ending with help and the way out (a hint cut in half helps nobody).
 */
export function hintsLine(view: View, width: number, table: readonly Binding[] = keymap): string {
  const bindings = bindingsFor(view, table).filter((b) => b.hint !== null && (b.hintViews ?? b.views).includes(view));
  const kept = bindings.filter((b) => KEPT_HINTS.includes(b.action)).map((b) => `${b.label} ${b.hint}`);
  const optional = [...(HINT_GROUPS[view] !== null ? [HINT_GROUPS[view]] : []), ...bindings.filter((b) => !KEPT_HINTS.includes(b.action)).map((b) => `${b.label} ${b.hint}`)];
  const SEP = '  ';
  const lengthOf = (hints: readonly string[]): number => 1 + hints.reduce((sum, h, i) => sum + [...h].length + (i > 0 ? SEP.length : 0), 0);
  const chosen: string[] = [];
  for (const hint of optional) {
    if (lengthOf([...chosen, hint, ...kept]) > width) break;
    chosen.push(hint);
  }
  return ' ' + [...chosen, ...kept].join(SEP);
}

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
    case 'pageUp':
      return key.pageUp === true;
    case 'pageDown':
      return key.pageDown === true;
    case 'home':
      return key.home === true;
    case 'end':
      return key.end === true;
    case 'enter':
      return key.return === true;
    case 'escape':
      return key.escape === true;
  }
}

/** The binding a key press selects in a view, if any. */
export function bindingFor(input: string, key: KeyPress, view: View = 'grid', table: readonly Binding[] = keymap): Binding | undefined {
  return table.find((binding) => binding.views.includes(view) && binding.keys.some((spec) => matchesKey(spec, input, key)));
}

const VIEW_NAMES: Record<View, string> = { grid: 'grid', log: 'log view', preview: 'preview', board: 'board' };

function whereText(views: readonly View[]): string {
  return VIEWS.every((v) => views.includes(v)) ? 'everywhere' : views.map((v) => VIEW_NAMES[v]).join(', ');
}

/** The README's key table, as Markdown. */
export function keyTableMarkdown(table: readonly Binding[] = keymap): string {
  const rows = table.map((b) => `| ${b.label.replace(/\|/g, '\\|')} | ${whereText(b.views)} | ${b.description}${b.dangerous ? ' — asks first' : ''} |`);
  return ['| key | where | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}
