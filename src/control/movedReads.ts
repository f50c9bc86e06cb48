/**
 * Reads of a worker's tree that happen only when the worker did something: once at first sight, then
 * again only after its screen or log moved, at most once per `minIntervalMs` each, one read at a time.
 * A worker that stays still costs nothing, not even a timer: the dashboard's snapshots (published only
 * when something visible changed) are what wake it. The panels' `+N −M` and the open diff view use it.
 *
 * A worker can write a file in the same second as its last output, after a read began: a read made
 * while the worker was active within `quietMs` is followed by one more, once due. So the last read
 * of a burst of work is always one made after it.
 */
import type { WorkerSnapshot } from '../core/rules/snapshot.js';

/** Where a worker's activity stands: `key` changes whenever it moved; `movedAt` is when it last did. */
export interface Activity {
  name: string;
  key: string;
  movedAt: number | null;
}

/** A worker's activity as its snapshot tells it: its screen (tmux's clock), its log, its process. */
export function activityOf(worker: WorkerSnapshot): Activity {
  const screen = worker.screenActiveAt ?? null;
  const log = worker.summary?.lastActiveAt ?? null;
  const times = [screen, log].filter((t): t is number => t !== null);
  return { name: worker.name, key: `${screen ?? '-'}:${log ?? '-'}:${worker.upSince ?? '-'}`, movedAt: times.length === 0 ? null : Math.max(...times) };
}

export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  set: (run, ms) => setTimeout(run, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface MovedReadsDeps<T> {
  /** Reads one worker; a failure should resolve to what to show (a rejection is dropped). */
  read: (name: string) => Promise<T>;
  onRead: (name: string, value: T) => void;
  minIntervalMs: number;
  /** @default 2000 */
  quietMs?: number;
  now: () => number;
  /** @default setTimeout, unref'd */
  timers?: Timers;
}

interface Tracked {
  current: Activity;
  /** The activity key when the last read began; null before the first. */
  readKey: string | null;
  readAt: number;
  /** Needs a read: it moved since the last one, or was not quiet when it was made. */
  due: boolean;
}

export class MovedReads<T> {
  private readonly tracked = new Map<string, Tracked>();
  private timer: unknown = undefined;
  private reading = false;
  private closed = false;
  private readonly timers: Timers;
  private readonly quietMs: number;

  constructor(private readonly deps: MovedReadsDeps<T>) {
    this.timers = deps.timers ?? REAL_TIMERS;
    this.quietMs = deps.quietMs ?? 2000;
  }

  /** The workers as they are now: those that moved since their last read get one when due; the rest are forgotten. */
  observe(workers: readonly Activity[]): void {
    if (this.closed) return;
    const names = new Set(workers.map((w) => w.name));
    for (const name of this.tracked.keys()) if (!names.has(name)) this.tracked.delete(name);
    for (const activity of workers) {
      const known = this.tracked.get(activity.name);
      if (known === undefined) this.tracked.set(activity.name, { current: activity, readKey: null, readAt: -Infinity, due: true });
      else {
        known.current = activity;
        if (activity.key !== known.readKey) known.due = true;
      }
    }
    this.schedule();
  }

  /** Whether a read is due or running: false for a set of workers that all stood still since their last read. */
  busy(): boolean {
    return this.reading || [...this.tracked.values()].some((t) => t.due);
  }

  close(): void {
    this.closed = true;
    this.timers.clear(this.timer);
    this.timer = undefined;
    this.tracked.clear();
  }

  private schedule(): void {
    this.timers.clear(this.timer);
    this.timer = undefined;
    if (this.closed || this.reading) return;
    const next = this.next();
    if (next === undefined) return;
    this.timer = this.timers.set(() => void this.run(), Math.max(0, next.readAt + this.deps.minIntervalMs - this.deps.now()));
  }

  /** The due worker whose interval ends first. */
  private next(): Tracked | undefined {
    let best: Tracked | undefined;
    for (const t of this.tracked.values()) if (t.due && (best === undefined || t.readAt < best.readAt)) best = t;
    return best;
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    const next = this.next();
    const now = this.deps.now();
    if (this.closed || next === undefined || next.readAt + this.deps.minIntervalMs > now) return this.schedule();
    const { name, key, movedAt } = next.current;
    next.readKey = key;
    next.readAt = now;
    next.due = movedAt !== null && now - movedAt < this.quietMs;
    this.reading = true;
    try {
      const value = await this.deps.read(name);
      if (!this.closed && this.tracked.has(name)) this.deps.onRead(name, value);
    } catch {
      // The reader says what went wrong in its value; a rejection has nothing to show.
    } finally {
      this.reading = false;
      this.schedule();
    }
  }
}
