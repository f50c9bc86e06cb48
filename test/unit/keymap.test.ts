import { describe, expect, it } from 'vitest';
import { bindingFor, bindingsFor, hintsLine, keymap, keyTableMarkdown, VIEWS, type Action, type View } from '../../src/core/keymap.js';

const ALL_ACTIONS: Action[] = [
  'openBoard',
  'assign',
  'reassign',
  'newTask',
  'events',
  'toggleDispatch',
  'land',
  'doctor',
  'moveUp',
  'moveDown',
  'moveLeft',
  'moveRight',
  'attach',
  'openLog',
  'openPreview',
  'cycleFilter',
  'cycleSort',
  'restart',
  'stop',
  'start',
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
];

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
      }
    }
    expect(new Set(keymap.map((b) => b.action))).toEqual(new Set(ALL_ACTIONS));
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
    ['q', {}, 'log', 'back'],
    ['', { escape: true }, 'log', 'back'],
    ['c', { ctrl: true }, 'log', 'quit'],
    ['', { return: true }, 'preview', 'attach'],
    ['l', {}, 'preview', 'openLog'],
    ['q', {}, 'preview', 'back'],
    ['c', { ctrl: true }, 'preview', 'quit'],
  ] as const)('maps %j %j in the %s to %s', (input, key, view, action) => {
    expect(bindingFor(input, key, view)?.action).toBe(action);
  });

  it('q never quits from a detail view, and grid-only keys do nothing there', () => {
    for (const view of ['log', 'preview'] as const) {
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
    expect(bindingFor('c', {})).toBeUndefined();
    expect(bindingFor('r', { ctrl: true })).toBeUndefined();
    expect(bindingFor('u', { ctrl: true }, 'grid')).toBeUndefined();
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
    ['log', 80],
    ['log', 40],
    ['preview', 80],
  ] as [View, number][])('fits the %s hints bar in %i columns with whole hints, always keeping help and the way out', (view, width) => {
    const line = hintsLine(view, width);
    expect([...line].length).toBeLessThanOrEqual(width);
    expect(line).toContain('? help');
    expect(line).toContain(view === 'grid' ? 'q/Ctrl-C quit' : 'Esc/q back');
    for (const hint of line.trim().split('  ')) {
      const known = [...bindingsFor(view).map((b) => `${b.label} ${b.hint}`), '←↑↓→ move', '↑↓ scroll'];
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

  it('renders a README table with a row per binding and where it works', () => {
    const table = keyTableMarkdown();
    expect(table.split('\n')).toHaveLength(keymap.length + 2);
    expect(table).toContain('| r | grid, log view, preview | restart the worker — asks first |');
    expect(table).toContain('| Esc/q | log view, preview, board | back to the grid |');
    expect(table).toContain('| ? | everywhere |');
    expect(table).toContain('| q/Ctrl-C | grid | quit the dashboard (workers keep running) |');
  });
});
