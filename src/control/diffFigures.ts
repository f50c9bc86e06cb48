/**
 * Each panel's `+N −M`: the worker's lines added and removed against where it left the base, untracked
 * files included (adapters/gitDiff.ts `diffFigure`: numstat only, four git calls, read-only). Read in
 * the background at first sight of each worker, then only after its screen or log moved, at most every
 * `minIntervalMs` (movedReads.ts): an idle grid spawns no git at all.
 */
import { diffFigure } from '../adapters/gitDiff.js';
import { isDirectory } from '../adapters/files.js';
import { hostOf, workerPath, type ProjectConfig } from '../core/config/config.js';
import type { WorkerSnapshot } from '../core/rules/snapshot.js';
import { activityOf, MovedReads, type Timers } from './movedReads.js';

export interface Figure {
  added: number;
  removed: number;
}

/**
 * At most one figure read a worker this often: a working agent edits files many times a minute, and each
 * read is a few git processes (with every 10 s, the bench's twenty busy workers cost the dashboard ~7% of a
 * core more; the figure changes slowly enough for 30 s).
 */
export const FIGURE_EVERY_MS = 30_000;

export interface DiffFiguresDeps {
  config: () => ProjectConfig;
  now: () => number;
  /** A worker's new figure, or null when it has none (no worktree yet, or git could not tell). */
  onFigure: (worker: string, figure: Figure | null) => void;
  /** @default FIGURE_EVERY_MS */
  minIntervalMs?: number;
  timers?: Timers;
  /** What reads a worktree's figure. @default diffFigure (adapters/gitDiff.ts) */
  figure?: (worktree: string, base: string) => Promise<Figure>;
}

export class DiffFigures {
  private readonly reads: MovedReads<Figure | null>;

  constructor(deps: DiffFiguresDeps) {
    const figure = deps.figure ?? diffFigure;
    this.reads = new MovedReads({
      read: async (name) => {
        const config = deps.config();
        // A host's worktree is read over there, not here: no figure for it yet.
        if (hostOf(config, name) !== null) return null;
        const worktree = workerPath(config, name);
        // A worker never started has no worktree: asking git there would answer for the main checkout.
        if (!(await isDirectory(worktree))) return null;
        return figure(worktree, config.baseBranch).catch(() => null);
      },
      onRead: deps.onFigure,
      minIntervalMs: deps.minIntervalMs ?? FIGURE_EVERY_MS,
      now: deps.now,
      ...(deps.timers ? { timers: deps.timers } : {}),
    });
  }

  /** The latest snapshot: workers that moved since their last read get one when due. */
  observe(workers: readonly WorkerSnapshot[]): void {
    this.reads.observe(workers.map(activityOf));
  }

  /** A read is due or running. */
  busy(): boolean {
    return this.reads.busy();
  }

  close(): void {
    this.reads.close();
  }
}
