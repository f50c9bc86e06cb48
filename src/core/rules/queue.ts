/**
 * The queue: its order, what a task still waits on, the task an idle worker gets next, and the cycles
 * `after` must never close. The next task is chosen here only; the store claims what this picks.
 */
import { FINISHED_STATES, type Task } from './tasks.js';

/** Queue order: priority (lower first), then age (older first), then id so ties never flicker. */
export function compareQueueOrder(a: Task, b: Task): number {
  return a.priority - b.priority || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The tasks `task` still waits on: those of its `after` that are not done or landed (unknown ids wait too). */
export function waitingOn(task: Task, tasks: readonly Task[]): string[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  return task.after.filter((id) => {
    const other = byId.get(id);
    return other === undefined || !FINISHED_STATES.includes(other.state);
  });
}

/** The dispatcher's choice for an idle worker: the first ready queued task of its lane, or null. */
export function pickNext(tasks: readonly Task[], worker: { name: string; lane: string }): Task | null {
  const mine = tasks.filter((task) => task.state === 'queued' && task.lane === worker.lane && waitingOn(task, tasks).length === 0);
  return mine.sort(compareQueueOrder)[0] ?? null;
}

/**
 * Whether making `id` wait on `after` closes a cycle (a task that would wait on itself, through any
 * number of others): the path that would, for the error, or null.
 */
export function dependencyCycle(tasks: readonly Task[], id: string, after: readonly string[]): string[] | null {
  const edges = new Map(tasks.map((t) => [t.id, t.after]));
  edges.set(id, [...after]);
  const walk = (at: string, path: string[]): string[] | null => {
    for (const next of edges.get(at) ?? []) {
      if (next === id) return [...path, next];
      if (path.includes(next)) continue;
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return null;
  };
  return walk(id, [id]);
}
