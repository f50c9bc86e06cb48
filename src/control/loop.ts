/**
 * The dashboard's observation loop. Once a tick it polls tmux (one call, plus a batched capture of
 * panes that changed); whenever a worker's logs bring lines it recomputes the snapshot from what it
 * already knows, without asking tmux again. A snapshot is handed on only when something a person would
 * see changed. The leader dashboard also applies restart policies. Idle, nothing else wakes up.
 */
import { displayedTimeKey, minuteOf, type HealthState } from '../core/rules/health.js';
import type { ActionResult, WorkerSnapshot } from '../core/rules/snapshot.js';
import type { LogLookup, Observer } from './observer.js';

/** Becoming one of these is worth interrupting the person for. */
export const ALERT_STATES: readonly HealthState[] = ['waiting', 'crashed', 'stuck', 'limited'];

export interface StateChange {
  worker: string;
  from: HealthState;
  to: HealthState;
  evidence: string;
}

export interface LoopOptions {
  intervalMs: number;
  /** How long after a log line the snapshot is recomputed: lines arriving together cost one render. */
  logSettleMs: number;
  /** How many screen lines panels have room for now (the layout decides; it changes on resize). */
  screenLines: () => number;
  logs: LogLookup | undefined;
  /**
   * Resolves once the logs have been read as far as they go. No snapshot is published before: the
   * first one is the baseline alerts compare against, and without its logs a stuck worker would look
   * idle, then turn stuck, and ring.
   */
  logsReady?: Promise<unknown>;
  /**
   * Only the leading dashboard acts on its own. A follower asks again each tick, so when the leader
   * quits (or dies) another open dashboard takes over its duties.
   */
  leader: boolean | (() => boolean);
  /**
   * What the leader does on its own each tick (the dispatcher: restart policies, leases, hand-outs). It
   * runs beside the observing, never blocking it: a delivery that waits on an agent's screen must not
   * freeze the grid.
   */
  leaderActions: (workers: WorkerSnapshot[]) => Promise<ActionResult[]>;
  onSnapshot: (workers: WorkerSnapshot[], now: number) => void;
  onActions: (results: ActionResult[]) => void;
  /** A worker became waiting, crashed, stuck or limited (not reported for the states found at start). */
  onAlert: (change: StateChange) => void;
  onError: (error: unknown) => void;
  now: () => number;
}

export class ObservationLoop {
  private timer: NodeJS.Timeout | undefined;
  private logTimer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> | null = null;
  private acting: Promise<void> | null = null;
  private polled = false;
  private lastShown = '';
  private readonly states = new Map<string, HealthState>();
  private readonly observer: Observer;
  private readonly options: LoopOptions;

  constructor(observer: Observer, options: LoopOptions) {
    this.observer = observer;
    this.options = options;
  }

  /** Starts at once: the first look at tmux is under way before the caller draws anything. */
  start(): void {
    this.running = true;
    this.runTick();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearTimeout(this.logTimer);
    await this.inFlight;
    await this.acting;
  }

  /** Polls tmux now (after an action), instead of waiting for the next tick. */
  refresh(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /** New log lines: recompute soon from what is known, no tmux call. */
  logsChanged(): void {
    if (!this.running || !this.polled || this.logTimer !== undefined) return;
    this.logTimer = setTimeout(() => {
      this.logTimer = undefined;
      if (this.running) this.publish(this.observer.snapshot(this.options.logs));
    }, this.options.logSettleMs);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.runTick(), delayMs);
  }

  /** One tick, then the next one an interval later, for as long as the loop runs. */
  private runTick(): void {
    this.inFlight = this.tick().finally(() => {
      this.inFlight = null;
      if (this.running) this.schedule(this.options.intervalMs);
    });
  }

  private async tick(): Promise<void> {
    try {
      await Promise.all([this.observer.pollTmux(this.options.screenLines()), this.options.logsReady]);
      this.polled = true;
      const workers = this.observer.snapshot(this.options.logs);
      this.publish(workers);
      const leader = typeof this.options.leader === 'function' ? this.options.leader() : this.options.leader;
      if (leader && this.acting === null) {
        this.acting = this.options.leaderActions(workers)
          .then((results) => {
            if (results.length > 0) this.options.onActions(results);
          })
          .catch((error: unknown) => this.options.onError(error))
          .finally(() => {
            this.acting = null;
          });
      }
    } catch (error) {
      this.options.onError(error);
    }
  }

  private publish(workers: WorkerSnapshot[]): void {
    // Durations on screen count to the start of the minute, so they all tick over with the clock, once.
    const now = minuteOf(this.options.now());
    this.alertOnChanges(workers);
    // Hand on only a change a person could see: new facts, or a duration on screen ticking over.
    const shown = JSON.stringify(workers) + displayedTimeKey([...workers.map((w) => w.health.since), ...workers.map((w) => w.upSince)], now);
    if (shown === this.lastShown) return;
    this.lastShown = shown;
    this.options.onSnapshot(workers, now);
  }

  private alertOnChanges(workers: readonly WorkerSnapshot[]): void {
    for (const w of workers) {
      const from = this.states.get(w.name);
      const to = w.health.state;
      this.states.set(w.name, to);
      if (from !== undefined && from !== to && ALERT_STATES.includes(to)) this.options.onAlert({ worker: w.name, from, to, evidence: w.health.evidence });
    }
  }
}
