import { describe, expect, it } from 'vitest';
import {
  emptyGridText,
  gridViewStatus,
  INITIAL_GRID_VIEW,
  lanesOf,
  matchesFilter,
  nextFilter,
  nextSort,
  resolveSelection,
  visibleWorkers,
  type GridFilter,
  type GridSort,
} from '../../src/core/views/gridView.js';
import type { HealthState } from '../../src/core/rules/health.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';

function worker(name: string, lane: string, state: HealthState, lastActiveAt: number | null = null): WorkerSnapshot {
  return {
    name,
    lane,
    health: { state, badge: state, evidence: '', since: null },
    upSince: null,
    screen: [],
    worktree: `/w/${name}`,
    command: null,
    restarts: null,
    summary:
      lastActiveAt === null
        ? null
        : { prompt: null, tool: null, message: null, tokens: null, costUsd: null, errors: 0, lastError: null, malformed: 0, lastActiveAt, checkpoint: null, status: null, outcome: null },
  };
}

// Config order: the order the person wrote the workers in.
const workers = [
  worker('app-10', 'app', 'working', 5_000),
  worker('app-2', 'app', 'idle', 9_000),
  worker('infra-1', 'infra', 'crashed', 1_000),
  worker('review-1', 'review', 'waiting'),
  worker('app-3', 'app', 'stuck', 2_000),
  worker('infra-2', 'infra', 'stopped'),
];
const names = (list: readonly WorkerSnapshot[]): string[] => list.map((w) => w.name);

describe('grid filter', () => {
  it.each<[GridFilter, string[]]>([
    [{ kind: 'all' }, ['app-10', 'app-2', 'infra-1', 'review-1', 'app-3', 'infra-2']],
    [{ kind: 'needsYou' }, ['infra-1', 'review-1', 'app-3']],
    [{ kind: 'working' }, ['app-10']],
    [{ kind: 'idle' }, ['app-2', 'infra-2']],
    [{ kind: 'lane', lane: 'infra' }, ['infra-1', 'infra-2']],
    [{ kind: 'lane', lane: 'gone' }, []],
  ])('%j shows %j, in config order', (filter, expected) => {
    expect(names(visibleWorkers(workers, { filter, sort: 'config' }))).toEqual(expected);
  });

  it('puts every state in exactly one of needs you, working and idle or done', () => {
    const states: HealthState[] = ['starting', 'running', 'working', 'idle', 'waiting', 'stuck', 'exited', 'crashed', 'missing', 'stopped'];
    for (const state of states) {
      const w = worker('x', 'a', state);
      const groups = (['needsYou', 'working', 'idle'] as const).filter((kind) => matchesFilter(w, { kind }));
      expect(groups, state).toHaveLength(1);
    }
  });

  it('cycles all → needs you → working → idle → each lane → all', () => {
    const lanes = lanesOf(workers);
    expect(lanes).toEqual(['app', 'infra', 'review']);
    const seen: string[] = [];
    let filter: GridFilter = { kind: 'all' };
    for (let i = 0; i < 7; i++) {
      filter = nextFilter(filter, lanes);
      seen.push(filter.kind === 'lane' ? `lane ${filter.lane}` : filter.kind);
    }
    expect(seen).toEqual(['needsYou', 'working', 'idle', 'lane app', 'lane infra', 'lane review', 'all']);
  });

  it('goes back to all from a lane that left the config, and skips lanes when there are none', () => {
    expect(nextFilter({ kind: 'lane', lane: 'gone' }, ['app'])).toEqual({ kind: 'all' });
    expect(nextFilter({ kind: 'idle' }, [])).toEqual({ kind: 'all' });
  });
});

describe('grid sort', () => {
  it.each<[GridSort, string[]]>([
    ['config', ['app-10', 'app-2', 'infra-1', 'review-1', 'app-3', 'infra-2']],
    // Waiting first (a question), then crashed, then stuck; ties keep config order.
    ['urgency', ['review-1', 'infra-1', 'app-3', 'app-10', 'app-2', 'infra-2']],
    // Numbers in names sort as numbers: app-2 before app-10.
    ['name', ['app-2', 'app-3', 'app-10', 'infra-1', 'infra-2', 'review-1']],
    // Most recent first; workers with no known activity last, in config order.
    ['activity', ['app-2', 'app-10', 'app-3', 'infra-1', 'review-1', 'infra-2']],
  ])('%s orders the grid %j', (sort, expected) => {
    expect(names(visibleWorkers(workers, { filter: { kind: 'all' }, sort }))).toEqual(expected);
  });

  it('cycles config → urgency → name → activity → config', () => {
    const seen: GridSort[] = [];
    let sort: GridSort = 'config';
    for (let i = 0; i < 4; i++) seen.push((sort = nextSort(sort)));
    expect(seen).toEqual(['urgency', 'name', 'activity', 'config']);
  });

  it('filters and sorts together, without changing the input', () => {
    const before = names(workers);
    expect(names(visibleWorkers(workers, { filter: { kind: 'needsYou' }, sort: 'name' }))).toEqual(['app-3', 'infra-1', 'review-1']);
    expect(names(workers)).toEqual(before);
  });
});

describe('resolveSelection', () => {
  const shown = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
  it.each<[string | null, number, number]>([
    ['b', 0, 1], // the named worker wins over a stale index
    ['c', 7, 2],
    [null, 1, 1], // no name yet: the index alone
    ['gone', 1, 1], // the named worker is not shown: its place goes to the neighbour
    ['gone', 9, 2], // …kept inside the grid
    [null, -3, 0],
  ])('name %j, index %i → %i', (name, index, expected) => {
    expect(resolveSelection(shown, name, index)).toBe(expected);
  });

  it('is 0 in an empty grid', () => {
    expect(resolveSelection([], 'a', 4)).toBe(0);
  });
});

describe('what the status line and an empty grid say', () => {
  it.each<[GridFilter, GridSort, number, string]>([
    [{ kind: 'all' }, 'config', 6, ''],
    [{ kind: 'needsYou' }, 'config', 2, 'filter: needs you · 2 of 6 shown'],
    [{ kind: 'all' }, 'urgency', 6, 'sort: needs you first'],
    [{ kind: 'lane', lane: 'app' }, 'activity', 3, 'filter: lane app · 3 of 6 shown · sort: by last activity'],
  ])('%j %s → %j', (filter, sort, shown, expected) => {
    expect(gridViewStatus({ filter, sort }, shown, 6)).toBe(expected);
  });

  it.each<[GridFilter, number, RegExp]>([
    [{ kind: 'needsYou' }, 3, /^no worker needs you/],
    [{ kind: 'working' }, 3, /^no worker is working/],
    [{ kind: 'lane', lane: 'infra' }, 3, /^no worker in lane infra/],
    [INITIAL_GRID_VIEW.filter, 0, /no workers in the config/],
  ])('%j with %i workers says %s', (filter, total, expected) => {
    expect(emptyGridText(filter, total)).toMatch(expected);
  });
});
