/**
 * Which workers the grid shows, in which order: "show me only the ones that need me". Pure. The
 * selection is kept by name, so a re-sort (by activity, every few seconds) never moves it to another
 * worker behind the person's back.
 */
import type { HealthState } from '../rules/health.js';
import type { WorkerSnapshot } from '../rules/snapshot.js';

/** The states that need the person: counted in the header, alerted on, first in the urgency order. */
export const NEEDS_YOU: readonly HealthState[] = ['waiting', 'stuck', 'crashed', 'missing', 'unreachable'];
/** Alive and on it, or about to be (a limited worker holds its work until its limit resets). */
const WORKING: readonly HealthState[] = ['starting', 'running', 'working', 'limited'];
/** Nothing to do and nothing wrong: idle, finished, or stopped by the person. */
const RESTING: readonly HealthState[] = ['idle', 'exited', 'stopped'];

export type GridFilter = { kind: 'all' } | { kind: 'needsYou' } | { kind: 'working' } | { kind: 'idle' } | { kind: 'lane'; lane: string };

export type GridSort = 'config' | 'urgency' | 'name' | 'activity';

export interface GridView {
  filter: GridFilter;
  sort: GridSort;
}

export const INITIAL_GRID_VIEW: GridView = { filter: { kind: 'all' }, sort: 'config' };

/** Most urgent first: a question waits for an answer, a crash for a decision, a stuck worker for a look. */
const URGENCY: readonly HealthState[] = ['waiting', 'crashed', 'stuck', 'missing', 'unreachable', 'limited', 'starting', 'working', 'running', 'idle', 'exited', 'stopped'];

/** all → needs you → working → idle → each lane in turn → all. */
export function nextFilter(filter: GridFilter, lanes: readonly string[]): GridFilter {
  switch (filter.kind) {
    case 'all':
      return { kind: 'needsYou' };
    case 'needsYou':
      return { kind: 'working' };
    case 'working':
      return { kind: 'idle' };
    case 'idle':
      return lanes[0] !== undefined ? { kind: 'lane', lane: lanes[0] } : { kind: 'all' };
    case 'lane': {
      const at = lanes.indexOf(filter.lane);
      const next = at === -1 ? undefined : lanes[at + 1];
      // After the last lane, or when the lane has left the config: back to all.
      return next !== undefined ? { kind: 'lane', lane: next } : { kind: 'all' };
    }
  }
}

const SORTS: readonly GridSort[] = ['config', 'urgency', 'name', 'activity'];

export function nextSort(sort: GridSort): GridSort {
  return SORTS[(SORTS.indexOf(sort) + 1) % SORTS.length] ?? 'config';
}

/** The lanes in the order they first appear among the workers (the config's order). */
export function lanesOf(workers: readonly Pick<WorkerSnapshot, 'lane'>[]): string[] {
  return [...new Set(workers.map((w) => w.lane))];
}

export function matchesFilter(worker: WorkerSnapshot, filter: GridFilter): boolean {
  switch (filter.kind) {
    case 'all':
      return true;
    case 'needsYou':
      return NEEDS_YOU.includes(worker.health.state);
    case 'working':
      return WORKING.includes(worker.health.state);
    case 'idle':
      return RESTING.includes(worker.health.state);
    case 'lane':
      return worker.lane === filter.lane;
  }
}

/** The workers the grid shows, in order. Ties keep the config's order (the sort is stable). */
export function visibleWorkers(workers: readonly WorkerSnapshot[], view: GridView): WorkerSnapshot[] {
  const shown = workers.filter((w) => matchesFilter(w, view.filter));
  switch (view.sort) {
    case 'config':
      return shown;
    case 'urgency':
      return shown.sort((a, b) => URGENCY.indexOf(a.health.state) - URGENCY.indexOf(b.health.state));
    case 'name':
      return shown.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    case 'activity':
      // Most recently active first; a worker with no log activity known goes last.
      return shown.sort((a, b) => (b.summary?.lastActiveAt ?? -Infinity) - (a.summary?.lastActiveAt ?? -Infinity) || 0);
  }
}

/**
 * The selected index among the shown workers: where the named worker is, if it is shown; else the
 * remembered index, kept inside the grid (the neighbour takes the place of a worker filtered out).
 */
export function resolveSelection(shown: readonly Pick<WorkerSnapshot, 'name'>[], name: string | null, index: number): number {
  if (name !== null) {
    const at = shown.findIndex((w) => w.name === name);
    if (at !== -1) return at;
  }
  return Math.min(Math.max(0, index), Math.max(0, shown.length - 1));
}

export function filterLabel(filter: GridFilter): string {
  switch (filter.kind) {
    case 'all':
      return 'all';
    case 'needsYou':
      return 'needs you';
    case 'working':
      return 'working';
    case 'idle':
      return 'idle or done';
    case 'lane':
      return `lane ${filter.lane}`;
  }
}

const SORT_LABELS: Record<GridSort, string> = { config: 'config order', urgency: 'needs you first', name: 'by name', activity: 'by last activity' };

export function sortLabel(sort: GridSort): string {
  return SORT_LABELS[sort];
}

/** The status line's part for the grid: empty when it shows everything in config order. */
export function gridViewStatus(view: GridView, shown: number, total: number): string {
  const parts: string[] = [];
  if (view.filter.kind !== 'all') parts.push(`filter: ${filterLabel(view.filter)} · ${shown} of ${total} shown`);
  if (view.sort !== 'config') parts.push(`sort: ${sortLabel(view.sort)}`);
  return parts.join(' · ');
}

/** What an empty grid says instead of a blank screen. */
export function emptyGridText(filter: GridFilter, total: number): string {
  if (total === 0) return 'no workers in the config yet: add one to sessions.json and it appears here';
  switch (filter.kind) {
    case 'all':
      return 'no workers';
    case 'needsYou':
      return 'no worker needs you · f shows the others';
    case 'working':
      return 'no worker is working · f shows the others';
    case 'idle':
      return 'no worker is idle or done · f shows the others';
    case 'lane':
      return `no worker in lane ${filter.lane} · f shows the others`;
  }
}
