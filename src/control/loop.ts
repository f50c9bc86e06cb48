/**
 * The dashboard's one observation loop: a tick observes every worker (one tmux call, plus a batched
 * capture of panes that changed) and hands the snapshot on only when something a person would see
 * changed. The leader dashboard also applies restart policies. Nothing else wakes up while idle.
 */
import { displayedTimeKey } from '../core/health.js';
import type { ActionResult, Supervisor, WorkerSnapshot } from './supervisor.js';

export interface LoopOptions {
  intervalMs: number;
  /** How many screen lines panels have room for now (the layout decides; it changes on resize). */
  screenLines: () => number;
  /** Only the leading dashboard acts on its own. */
  leader: boolean;
  onSnapshot: (workers: WorkerSnapshot[], now: number) => void;
  onActions: (results: ActionResult[]) => void;
  onError: (error: unknown) => void;
  now: () => number;
}

export class ObservationLoop {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> | null = null;
  private lastShown = '';
  private readonly supervisor: Supervisor;
  private readonly options: LoopOptions;

  constructor(supervisor: Supervisor, options: LoopOptions) {
    this.supervisor = supervisor;
    this.options = options;
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** Observes now (after an action), instead of waiting for the next tick. */
  refresh(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.inFlight = this.tick().finally(() => {
        this.inFlight = null;
        if (this.running) this.schedule(this.options.intervalMs);
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    try {
      const workers = await this.supervisor.observe(this.options.screenLines());
      const now = this.options.now();
      // Hand on only a change a person could see: new facts, or a duration on screen ticking over.
      const shown = JSON.stringify(workers) + displayedTimeKey(workers.map((w) => w.health.since), now);
      if (shown !== this.lastShown) {
        this.lastShown = shown;
        this.options.onSnapshot(workers, now);
      }
      if (this.options.leader) {
        const results = await this.supervisor.applyRestartPolicies(workers);
        if (results.length > 0) this.options.onActions(results);
      }
    } catch (error) {
      this.options.onError(error);
    }
  }
}
