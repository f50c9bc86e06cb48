import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  bindingFor,
  bindingsFor,
  dialogHints,
  dialogHintText,
  DIALOGS,
  hintsLine,
  keyDocMarkdown,
  keymap,
  keyTableMarkdown,
  SCREENS,
  splitTyped,
  VIEWS,
  type Action,
  type DialogView,
  type View,
} from '../../src/core/views/keymap.js';

/** Every action, spelled out: a new one fails to compile here until it is listed (and then tested below). */
const EVERY_ACTION: Record<Action, true> = {
  openBoard: true,
  assign: true,
  reassign: true,
  newTask: true,
  events: true,
  toggleDispatch: true,
  land: true,
  doctor: true,
  bringBack: true,
  continueAfterLimit: true,
  message: true,
  messageMany: true,
  addWorker: true,
  answer: true,
  answerChoice: true,
  answerEnter: true,
  moveUp: true,
  moveDown: true,
  moveLeft: true,
  moveRight: true,
  movePageUp: true,
  movePageDown: true,
  moveFirst: true,
  moveLast: true,
  toggleLayout: true,
  attach: true,
  openLog: true,
  openPreview: true,
  openDiff: true,
  cycleFilter: true,
  cycleSort: true,
  restart: true,
  stop: true,
  start: true,
  scrollUp: true,
  scrollDown: true,
  pageUp: true,
  pageDown: true,
  scrollTop: true,
  follow: true,
  cycleLevel: true,
  search: true,
  back: true,
  help: true,
  quit: true,
  confirmYes: true,
  confirmNo: true,
  confirmExtra: true,
  pickUp: true,
  pickDown: true,
  pickChoose: true,
  formNext: true,
  formPrevious: true,
  formSubmit: true,
  erase: true,
  searchApply: true,
  searchCancel: true,
  close: true,
};
const ALL_ACTIONS = Object.keys(EVERY_ACTION) as Action[];

/** What each dialog must be able to do with its keys. */
const DIALOG_ACTIONS: Record<DialogView, Action[]> = {
  confirm: ['confirmYes', 'confirmNo', 'confirmExtra', 'quit'],
  answer: ['answerChoice', 'answerEnter', 'close', 'quit'],
  pick: ['pickUp', 'pickDown', 'pickChoose', 'close', 'quit'],
  form: ['formNext', 'formPrevious', 'formSubmit', 'erase', 'close', 'quit'],
  search: ['searchApply', 'searchCancel', 'erase', 'quit'],
  events: ['close', 'quit'],
  help: ['close', 'quit'],
};

describe('keymap', () => {
  it('binds every action, at most once per view, with keys, a view and a description', () => {
    for (const action of ALL_ACTIONS) {
      const bindings = keymap.filter((b) => b.action === action);
      expect(bindings.length, action).toBeGreaterThan(0);
      for (const view of VIEWS) expect(bindings.filter((b) => b.views.includes(view)).length, `${action} in ${view}`).toBeLessThanOrEqual(1);
      for (const b of bindings) {
        expect(b.keys.length, action).toBeGreaterThan(0);
        expect(b.views.length, action).toBeGreaterThan(0);
        expect(b.description.length, action).toBeGreaterThan(5);
        expect(b.label.trim().length, action).toBeGreaterThan(0);
      }
    }
    expect(new Set(keymap.map((b) => b.action))).toEqual(new Set(ALL_ACTIONS));
    expect(new Set(ACTIONS)).toEqual(new Set(ALL_ACTIONS));
    expect(ACTIONS).toHaveLength(ALL_ACTIONS.length);
  });

  it('knows the screens and the dialogs as views, and binds nothing outside them', () => {
    expect(VIEWS).toEqual([...SCREENS, ...DIALOGS]);
    for (const b of keymap) for (const view of b.views) expect(VIEWS, b.action).toContain(view);
  });

  it.each(DIALOGS)('gives the %s dialog exactly its own keys, each with a label and a description', (view) => {
    const bindings = bindingsFor(view);
    expect(bindings.map((b) => b.action).sort()).toEqual([...DIALOG_ACTIONS[view]].sort());
    for (const b of bindings) {
      expect(b.label.trim(), b.action).not.toBe('');
      expect(b.description.length, b.action).toBeGreaterThan(5);
    }
    // No screen key leaks into a dialog but Ctrl-C, which quits from anywhere.
    expect(bindings.filter((b) => b.views.some((v) => (SCREENS as readonly View[]).includes(v))).map((b) => b.action)).toEqual(['quit']);
    // Every dialog has a way out on Esc, and says so in its hint line.
    const out = bindingFor('', { escape: true }, view);
    expect(out?.action, `${view}: Esc`).toMatch(/^(close|confirmNo|searchCancel)$/);
    expect(dialogHintText(view)).toContain(`${out?.label} ${out?.hint}`);
  });

  it.each(VIEWS)('never gives one key two meanings in the %s', (view) => {
    const seen = new Map<string, string>();
    for (const b of bindingsFor(view)) {
      for (const k of b.keys) {
        const id = JSON.stringify(k);
        expect(seen.get(id), `${id} is bound to ${seen.get(id)} and ${b.action} in the ${view}`).toBeUndefined();
        seen.set(id, b.action);
      }
    }
  });

  it.each([
    ['k', {}, 'grid', 'moveUp'],
    ['', { upArrow: true }, 'grid', 'moveUp'],
    ['j', {}, 'grid', 'moveDown'],
    ['', { leftArrow: true }, 'grid', 'moveLeft'],
    ['', { rightArrow: true }, 'grid', 'moveRight'],
    ['', { return: true }, 'grid', 'attach'],
    ['l', {}, 'grid', 'openLog'],
    ['p', {}, 'grid', 'openPreview'],
    ['f', {}, 'grid', 'cycleFilter'],
    ['o', {}, 'grid', 'cycleSort'],
    ['r', {}, 'grid', 'restart'],
    ['s', {}, 'grid', 'stop'],
    ['u', {}, 'grid', 'start'],
    ['?', {}, 'grid', 'help'],
    ['q', {}, 'grid', 'quit'],
    ['c', { ctrl: true }, 'grid', 'quit'],
    ['k', {}, 'log', 'scrollUp'],
    ['', { downArrow: true }, 'log', 'scrollDown'],
    ['', { pageUp: true }, 'log', 'pageUp'],
    ['u', { ctrl: true }, 'log', 'pageUp'],
    ['d', { ctrl: true }, 'log', 'pageDown'],
    ['g', {}, 'log', 'scrollTop'],
    ['G', {}, 'log', 'follow'],
    ['', { end: true }, 'log', 'follow'],
    ['e', {}, 'log', 'cycleLevel'],
    ['/', {}, 'log', 'search'],
    ['p', {}, 'log', 'openPreview'],
    ['d', {}, 'grid', 'openDiff'],
    ['d', {}, 'preview', 'openDiff'],
    ['d', {}, 'log', 'openDiff'],
    ['k', {}, 'diff', 'scrollUp'],
    ['j', {}, 'diff', 'scrollDown'],
    ['', { pageUp: true }, 'diff', 'pageUp'],
    ['', { pageDown: true }, 'diff', 'pageDown'],
    ['g', {}, 'diff', 'scrollTop'],
    ['G', {}, 'diff', 'follow'],
    ['/', {}, 'diff', 'search'],
    ['r', {}, 'diff', 'restart'],
    ['', { return: true }, 'diff', 'attach'],
    ['q', {}, 'diff', 'back'],
    ['', { escape: true }, 'diff', 'back'],
    ['c', { ctrl: true }, 'diff', 'quit'],
    ['q', {}, 'log', 'back'],
    ['', { escape: true }, 'log', 'back'],
    ['c', { ctrl: true }, 'log', 'quit'],
    ['', { return: true }, 'preview', 'attach'],
    ['l', {}, 'preview', 'openLog'],
    ['q', {}, 'preview', 'back'],
    ['c', { ctrl: true }, 'preview', 'quit'],
    ['y', {}, 'confirm', 'confirmYes'],
    ['Y', {}, 'confirm', 'confirmYes'],
    ['n', {}, 'confirm', 'confirmNo'],
    ['N', {}, 'confirm', 'confirmNo'],
    ['', { escape: true }, 'confirm', 'confirmNo'],
    ['x', {}, 'confirm', 'confirmExtra'],
    ['c', { ctrl: true }, 'confirm', 'quit'],
    ['y', {}, 'grid', 'answer'],
    ['y', {}, 'preview', 'answer'],
    ['y', {}, 'answer', 'answerChoice'],
    ['n', {}, 'answer', 'answerChoice'],
    ['1', {}, 'answer', 'answerChoice'],
    ['9', {}, 'answer', 'answerChoice'],
    ['', { return: true }, 'answer', 'answerEnter'],
    ['', { escape: true }, 'answer', 'close'],
    ['c', { ctrl: true }, 'answer', 'quit'],
    ['k', {}, 'pick', 'pickUp'],
    ['', { upArrow: true }, 'pick', 'pickUp'],
    ['j', {}, 'pick', 'pickDown'],
    ['', { downArrow: true }, 'pick', 'pickDown'],
    ['', { return: true }, 'pick', 'pickChoose'],
    ['', { escape: true }, 'pick', 'close'],
    ['q', {}, 'pick', 'close'],
    ['c', { ctrl: true }, 'pick', 'quit'],
    ['', { tab: true }, 'form', 'formNext'],
    ['', { downArrow: true }, 'form', 'formNext'],
    ['', { tab: true, shift: true }, 'form', 'formPrevious'],
    ['', { upArrow: true }, 'form', 'formPrevious'],
    ['', { return: true }, 'form', 'formSubmit'],
    ['', { delete: true }, 'form', 'erase'],
    ['', { backspace: true }, 'form', 'erase'],
    ['', { escape: true }, 'form', 'close'],
    ['c', { ctrl: true }, 'form', 'quit'],
    ['', { return: true }, 'search', 'searchApply'],
    // An Enter pressed before raw mode reaches Ink as LF (the tty's ICRNL), which Ink names "enter", not "return".
    ['\n', {}, 'grid', 'attach'],
    ['\n', {}, 'form', 'formSubmit'],
    ['', { escape: true }, 'search', 'searchCancel'],
    ['', { delete: true }, 'search', 'erase'],
    ['c', { ctrl: true }, 'search', 'quit'],
    ['', { escape: true }, 'events', 'close'],
    ['q', {}, 'events', 'close'],
    ['e', {}, 'events', 'close'],
    ['', { escape: true }, 'help', 'close'],
    ['?', {}, 'help', 'close'],
    ['q', {}, 'help', 'close'],
    ['c', { ctrl: true }, 'help', 'quit'],
  ] as const)('maps %j %j in the %s to %s', (input, key, view, action) => {
    expect(bindingFor(input, key, view)?.action).toBe(action);
  });

  it('leaves what is typed into a form or a search as text: only control keys are bound there', () => {
    for (const view of ['form', 'search'] as const) {
      for (const char of ['q', 'j', 'k', 'e', 'y', 'n', 'x', '?', '/', 'G', ' ']) expect(bindingFor(char, {}, view), `${char} in the ${view}`).toBeUndefined();
    }
    // Outside a text dialog the screen keys are dead while a dialog is open.
    for (const view of ['confirm', 'pick', 'events', 'help'] as const) {
      for (const char of ['r', 's', 'u', 'l', 'p', 't']) expect(bindingFor(char, {}, view), `${char} in the ${view}`).toBeUndefined();
    }
  });

  it('q never quits from a detail view, and grid-only keys do nothing there', () => {
    for (const view of ['log', 'preview', 'diff'] as const) {
      expect(bindingFor('q', {}, view)?.action).toBe('back');
      expect(bindingFor('f', {}, view)).toBeUndefined();
    }
    expect(bindingFor('', { escape: true }, 'grid')).toBeUndefined();
    // e means one thing per view: the worker's events in the grid, the level filter in the log view.
    expect(bindingFor('e', {}, 'grid')?.action).toBe('events');
    expect(bindingFor('e', {}, 'log')?.action).toBe('cycleLevel');
    expect(bindingFor('q', {}, 'board')?.action).toBe('back');
    expect(bindingFor('t', {}, 'board')).toBeUndefined();
  });

  it('does not take a plain c for Ctrl-C, Ctrl-R for r, or Ctrl-U for u', () => {
    // A plain c is its own key (continue after a limit), never quit.
    expect(bindingFor('c', {})?.action).toBe('continueAfterLimit');
    expect(bindingFor('c', {}, 'log')).toBeUndefined();
    expect(bindingFor('r', { ctrl: true })).toBeUndefined();
    expect(bindingFor('u', { ctrl: true }, 'grid')).toBeUndefined();
  });

  it('y answers only a waiting worker, and says why not otherwise; y means nothing in the log view or on the board', () => {
    const answer = keymap.find((b) => b.action === 'answer');
    expect(answer?.disabledReason({ state: 'waiting' })).toBeNull();
    for (const state of ['working', 'idle', 'stuck', 'crashed']) expect(answer?.disabledReason({ state })).toBe('the worker is not asking anything');
    expect(answer?.disabledReason({ state: null })).toMatch(/no worker/);
    expect(bindingFor('y', {}, 'log')).toBeUndefined();
    expect(bindingFor('y', {}, 'board')).toBeUndefined();
    // n stays "new task" and ⏎ "attach" in the grid: the answer's own keys live in its dialog.
    expect(bindingFor('n', {}, 'grid')?.action).toBe('newTask');
    expect(bindingFor('', { return: true }, 'grid')?.action).toBe('attach');
  });

  it('disables attach and stop for a worker with no session, and says why', () => {
    const attach = keymap.find((b) => b.action === 'attach');
    expect(attach?.disabledReason({ state: 'missing' })).toMatch(/press u/);
    expect(attach?.disabledReason({ state: 'running' })).toBeNull();
    expect(attach?.disabledReason({ state: null })).toMatch(/no worker/);
  });

  it.each([
    ['grid', 80],
    ['grid', 200],
    ['list', 80],
    ['list', 40],
    ['log', 80],
    ['log', 40],
    ['preview', 80],
    ['diff', 80],
    ['diff', 40],
  ] as [View, number][])('fits the %s hints bar in %i columns with whole hints, always keeping help and the way out', (view, width) => {
    const line = hintsLine(view, width);
    expect([...line].length).toBeLessThanOrEqual(width);
    expect(line).toContain('? help');
    expect(line).toContain(view === 'grid' || view === 'list' ? 'q/Ctrl-C quit' : 'Esc/q back');
    for (const hint of line.trim().split('  ')) {
      const known = [...bindingsFor(view).map((b) => `${b.label} ${b.hint}`), '←↑↓→ move', '↑↓ scroll', '↑↓ move'];
      expect(known, hint).toContain(hint);
    }
  });

  it('shows every grid hint when there is room', () => {
    const line = hintsLine('grid', 200);
    for (const hint of ['←↑↓→ move', '⏎ attach', 'l log', 'p preview', 'f filter', 'r restart', 's stop', 'u start']) expect(line).toContain(hint);
  });

  it("fills the log view's bar with its own keys, not the worker keys the grid hints", () => {
    const line = hintsLine('log', 80);
    for (const hint of ['↑↓ scroll', 'G/End follow', 'e level', '/ search']) expect(line).toContain(hint);
    expect(line).not.toContain('restart');
  });

  it("gives the diff view the log view's scrolling and search, but not its level filter, and nothing to refresh on r", () => {
    for (const action of ['scrollUp', 'scrollDown', 'pageUp', 'pageDown', 'scrollTop', 'follow', 'search', 'back', 'help'] as const) {
      expect(bindingsFor('diff').map((b) => b.action), action).toContain(action);
    }
    expect(bindingFor('e', {}, 'diff')).toBeUndefined();
    // r restarts wherever one worker is in front of the person, the diff view too: it is never a refresh.
    expect(bindingFor('r', {}, 'diff')?.action).toBe('restart');
    const line = hintsLine('diff', 80);
    for (const hint of ['↑↓ scroll', '/ search', 'Esc/q back', '? help']) expect(line).toContain(hint);
    expect(hintsLine('grid', 200)).toContain('d diff');
  });

  it.each([
    ['confirm', {}, 'y yes · n/Esc no · x other answer'],
    ['confirm', { confirmExtra: 'reset to the base instead' }, 'y yes · n/Esc no · x reset to the base instead'],
    ['confirm', { confirmExtra: null }, 'y yes · n/Esc no'],
    ['answer', {}, 'a–z/0–9 send that choice · ⏎ send Enter · Esc cancel'],
    ['answer', { answerEnter: null }, 'a–z/0–9 send that choice · Esc cancel'],
    ['pick', {}, '↑↓ choose · ⏎ pick · Esc/q cancel'],
    ['form', {}, 'Tab/↓ next field · Shift-Tab/↑ previous · ⏎ submit · Esc cancel'],
    ['search', {}, '⏎ apply · Esc cancel'],
    ['events', {}, 'Esc/q/e close'],
    ['help', {}, 'Esc/?/q close'],
  ] as const)("writes the %s dialog's hints (overrides %j) from its bindings: %s", (view, overrides, text) => {
    expect(dialogHintText(view, overrides)).toBe(text);
    for (const hint of dialogHints(view, overrides)) {
      if (hint.action === null) continue;
      expect(bindingsFor(view).find((b) => b.action === hint.action)?.label, hint.hint).toBe(hint.keys);
    }
  });

  it('splits a chunk typed fast into text and the control keys inside it, in order', () => {
    expect(splitTyped('write the docs')).toEqual([{ text: 'write the docs' }]);
    expect(splitTyped('title\tapp\r')).toEqual([{ text: 'title' }, { key: { tab: true } }, { text: 'app' }, { key: { return: true } }]);
    expect(splitTyped('\x7f\x7fab\b')).toEqual([{ key: { delete: true } }, { key: { delete: true } }, { text: 'ab' }, { key: { backspace: true } }]);
    // Other control bytes are never typed.
    expect(splitTyped('a\x01b\x1b')).toEqual([{ text: 'ab' }]);
    expect(splitTyped('')).toEqual([]);
  });

  it('gives the list every key the grid has for a worker, with ↑↓ instead of four ways and pages besides', () => {
    const sideways = ['moveLeft', 'moveRight'];
    for (const b of bindingsFor('grid')) {
      if (sideways.includes(b.action)) expect(bindingsFor('list').map((l) => l.action), b.action).not.toContain(b.action);
      else expect(bindingsFor('list').map((l) => l.action), b.action).toContain(b.action);
    }
    expect(bindingFor('j', {}, 'list')?.action).toBe('moveDown');
    expect(bindingFor('', { upArrow: true }, 'list')?.action).toBe('moveUp');
    expect(bindingFor('', { leftArrow: true }, 'list')).toBeUndefined();
    expect(bindingFor('', { pageDown: true }, 'list')?.action).toBe('movePageDown');
    expect(bindingFor('u', { ctrl: true }, 'list')?.action).toBe('movePageUp');
    expect(bindingFor('g', {}, 'list')?.action).toBe('moveFirst');
    expect(bindingFor('', { end: true }, 'list')?.action).toBe('moveLast');
    expect(bindingFor('', { return: true }, 'list')?.action).toBe('attach');
    expect(bindingFor('q', {}, 'list')?.action).toBe('quit');
    // v goes from one to the other, and each bar names where it goes.
    expect(bindingFor('v', {}, 'grid')?.hint).toBe('list');
    expect(bindingFor('v', {}, 'list')?.hint).toBe('grid');
    // g is not bound in the grid: the grid has no pages.
    expect(bindingFor('g', {}, 'grid')).toBeUndefined();
  });

  it.each([80, 160])("keeps the way between grid and list in the bar at %i columns", (width) => {
    expect(hintsLine('list', width)).toContain('↑↓ move');
    expect(hintsLine('list', width)).toContain('v grid');
    expect(hintsLine('list', width)).toContain('q/Ctrl-C quit');
    expect(hintsLine('grid', width)).toContain('v list');
  });

  it("writes the README's key section: the screens' table, then the dialogs'", () => {
    const doc = keyDocMarkdown();
    const [screens, dialogs] = doc.split('\n\nIn a dialog only its own keys work:\n\n');
    expect(screens?.split('\n')).toHaveLength(keymap.filter((b) => b.views.some((v) => (SCREENS as readonly View[]).includes(v))).length + 2);
    expect(dialogs?.split('\n')).toHaveLength(keymap.filter((b) => b.views.some((v) => (DIALOGS as readonly View[]).includes(v))).length + 2);
    expect(screens).toContain('| ? | everywhere | show or hide this help |');
    expect(screens).toContain('| Ctrl-C | log view, preview, diff view, board | quit the dashboard (workers keep running) |');
    expect(dialogs).toContain('| Ctrl-C | every dialog | quit the dashboard (workers keep running) |');
    expect(dialogs).toContain('| y | confirmation | yes: do what the dialog asks |');
    expect(dialogs).toContain('| Backspace | form, log search | erase the last character typed |');
    expect(dialogs).toContain('| Esc/q/e | events | close the events |');
    expect(dialogs).toContain('| Esc/q | pick list | cancel: close the list, nothing is picked |');
  });

  it('renders a README table with a row per binding and where it works', () => {
    const table = keyTableMarkdown();
    expect(table.split('\n')).toHaveLength(keymap.length + 2);
    expect(table).toContain('| r | grid, list, log view, preview, diff view | restart the worker — asks first |');
    expect(table).toContain('| Esc/q | log view, preview, diff view, board | back to the workers (the grid or the list) |');
    expect(table).toContain('| d | grid, list, log view, preview |');
    expect(table).toContain('| / | log view, diff view | search the lines: type what to look for |');
    expect(table).toContain('| ? | everywhere |');
    expect(table).toContain('| q/Ctrl-C | grid, list | quit the dashboard (workers keep running) |');
    expect(table).toContain('| v | list | show the workers as panels');
  });
});
