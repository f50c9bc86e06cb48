/**
 * The keymap's vocabulary: what a key can mean (the actions), where it can mean it (the views), how a
 * key is written down, and what a binding says about itself. The table itself is in the sibling
 * modules, one per kind of view; keymap.ts puts it together and re-exports all of this.
 */

/** What a key press means on a screen (the grid or the list, a detail view, the board), whichever key produced it. */
export const SCREEN_ACTIONS = [
  'moveUp',
  'moveDown',
  'moveLeft',
  'moveRight',
  'movePageUp',
  'movePageDown',
  'moveFirst',
  'moveLast',
  'toggleLayout',
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
 * Where a key works: a screen (the workers as a grid of panels or as a list of lines (`v`), the log
 * view of one worker (`l`), the live preview of its screen (`p`), its diff (`d`), the task board) or
 * the dialog on top of it. A key may mean different things in different views (j scrolls the log,
 * moves in the grid), never two things in one.
 */
export type ScreenView = 'grid' | 'list' | 'log' | 'preview' | 'diff' | 'board';
/** The dialogs, each a view of its own: while one is open only its keys work. `search` is the log view's search being typed. */
export type DialogView = 'confirm' | 'answer' | 'pick' | 'form' | 'search' | 'events' | 'help';
export type View = ScreenView | DialogView;

export const SCREENS: readonly ScreenView[] = ['grid', 'list', 'log', 'preview', 'diff', 'board'];
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
