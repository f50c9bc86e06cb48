/**
 * What the leading dashboard does on its own for the board (issue 4), once a tick: takes in the inbox,
 * renews the leases of workers that show activity, hands on the tasks of leases that expired (exactly as
 * a reassign would: nothing of the old worker's work is lost), applies restart policies through the
 * checkpoint guard, hands queued tasks to idle workers of their lane, fills in what finished tasks
 * brought back, and keeps the bridge files current. Each step is a no-op when nothing changed.
 */
import { inboxDir, processInbox } from '../adapters/inbox.js';
import type { TaskStore } from '../adapters/taskStore.js';
import type { ProjectConfig } from '../core/config.js';
import type { WorkerSnapshot } from '../core/snapshot.js';
import type { Actor, Task } from '../core/tasks.js';
import { writeBridgeFiles } from './bridge.js';
import type { ActionResult, Supervisor } from './supervisor.js';
import type { TaskControl } from './taskControl.js';

const DISPATCHER: Actor = { kind: 'dispatcher' };
const POLICY: Actor = { kind: 'policy' };
const HELD: ReadonlySet<string> = new Set(['claimed', 'running']);
const FINISHED: ReadonlySet<string> = new Set(['done', 'failed', 'blocked', 'escalated']);
/** States in which a worker is doing or asking something: its lease is renewed. */
const ALIVE_STATES: ReadonlySet<string> = new Set(['working', 'waiting', 'starting']);

export const DISPATCH_PAUSED = 'dispatch.paused';
const FAILED_DISPATCH_REST_MS = 60_000;

export interface DispatcherDeps {
  control: TaskControl;
  supervisor: Supervisor;
  store: TaskStore;
  stateDir: string;
  config: () => ProjectConfig;
  now: () => number;
  /** Starts landing done tasks in the background (the dashboard's lander); called when land.auto is on. */
  autoLand?: () => void;
}

export class Dispatcher {
  /** Workers skipped for a reason already recorded, so a dirty worktree is reported once, not every tick. */
  private readonly skipped = new Map<string, string>();
  /** A worker a hand-out just failed on rests this long, so a failing checkout is not claimed and released every tick. */
  private readonly resting = new Map<string, number>();
  private readonly enriched = new Set<string>();
  private lastBridge = '';

  constructor(private readonly deps: DispatcherDeps) {}

  paused(): boolean {
    return this.deps.store.getSetting(DISPATCH_PAUSED) === '1';
  }

  setPaused(paused: boolean, actor: Actor, reason: string): void {
    this.deps.store.setSetting(DISPATCH_PAUSED, paused ? '1' : '0', {
      time: this.deps.now(),
      actor,
      kind: 'board',
      subject: 'dispatch',
      action: paused ? 'pause' : 'resume',
      reasons: [reason],
    });
  }

  async tick(workers: readonly WorkerSnapshot[]): Promise<ActionResult[]> {
    const results: ActionResult[] = [];
    this.takeInbox(results);
    this.renewLeases(workers);
    await this.expireLeases(workers, results);
    results.push(...(await this.applyRestartPolicies(workers)));
    if (this.deps.config().tasks.autoDispatch && !this.paused()) await this.dispatch(workers, results);
    this.enrichOutcomes(workers);
    this.writeBridge(workers);
    if (this.deps.config().land.auto && this.deps.store.list({ states: ['done'] }).length > 0) this.deps.autoLand?.();
    return results;
  }

  private takeInbox(results: ActionResult[]): void {
    const lanes = Object.keys(this.deps.config().lanes);
    for (const result of processInbox(inboxDir(this.deps.stateDir), lanes, (task, file) => this.deps.store.add(task, { kind: 'inbox', name: file }, this.deps.now()))) {
      results.push(result.ok ? { worker: 'inbox', ok: true, outcome: `${result.file} → ${result.taskId}` } : { worker: 'inbox', ok: false, outcome: `${result.file} rejected: ${result.reason}` });
      if (!result.ok) {
        this.deps.store.record({ time: this.deps.now(), actor: { kind: 'inbox', name: result.file }, kind: 'board', subject: 'inbox', action: 'reject', reasons: [result.reason] });
      }
    }
  }

  /** Activity renews: a working, asking or starting worker, or log lines since the lease was last set. */
  private renewLeases(workers: readonly WorkerSnapshot[]): void {
    const leaseMs = this.deps.control.leaseMs();
    const now = this.deps.now();
    for (const task of this.held()) {
      const lease = task.lease;
      const snap = workers.find((w) => w.name === task.assignee);
      if (lease === null || snap === undefined || lease.expiresAt - now > leaseMs / 2) continue;
      const lastActive = snap.summary?.lastActiveAt ?? null;
      const active = ALIVE_STATES.has(snap.health.state) || (lastActive !== null && lastActive > lease.expiresAt - leaseMs);
      if (active) this.deps.store.apply(task.id, { type: 'renew', worker: lease.holder, leaseMs }, DISPATCHER, now);
    }
  }

  private async expireLeases(workers: readonly WorkerSnapshot[], results: ActionResult[]): Promise<void> {
    const now = this.deps.now();
    for (const task of this.held()) {
      if (task.lease === null || task.lease.expiresAt > now) continue;
      // A restart or a reassign of the holder is under way here: it renews the lease or moves the task itself.
      if (this.deps.control.busy(task.lease.holder)) continue;
      const holder = this.deps.config().workers.find((w) => w.name === task.lease?.holder);
      const snap = workers.find((w) => w.name === task.lease?.holder);
      const why = `lease expired while ${task.lease.holder} was ${snap?.health.state ?? 'gone'}`;
      const handed = holder === undefined ? { checkpoint: null } : await this.deps.control.handOver(task, holder, why, DISPATCHER);
      const expired = this.deps.store.apply(task.id, { type: 'expireLease' }, DISPATCHER, this.deps.now(), (next) => ({
        checkpoints: handed.checkpoint === null ? next.checkpoints : [...next.checkpoints, handed.checkpoint],
      }));
      if (expired.ok) results.push({ worker: task.lease.holder, ok: true, outcome: `${task.id} ${expired.event.to}: ${why}` });
    }
  }

  /**
   * Restart policies, through the guard: a worker holding a task is restarted in resume mode (or in
   * place with its files), a spent budget escalates the task instead of looping.
   */
  private async applyRestartPolicies(workers: readonly WorkerSnapshot[]): Promise<ActionResult[]> {
    const results = await this.deps.supervisor.applyRestartPolicies(workers, async (name, reason) => {
      const outcome = await this.deps.control.restart(name, { actor: POLICY, reason, automatic: true });
      return { worker: name, ok: outcome.acted, outcome: `${outcome.decision.action}: ${outcome.message}` };
    });
    const records = this.deps.supervisor.workerRecords();
    // A worker restarted just now runs its last allowed attempt: the snapshot from before says crashed.
    const restartedNow = new Set(results.map((result) => result.worker));
    for (const snap of workers) {
      if (restartedNow.has(snap.name) || snap.health.state !== 'crashed') continue;
      const worker = this.deps.config().workers.find((w) => w.name === snap.name);
      if (worker === undefined || worker.restart.policy === 'never' || (records[snap.name]?.autoRestarts ?? 0) < worker.restart.maxRestarts) continue;
      // Only now the store: most ticks no worker is a crashed one with its budget spent.
      if (this.deps.store.heldBy(snap.name) === null) continue;
      const outcome = await this.deps.control.restart(snap.name, { actor: POLICY, reason: `crashed again: ${snap.health.evidence}`, automatic: true });
      results.push({ worker: snap.name, ok: outcome.acted, outcome: outcome.message });
    }
    return results;
  }

  private async dispatch(workers: readonly WorkerSnapshot[], results: ActionResult[]): Promise<void> {
    const queued = this.deps.store.list({ states: ['queued'] });
    if (queued.length === 0) return;
    const records = this.deps.supervisor.workerRecords();
    for (const worker of this.deps.config().workers) {
      if (!queued.some((task) => task.lane === worker.lane)) continue;
      const snap = workers.find((w) => w.name === worker.name);
      if (snap === undefined || records[worker.name]?.desired === 'stopped') continue;
      if (!available(snap, worker.task.delivery)) continue;
      if (this.deps.store.heldBy(worker.name) !== null) continue;
      if ((this.resting.get(worker.name) ?? 0) > this.deps.now() || this.deps.control.busy(worker.name)) continue;
      const outcome = await this.deps.control.dispatchTo(worker, DISPATCHER);
      if (outcome === null) continue;
      if (outcome.ok) {
        this.skipped.delete(worker.name);
        results.push({ worker: worker.name, ok: true, outcome: outcome.message });
        continue;
      }
      this.resting.set(worker.name, this.deps.now() + FAILED_DISPATCH_REST_MS);
      if (this.skipped.get(worker.name) !== outcome.message) {
        this.skipped.set(worker.name, outcome.message);
        this.deps.store.record({ time: this.deps.now(), actor: DISPATCHER, kind: 'worker', subject: worker.name, action: 'skip', worker: worker.name, reasons: outcome.reasons });
        results.push({ worker: worker.name, ok: false, outcome: outcome.message });
      }
    }
  }

  /** The agent's last message, tokens and cost, from its log, once a task it held has finished. */
  private enrichOutcomes(workers: readonly WorkerSnapshot[]): void {
    for (const task of this.deps.store.list({ states: [...FINISHED] as Task['state'][] })) {
      if (this.enriched.has(task.id) || task.assignee === null) continue;
      this.enriched.add(task.id);
      const summary = workers.find((w) => w.name === task.assignee)?.summary;
      if (summary === null || summary === undefined || task.outcome?.message !== undefined) continue;
      const outcome = { commits: task.outcome?.commits ?? 0, ...task.outcome };
      if (summary.message !== null) outcome.message = summary.message;
      if (summary.tokens !== null) outcome.tokens = summary.tokens.input + summary.tokens.output;
      if (summary.costUsd !== null) outcome.costUsd = summary.costUsd;
      this.deps.store.annotate(task.id, { outcome }, this.deps.now());
    }
  }

  private writeBridge(workers: readonly WorkerSnapshot[]): void {
    // Only when the board or a worker's state changed: an idle board writes nothing.
    const key = `${this.deps.store.changeMark()}:${workers.map((w) => `${w.name}=${w.health.state}`).join(',')}`;
    if (key === this.lastBridge) return;
    this.lastBridge = key;
    writeBridgeFiles(this.deps.stateDir, this.deps.store, workers, this.deps.now());
  }

  private held(): Task[] {
    return this.deps.store.list({ states: [...HELD] as Task['state'][] });
  }
}

/**
 * A worker that can take a task now: an interactive agent at rest at its prompt (paste), or a worker
 * whose command is not busy with a task (env: idle, finished, or not started yet).
 */
function available(snap: WorkerSnapshot, delivery: 'paste' | 'env'): boolean {
  if (delivery === 'paste') return snap.health.state === 'idle';
  return snap.health.state === 'idle' || snap.health.state === 'exited' || snap.health.state === 'missing';
}
