/**
 * What a landing says it did, in words and in data: each task's outcome with its reasons, the one-line
 * summary the dashboard shows, the landing order, and the refusal when another lander is at work.
 */
import { join } from 'node:path';
import type { ProjectConfig } from '../core/config/config.js';
import { MuxctlError } from '../core/errors.js';
import type { Task } from '../core/rules/tasks.js';

/** Beside the workers' worktrees; a worker name never starts with "_", so it can never clash. */
export function integrationPath(config: ProjectConfig): string {
  return join(config.worktreeDir, '_land');
}

/** One line for what a landing did, for the dashboard's notice. */
export function describeLanding(results: readonly LandResult[]): string {
  if (results.length === 0) return 'nothing to land';
  return results.map((r) => `${r.task} ${r.outcome}${r.sha ? ` at ${r.sha.slice(0, 7)}` : ''}${r.reasons.length > 0 ? `: ${r.reasons[0] ?? ''}` : ''}`).join(' · ');
}

export type LandOutcome = 'landed' | 'already-landed' | 'conflict' | 'check-failed' | 'refused' | 'skipped';

export interface LandResult {
  task: string;
  outcome: LandOutcome;
  /** The base's commit that carries the task's work, once landed. */
  sha: string | null;
  /** For a person: what happened and why (conflicting files, the check's last lines, git's words). */
  reasons: string[];
  /** What became of the task branch after landing; null when the task did not land. */
  branch: 'deleted' | 'kept' | null;
  /** The push of the base, when one is configured and the base moved. */
  push: { ok: boolean; said: string } | null;
}

/** Another lander holds the lock: nothing was done. */
export class LanderBusyError extends MuxctlError {
  constructor(
    readonly pid: number,
    readonly holder: string,
    readonly since: number,
  ) {
    super(`the lander is running in pid ${pid} since ${new Date(since).toISOString()} (started by ${holder}); wait for it to finish`, 1);
  }
}

/** Landing order: priority (lower first), then the time the task was done, then id so ties never flicker. */
export function landingOrder(a: Task, b: Task): number {
  return a.priority - b.priority || a.updatedAt - b.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
