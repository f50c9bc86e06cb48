import { describe, expect, it } from 'vitest';
import { bindingFor, keymap, keyTableMarkdown, type Action } from '../../src/core/keymap.js';

describe('keymap', () => {
  it('binds every action exactly once, with keys and a description', () => {
    const actions: Action[] = ['moveUp', 'moveDown', 'moveLeft', 'moveRight', 'attach', 'restart', 'stop', 'start', 'help', 'quit'];
    for (const action of actions) {
      const bindings = keymap.filter((b) => b.action === action);
      expect(bindings, action).toHaveLength(1);
      expect(bindings[0]?.keys.length, action).toBeGreaterThan(0);
      expect(bindings[0]?.description.length, action).toBeGreaterThan(5);
    }
  });

  it('never gives one key two meanings', () => {
    const seen = new Map<string, string>();
    for (const b of keymap) {
      for (const k of b.keys) {
        const id = JSON.stringify(k);
        expect(seen.get(id), `${id} is bound to ${seen.get(id)} and ${b.action}`).toBeUndefined();
        seen.set(id, b.action);
      }
    }
  });

  it.each([
    ['k', {}, 'moveUp'],
    ['', { upArrow: true }, 'moveUp'],
    ['j', {}, 'moveDown'],
    ['h', {}, 'moveLeft'],
    ['l', {}, 'moveRight'],
    ['', { return: true }, 'attach'],
    ['r', {}, 'restart'],
    ['s', {}, 'stop'],
    ['u', {}, 'start'],
    ['?', {}, 'help'],
    ['q', {}, 'quit'],
    ['c', { ctrl: true }, 'quit'],
  ] as const)('maps %j %j to %s', (input, key, action) => {
    expect(bindingFor(input, key)?.action).toBe(action);
  });

  it('does not take a plain c for Ctrl-C, or Ctrl-R for r', () => {
    expect(bindingFor('c', {})).toBeUndefined();
    expect(bindingFor('r', { ctrl: true })).toBeUndefined();
  });

  it('disables attach and stop for a worker with no session, and says why', () => {
    const attach = keymap.find((b) => b.action === 'attach');
    expect(attach?.disabledReason({ state: 'missing' })).toMatch(/press u/);
    expect(attach?.disabledReason({ state: 'running' })).toBeNull();
    expect(attach?.disabledReason({ state: null })).toMatch(/no worker/);
  });

  it('renders a README table with a row per binding', () => {
    const table = keyTableMarkdown();
    expect(table.split('\n')).toHaveLength(keymap.length + 2);
    expect(table).toContain('| r | restart the worker — asks first |');
  });
});
