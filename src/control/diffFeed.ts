/**
 * The open diff view (`d`): the worker's diff read when the view opens, then again only after the
 * worker's screen or log moved, at most every `refreshMs`, for as long as the view is open. No key
 * refreshes it (r restarts in every worker view): a diff changes when the worker works, and an idle
 * worker's diff is read once. Read-only git (adapters/gitDiff.ts); the lines are redacted like the log.
 */
import { worktreeDiff, type WorktreeDiff } from '../adapters/gitDiff.js';
import { isDirectory } from '../adapters/files.js';
import { workerPath, type ProjectConfig } from '../core/config/config.js';
import type { WorkerSnapshot } from '../core/rules/snapshot.js';
import { diffProblem, diffScreen, type DiffScreen } from '../core/views/diffLines.js';
import { activityOf, MovedReads, type Timers } from './movedReads.js';

/** An open diff view follows the worker within a few seconds: four or five git calls a read. */
export const DIFF_VIEW_EVERY_MS = 3_000;

export interface DiffFeedDeps {
  config: () => ProjectConfig;
  redact: (text: string) => string;
  now: () => number;
  /** What the view shows now; called only when it differs from what it showed. */
  onDiff: (worker: string, screen: DiffScreen) => void;
  /** @default DIFF_VIEW_EVERY_MS */
  refreshMs?: number;
  timers?: Timers;
  /** What reads a worktree's diff. @default worktreeDiff (adapters/gitDiff.ts) */
  diff?: (worktree: string, base: string) => Promise<WorktreeDiff>;
}

export class DiffFeed {
  private reads: MovedReads<DiffScreen> | null = null;
  private worker: string | null = null;
  private shown = '';

  constructor(private readonly deps: DiffFeedDeps) {}

  /** Opens the view on `worker` (read now), or closes it (null). `workers` is the latest snapshot. */
  watch(worker: string | null, workers: readonly WorkerSnapshot[]): void {
    this.reads?.close();
    this.reads = null;
    this.worker = worker;
    this.shown = '';
    if (worker === null) return;
    this.reads = new MovedReads({
      read: (name) => this.read(name),
      onRead: (name, screen) => {
        const shown = signature(screen);
        if (name !== this.worker || shown === this.shown) return;
        this.shown = shown;
        this.deps.onDiff(name, screen);
      },
      minIntervalMs: this.deps.refreshMs ?? DIFF_VIEW_EVERY_MS,
      now: this.deps.now,
      ...(this.deps.timers ? { timers: this.deps.timers } : {}),
    });
    this.observe(workers);
    // Not in the snapshot (yet): read it once all the same.
    if (!workers.some((w) => w.name === worker)) this.reads.observe([{ name: worker, key: '', movedAt: null }]);
  }

  /** The latest snapshot: the open worker's diff is read again if it moved. */
  observe(workers: readonly WorkerSnapshot[]): void {
    const open = workers.find((w) => w.name === this.worker);
    if (open !== undefined) this.reads?.observe([activityOf(open)]);
  }

  close(): void {
    this.watch(null, []);
  }

  private async read(name: string): Promise<DiffScreen> {
    const config = this.deps.config();
    const worktree = workerPath(config, name);
    if (!(await isDirectory(worktree))) return diffProblem(`${name} has no worktree yet (${worktree}): u starts the worker, which makes one`);
    try {
      const diff = await (this.deps.diff ?? worktreeDiff)(worktree, config.baseBranch);
      const screen = diffScreen({ worker: name, ...diff });
      return { ...screen, lines: screen.lines.map((line) => ({ ...line, text: this.deps.redact(line.text) })) };
    } catch (error) {
      return diffProblem(`reading the diff failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function signature(screen: DiffScreen): string {
  return [screen.summary, screen.against, screen.problem ?? '', ...screen.lines.map((l) => `${l.kind} ${l.text}`)].join('\n');
}
