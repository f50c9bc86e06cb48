/**
 * The one keymap table (ARCHITECTURE.md §10). Every key handler (the screens' and each dialog's), the
 * hints bar, the dialogs' hint lines, the `?` overlay and the README's key table are all made from it,
 * so a key can never work without being documented or be documented without working.
 */

/** What a key press means on a screen (the grid, a detail view, the board), whichever key produced it. */
export const SCREEN_ACTIONS = [
  'moveUp',
  'moveDown',
  'moveLeft',
  'moveRight',
  'attach',
  'openLog',
  'openPreview',
  'openDiff',
  'cycleFilter',
  'cycleSort',
  'restart',
  'stop',
  'start',
  'bringBack',
  'continueAfterLimit',
  'message',
  'messageMany',
  'addWorker',
  'answer',
  'scrollUp',
  'scrollDown',
  'pageUp',
  'pageDown',
  'scrollTop',
  'follow',
  'cycleLevel',
  'search',
  'back',
  'help',
  'quit',
  'openBoard',
  'assign',
  'reassign',
  'newTask',
  'events',
  'toggleDispatch',
  'land',
  'doctor',
] as const;

/** What a key press means in a dialog: each dialog maps these to what it does (`useBindings`). */
export const DIALOG_ACTIONS = [
  'confirmYes',
  'confirmNo',
  'confirmExtra',
  'answerChoice',
  'answerEnter',
  'pickUp',
  'pickDown',
  'pickChoose',
  'formNext',
  'formPrevious',
  'formSubmit',
  'erase',
  'searchApply',
  'searchCancel',
  'close',
] as const;

export type ScreenAction = (typeof SCREEN_ACTIONS)[number];
export type DialogAction = (typeof DIALOG_ACTIONS)[number];
export type Action = ScreenAction | DialogAction;

export const ACTIONS: readonly Action[] = [...SCREEN_ACTIONS, ...DIALOG_ACTIONS];

/**
 * Where a key works: a screen (the grid, the log view of one worker (`l`), the live preview of its
 * screen (`p`), the task board) or the dialog on top of it. A key may mean different things in different
 * views (j scrolls the log, moves in the grid), never two things in one.
 */
export type ScreenView = 'grid' | 'log' | 'preview' | 'diff' | 'board';
/** The dialogs, each a view of its own: while one is open only its keys work. `search` is the log view's search being typed. */
export type DialogView = 'confirm' | 'answer' | 'pick' | 'form' | 'search' | 'events' | 'help';
export type View = ScreenView | DialogView;

export const SCREENS: readonly ScreenView[] = ['grid', 'log', 'preview', 'diff', 'board'];
export const DIALOGS: readonly DialogView[] = ['confirm', 'answer', 'pick', 'form', 'search', 'events', 'help'];
export const VIEWS: readonly View[] = [...SCREENS, ...DIALOGS];

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
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
  shift?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

export type KeySpec =
  | { kind: 'char'; char: string }
  | { kind: 'ctrl'; char: string }
  | { kind: 'named'; name: 'up' | 'down' | 'left' | 'right' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'enter' | 'escape' | 'tab' | 'shiftTab' | 'backspace' };

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
/** An answer dialog's keys: whatever letter or digit a choice on the worker's screen names. */
const CHOICE_KEYS: KeySpec[] = [...'abcdefghijklmnopqrstuvwxyz0123456789'].map(char);
const LOG: readonly View[] = ['log'];
/** Views of lines that scroll and search alike: the log view and the diff view (logView.ts). */
const LINES: readonly View[] = ['log', 'diff'];
/** Views with a way back to the grid. */
const AWAY: readonly View[] = ['log', 'preview', 'diff', 'board'];
/** Keys that act on a worker work wherever one worker is in front of the person: the selected one, or the one a view shows. */
const ANY: readonly View[] = ['grid', 'log', 'preview', 'diff'];
/** Keys about tasks: on a worker in the grid, or on the selected card of the board. */
const TASKS: readonly View[] = ['grid', 'board'];
/** Keys about the whole board rather than one worker: they work where the board is in front of the person. */
const BOARD: readonly View[] = ['board'];
/** Ctrl-C quits from anywhere but the grid, whose row binds q too. */
const NOT_GRID: readonly View[] = [...AWAY, ...DIALOGS];
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
  row({ action: 'openDiff', keys: [char('d')], views: ['grid', 'log', 'preview'], label: 'd', description: "the worker's diff against the base: files with +/− counts, then the patch", hint: 'diff', hintViews: GRID, disabledReason: needsWorker }),
  row({ action: 'cycleFilter', keys: [char('f')], views: GRID, label: 'f', description: 'filter the grid: all → needs you → working → idle or done → each lane', hint: 'filter' }),
  row({ action: 'cycleSort', keys: [char('o')], views: GRID, label: 'o', description: 'order the grid: config → needs you first → by name → by last activity', hint: null }),
  row({ action: 'restart', keys: [char('r')], views: ANY, label: 'r', description: 'restart the worker', hint: 'restart', hintViews: GRID, dangerous: true, disabledReason: needsWorker }),
  row({ action: 'stop', keys: [char('s')], views: ANY, label: 's', description: 'stop the worker gracefully (its worktree is kept)', hint: 'stop', hintViews: GRID, disabledReason: needsSession }),
  row({ action: 'start', keys: [char('u')], views: ANY, label: 'u', description: 'start the worker, or bring it back with its task', hint: 'start', hintViews: GRID, disabledReason: needsWorker }),
  row({
    action: 'continueAfterLimit',
    keys: [char('c')],
    views: ['grid', 'preview'],
    label: 'c',
    description: 'on a limited worker: cancel (or set again) the "continue" at its reset',
    hint: null,
    disabledReason: (ctx) => (ctx.state === null ? 'no worker selected' : ctx.state !== 'limited' ? 'the worker is not limited (no usage limit to continue after)' : null),
  }),
  row({
    action: 'answer',
    keys: [char('y')],
    views: ['grid', 'preview'],
    label: 'y',
    description: "answer a waiting worker's question, its choices read off its screen",
    hint: 'answer',
    disabledReason: (ctx) => (ctx.state === null ? 'no worker selected' : ctx.state !== 'waiting' ? 'the worker is not asking anything' : null),
  }),
  row({ action: 'message', keys: [char('m')], views: ['grid', 'preview'], label: 'm', description: "type a message into the worker's agent (at its prompt; a busy one gets it later)", hint: 'message', hintViews: GRID, disabledReason: needsWorker }),
  row({ action: 'messageMany', keys: [char('M')], views: GRID, label: 'M', description: 'a message to every worker of a lane, or to all, after a confirmation', hint: null }),
  row({ action: 'addWorker', keys: [char('W')], views: GRID, label: 'W', description: 'add a worker: name, lane, agent or command; written into sessions.json, then started', hint: null }),
  row({ action: 'bringBack', keys: [char('U')], views: GRID, label: 'U', description: 'bring back every worker that should run, each with its task (muxctl up)', hint: null }),
  // Tasks: the board, and the task moves on a worker or a card.
  row({ action: 'openBoard', keys: [char('t')], views: GRID, label: 't', description: 'the task board: a column per state, drift marked', hint: 'tasks' }),
  row({ action: 'newTask', keys: [char('n')], views: TASKS, label: 'n', description: 'add a task: title, lane, priority, acceptance check', hint: 'new task', hintViews: ['board'] }),
  row({ action: 'assign', keys: [char('a')], views: TASKS, label: 'a', description: 'assign a queued task to the worker; on the board, to a worker (a proposal: accept it)', hint: 'assign', hintViews: ['board'], disabledReason: needsTaskOrWorker }),
  row({ action: 'reassign', keys: [char('R')], views: TASKS, label: 'R', description: 'move a task to another worker, its uncommitted work with it', hint: 'reassign', hintViews: ['board'], dangerous: true, disabledReason: needsTaskOrWorker }),
  row({ action: 'events', keys: [char('e')], views: TASKS, label: 'e', description: 'what happened to the worker (or task), with the reasons', hint: 'events', disabledReason: needsTaskOrWorker }),
  row({ action: 'toggleDispatch', keys: [char('P')], views: BOARD, label: 'P', description: 'pause or resume handing queued tasks to idle workers', hint: null }),
  row({ action: 'land', keys: [char('L')], views: BOARD, label: 'L', description: 'land done tasks on the base now: merge, check, fast-forward', hint: 'land' }),
  row({ action: 'doctor', keys: [char('D')], views: BOARD, label: 'D', description: 'the drift doctor: where the record and the world disagree, with fixes', hint: 'doctor' }),
  // The log view and the diff view: scroll, follow, filter.
  row({ action: 'scrollUp', keys: [named('up'), char('k')], views: LINES, label: '↑/k', description: 'scroll up a line (stops following)', hint: null }),
  row({ action: 'scrollDown', keys: [named('down'), char('j')], views: LINES, label: '↓/j', description: 'scroll down a line', hint: null }),
  row({ action: 'pageUp', keys: [named('pageUp'), ctrl('u')], views: LINES, label: 'PgUp/Ctrl-U', description: 'scroll up a page', hint: null }),
  row({ action: 'pageDown', keys: [named('pageDown'), ctrl('d')], views: LINES, label: 'PgDn/Ctrl-D', description: 'scroll down a page', hint: null }),
  row({ action: 'scrollTop', keys: [char('g'), named('home')], views: LINES, label: 'g/Home', description: 'go to the first line (in the log, the oldest)', hint: null }),
  row({ action: 'follow', keys: [char('G'), named('end')], views: LINES, label: 'G/End', description: 'go to the last line (in the log, the newest) and follow new ones', hint: 'follow' }),
  row({ action: 'cycleLevel', keys: [char('e')], views: LOG, label: 'e', description: 'lowest level shown: all → info → warn → error', hint: 'level' }),
  row({ action: 'search', keys: [char('/')], views: LINES, label: '/', description: 'search the lines: type what to look for', hint: 'search' }),
  // Everywhere.
  row({ action: 'back', keys: [named('escape'), char('q')], views: AWAY, label: 'Esc/q', description: 'back to the grid', hint: 'back' }),
  row({ action: 'help', keys: [char('?')], views: SCREENS, label: '?', description: 'show or hide this help', hint: 'help' }),
  row({ action: 'quit', keys: [char('q'), ctrl('c')], views: GRID, label: 'q/Ctrl-C', description: 'quit the dashboard (workers keep running)', hint: 'quit' }),
  // The dialogs. Their hint lines list these rows in this order; what is typed into a form or a search is text, not keys.
  row({ action: 'confirmYes', keys: [char('y'), char('Y')], views: ['confirm'], label: 'y', description: 'yes: do what the dialog asks', hint: 'yes' }),
  row({ action: 'confirmNo', keys: [char('n'), char('N'), named('escape')], views: ['confirm'], label: 'n/Esc', description: 'no: close the dialog, nothing is done', hint: 'no' }),
  row({ action: 'confirmExtra', keys: [char('x')], views: ['confirm'], label: 'x', description: 'the other answer, when the dialog offers one (restart: reset to the base instead)', hint: 'other answer' }),
  row({ action: 'answerChoice', keys: CHOICE_KEYS, views: ['answer'], label: 'a–z/0–9', description: "send the choice of that key, if the screen still asks the same (else nothing is sent)", hint: 'send that choice' }),
  row({ action: 'answerEnter', keys: [named('enter')], views: ['answer'], label: '⏎', description: 'send Enter: the highlighted choice, or the default', hint: 'send Enter' }),
  row({ action: 'close', keys: [named('escape')], views: ['answer'], label: 'Esc', description: 'cancel: close the question, nothing is sent', hint: 'cancel' }),
  row({ action: 'pickUp', keys: [named('up'), char('k')], views: ['pick'], label: '↑/k', description: 'highlight the option above', hint: null }),
  row({ action: 'pickDown', keys: [named('down'), char('j')], views: ['pick'], label: '↓/j', description: 'highlight the option below', hint: null }),
  row({ action: 'pickChoose', keys: [named('enter')], views: ['pick'], label: '⏎', description: 'pick the highlighted option', hint: 'pick' }),
  row({ action: 'close', keys: [named('escape'), char('q')], views: ['pick'], label: 'Esc/q', description: 'cancel: close the list, nothing is picked', hint: 'cancel' }),
  row({ action: 'formNext', keys: [named('tab'), named('down')], views: ['form'], label: 'Tab/↓', description: 'the next field', hint: 'next field' }),
  row({ action: 'formPrevious', keys: [named('shiftTab'), named('up')], views: ['form'], label: 'Shift-Tab/↑', description: 'the previous field', hint: 'previous' }),
  row({ action: 'formSubmit', keys: [named('enter')], views: ['form'], label: '⏎', description: 'submit the form (a problem is named and the form stays open)', hint: 'submit' }),
  row({ action: 'close', keys: [named('escape')], views: ['form'], label: 'Esc', description: 'cancel: close the form, nothing is done', hint: 'cancel' }),
  row({ action: 'erase', keys: [named('backspace')], views: ['form', 'search'], label: 'Backspace', description: 'erase the last character typed', hint: null }),
  row({ action: 'searchApply', keys: [named('enter')], views: ['search'], label: '⏎', description: 'apply the search typed (nothing typed clears it)', hint: 'apply' }),
  row({ action: 'searchCancel', keys: [named('escape')], views: ['search'], label: 'Esc', description: 'cancel the typing: the search shown before stays', hint: 'cancel' }),
  row({ action: 'close', keys: [named('escape'), char('q'), char('e')], views: ['events'], label: 'Esc/q/e', description: 'close the events', hint: 'close' }),
  row({ action: 'close', keys: [named('escape'), char('?'), char('q')], views: ['help'], label: 'Esc/?/q', description: 'close the help', hint: 'close' }),
  // Ctrl-C quits from every view but the grid, whose row binds q too; elsewhere q goes back, closes or is typed.
  row({ action: 'quit', keys: [ctrl('c')], views: NOT_GRID, label: 'Ctrl-C', description: 'quit the dashboard (workers keep running)', hint: null }),
];

/** The bindings that work in a view, in table order. */
export function bindingsFor(view: View, table: readonly Binding[] = keymap): Binding[] {
  return table.filter((b) => b.views.includes(view));
}

/** Movement keys, shown in the hints as one group rather than one hint each. */
const HINT_GROUPS: Record<View, { keys: string; hint: string } | null> = {
  grid: { keys: '←↑↓→', hint: 'move' },
  log: { keys: '↑↓', hint: 'scroll' },
  preview: null,
  diff: { keys: '↑↓', hint: 'scroll' },
  board: { keys: '←↑↓→', hint: 'move' },
  confirm: null,
  answer: null,
  pick: { keys: '↑↓', hint: 'choose' },
  form: null,
  search: null,
  events: null,
  help: null,
};

/** Hints the bar never drops for lack of room: the way to every other key, and the way out. */
const KEPT_HINTS: readonly Action[] = ['help', 'quit', 'back'];

/**
 * The hints bar for a view at a width: the group hint and the table's hints in order, as many whole
 * ones as fit, always ending with help and the way out (a hint cut in half helps nobody).
 */
export function hintsLine(view: View, width: number, table: readonly Binding[] = keymap): string {
  const bindings = bindingsFor(view, table).filter((b) => b.hint !== null && (b.hintViews ?? b.views).includes(view));
  const kept = bindings.filter((b) => KEPT_HINTS.includes(b.action)).map((b) => `${b.label} ${b.hint}`);
  const group = HINT_GROUPS[view];
  const optional = [...(group !== null ? [`${group.keys} ${group.hint}`] : []), ...bindings.filter((b) => !KEPT_HINTS.includes(b.action)).map((b) => `${b.label} ${b.hint}`)];
  const SEP = '  ';
  const lengthOf = (hints: readonly string[]): number => 1 + hints.reduce((sum, h, i) => sum + [...h].length + (i > 0 ? SEP.length : 0), 0);
  const chosen: string[] = [];
  for (const hint of optional) {
    if (lengthOf([...chosen, hint, ...kept]) > width) break;
    chosen.push(hint);
  }
  return ' ' + [...chosen, ...kept].join(SEP);
}

/** One hint of a dialog's line: the keys as written, what they do, and the action (null for a group of movement keys). */
export interface DialogHint {
  action: Action | null;
  keys: string;
  hint: string;
}

/** A dialog's own words for a hint (the confirm's extra answer says what it is), or null to leave the hint out. */
export type HintOverrides = Partial<Record<Action, string | null>>;

/** A dialog's hint line, in table order after its group hint: "y yes · n/Esc no". */
export function dialogHints(view: DialogView, overrides: HintOverrides = {}, table: readonly Binding[] = keymap): DialogHint[] {
  const group = HINT_GROUPS[view];
  const hints: DialogHint[] = group === null ? [] : [{ action: null, ...group }];
  for (const b of bindingsFor(view, table)) {
    const override = overrides[b.action];
    const hint = override === undefined ? b.hint : override;
    if (hint !== null) hints.push({ action: b.action, keys: b.label, hint });
  }
  return hints;
}

/** The same line as plain text. */
export function dialogHintText(view: DialogView, overrides: HintOverrides = {}, table: readonly Binding[] = keymap): string {
  return dialogHints(view, overrides, table)
    .map((h) => `${h.keys} ${h.hint}`)
    .join(' · ');
}

export { splitTyped, TEXT_EDITING, type TypedPiece } from './typing.js';

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
    case 'tab':
      return key.tab === true && key.shift !== true;
    case 'shiftTab':
      return key.tab === true && key.shift === true;
    case 'backspace':
      // Most terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`: both erase.
      return key.backspace === true || key.delete === true;
  }
}

/** The binding a key press selects in a view, if any. */
export function bindingFor(input: string, key: KeyPress, view: View = 'grid', table: readonly Binding[] = keymap): Binding | undefined {
  return table.find((binding) => binding.views.includes(view) && binding.keys.some((spec) => matchesKey(spec, input, key)));
}

const VIEW_NAMES: Record<View, string> = {
  grid: 'grid',
  log: 'log view',
  preview: 'preview',
  diff: 'diff view',
  board: 'board',
  confirm: 'confirmation',
  answer: 'answer',
  pick: 'pick list',
  form: 'form',
  search: 'log search',
  events: 'events',
  help: 'help',
};

/** Where a binding works, in words: "everywhere" for every screen, "every dialog" for every dialog. */
function whereText(views: readonly View[]): string {
  const screens = SCREENS.every((v) => views.includes(v)) ? ['everywhere'] : SCREENS.filter((v) => views.includes(v)).map((v) => VIEW_NAMES[v]);
  const dialogs = DIALOGS.every((v) => views.includes(v)) ? ['every dialog'] : DIALOGS.filter((v) => views.includes(v)).map((v) => VIEW_NAMES[v]);
  return [...screens, ...dialogs].join(', ');
}

/** A key table as Markdown: a row per binding that works in one of `views`, saying where among them. */
export function keyTableMarkdown(table: readonly Binding[] = keymap, views: readonly View[] = VIEWS): string {
  const rows = table
    .filter((b) => b.views.some((v) => views.includes(v)))
    .map((b) => `| ${b.label.replace(/\|/g, '\\|')} | ${whereText(b.views.filter((v) => views.includes(v)))} | ${b.description}${b.dangerous ? ' — asks first' : ''} |`);
  return ['| key | where | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The README's key section: the screens' table, then the dialogs'. */
export function keyDocMarkdown(table: readonly Binding[] = keymap): string {
  return [keyTableMarkdown(table, SCREENS), '', 'In a dialog only its own keys work:', '', keyTableMarkdown(table, DIALOGS)].join('\n');
}
