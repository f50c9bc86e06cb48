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
  /**
   * While lines keep pouring in, snapshots from the logs are at least this far apart (a lone line still
   * shows after `logSettleMs`). @default LOG_PUBLISH_EVERY_MS
   */
  logPublishEveryMs?: number;
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

/**
 * How often, at most, lines pouring in bring a new snapshot (a frame). Measured under `npm run bench`'s
 * ingest (20 workers × 500 lines/s, 160×45, 2 cores): a frame of 20 changing panels costs 16–19 ms of
 * React and Ink on a quiet machine, 35–40 ms under that load; a snapshot every ~90 ms (the 80 ms settle
 * alone) drew ~8 frames a second, about half of the dashboard's CPU. At 200 ms, ~4.5 frames a second;
 * a line is on screen ~130–150 ms after it is written (read, half an interval, the frame).
 */
export const LOG_PUBLISH_EVERY_MS = 200;

export class ObservationLoop {
  private timer: NodeJS.Timeout | undefined;
  private logTimer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> | null = null;
  private acting: Promise<void> | null = null;
  private polled = false;
  private lastShown = '';
  /** Each worker's last snapshot handed on, and its JSON. */
  private lastEach = new Map<string, { json: string; worker: WorkerSnapshot }>();
  /** When a snapshot was last handed on (the loop's clock). */
  private lastPublishedAt = Number.NEGATIVE_INFINITY;
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

  /**
   * New log lines: recompute soon from what is known, no tmux call. Lines that keep coming are shown
   * at most every `logPublishEveryMs`: each snapshot handed on is a frame to draw.
   */
  logsChanged(): void {
    if (!this.running || !this.polled) return;
    this.publishSoon(this.options.logSettleMs);
  }

  /** A fresh snapshot after `atLeastMs`, and no sooner than one interval after the last one handed on. */
  private publishSoon(atLeastMs: number): void {
    if (this.logTimer !== undefined) return;
    // Clamped: a clock set back must not hold the next snapshot for longer than one interval.
    const wait = Math.max(atLeastMs, Math.min(this.publishEvery, this.lastPublishedAt + this.publishEvery - this.options.now()));
    this.logTimer = setTimeout(() => {
      this.logTimer = undefined;
      if (this.running) this.publish(this.observer.snapshot(this.options.logs));
    }, wait);
  }

  private get publishEvery(): number {
    return this.options.logPublishEveryMs ?? LOG_PUBLISH_EVERY_MS;
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
      // Lines pouring in already bring a snapshot every interval: the tick's joins them rather than
      // adding a frame between two (the second of two close frames also waits for Ink's next one).
      if (this.options.now() - this.lastPublishedAt >= this.publishEvery) {
        clearTimeout(this.logTimer);
        this.logTimer = undefined;
        this.publish(workers);
      } else this.publishSoon(0);
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
    const each = workers.map((w) => JSON.stringify(w));
    const shown = `[${each.join(',')}]${displayedTimeKey([...workers.map((w) => w.health.since), ...workers.map((w) => w.upSince)], now)}`;
    if (shown === this.lastShown) return;
    this.lastShown = shown;
    this.lastPublishedAt = this.options.now();
    // A worker whose snapshot did not change is handed on as the same object: its panel is not drawn again.
    const kept = workers.map((w, i) => {
      const before = this.lastEach.get(w.name);
      return before !== undefined && before.json === each[i] ? before.worker : w;
    });
    this.lastEach = new Map(kept.map((w, i) => [w.name, { json: each[i] ?? '', worker: w }]));
    this.options.onSnapshot(kept, now);
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
