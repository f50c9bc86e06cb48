/**
 * land.auto's throttle: one landing at a time; tried again when the done tasks changed since the last
 * landing started (a task done meanwhile lands next), not when nothing did (a refused base is not
 * merged and checked once a second).
 */
import { describe, expect, it } from 'vitest';
import type { Lander, LandResult } from '../../src/control/lander.js';
import { AUTO_LAND_RETRY_MS, Landings } from '../../src/control/landings.js';
import type { TaskStore } from '../../src/adapters/taskStore.js';
import { newTask, type Task } from '../../src/core/rules/tasks.js';

const PERSON = { kind: 'dispatcher' } as const;

function world() {
  let clock = 1_000_000;
  const tasks = new Map<string, Task>();
  const done = (id: string, at: number): void => void tasks.set(id, { ...newTask({ id, title: id, lane: 'app' }, at), state: 'done', updatedAt: at });
  const landed: string[][] = [];
  let release: () => void = () => {};
  let onLand: (ids: string[]) => void = () => {};
  const lander = {
    land: async (): Promise<LandResult[]> => {
      const ids = [...tasks.values()].filter((t) => t.state === 'done').map((t) => t.id);
      landed.push(ids);
      onLand(ids);
      await new Promise<void>((resolve) => (release = resolve));
      for (const id of ids) tasks.set(id, { ...(tasks.get(id) as Task), state: 'landed' });
      return ids.map((task) => ({ task, outcome: 'landed', sha: 'abc1234', reasons: [], branch: 'deleted', push: null }));
    },
  } as unknown as Lander;
  const store = { list: ({ states }: { states: string[] }) => [...tasks.values()].filter((t) => states.includes(t.state)) } as unknown as TaskStore;
  const landings = new Landings({ lander, store, now: () => clock, afterLanding: () => {} });
  return { landings, done, landed, finish: () => release(), whileLanding: (f: (ids: string[]) => void) => (onLand = f), tick: (ms: number) => (clock += ms) };
}

describe('Landings', () => {
  it('lands a task that finished while another was landing, on the next try', async () => {
    const w = world();
    w.done('T7', 1);
    w.whileLanding((ids) => ids.includes('T7') && w.done('T4', 2));
    const first = w.landings.landIfDue(PERSON);
    expect(w.landings.landIfDue(PERSON)).toBeNull();
    w.finish();
    expect(await first).toBe('T7 landed at abc1234');
    const second = w.landings.landIfDue(PERSON);
    expect(second).not.toBeNull();
    w.finish();
    expect(await second).toBe('T4 landed at abc1234');
    expect(w.landed).toEqual([['T7'], ['T4']]);
  });

  it('does not try again while nothing changed, until the retry time has passed', async () => {
    const w = world();
    w.done('T1', 1);
    // A lander that refuses (the base has local changes): the task stays done, unchanged.
    const refusing = w.landings;
    const lander = (refusing as unknown as { deps: { lander: { land: () => Promise<LandResult[]> } } }).deps.lander;
    lander.land = async () => [{ task: 'T1', outcome: 'refused', sha: null, reasons: ['local changes'], branch: null, push: null }];
    expect(await refusing.landIfDue(PERSON)).toBe('T1 refused: local changes');
    expect(refusing.landIfDue(PERSON)).toBeNull();
    w.tick(AUTO_LAND_RETRY_MS);
    expect(refusing.landIfDue(PERSON)).not.toBeNull();
  });
});
