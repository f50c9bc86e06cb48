/**
 * What a good edit of the config means for the running workers: new ones start (by the leading
 * dashboard), removed ones are stopped only after the person confirms (their worktrees are kept),
 * changed ones apply at their next restart.
 */
import type { ProjectConfig, WorkerConfig } from './config.js';

export interface WorkerChanges {
  added: string[];
  /** Their former config: how to stop them is in it. */
  removed: WorkerConfig[];
  changed: string[];
}

export function workerChanges(before: ProjectConfig, next: ProjectConfig): WorkerChanges {
  const oldByName = new Map(before.workers.map((w) => [w.name, w] as const));
  const newNames = new Set(next.workers.map((w) => w.name));
  return {
    added: next.workers.filter((w) => !oldByName.has(w.name)).map((w) => w.name),
    removed: before.workers.filter((w) => !newNames.has(w.name)),
    changed: next.workers.filter((w) => oldByName.has(w.name) && JSON.stringify(oldByName.get(w.name)) !== JSON.stringify(w)).map((w) => w.name),
  };
}
