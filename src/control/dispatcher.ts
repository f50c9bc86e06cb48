/**
 * What the leading dashboard does on its own for the board (issue 4), once a tick: takes in the inbox,
 * renews the leases of workers that show activity, hands on the tasks of leases that expired (exactly as
 * a reassign would: nothing of the old worker's work is lost), applies restart policies through the
 * checkpoint guard, hands queued tasks to idle workers of their lane, fills in what finished tasks
 * brought back, and keeps the bridge files current. Each step is a no-op when nothing changed.
 */
import { inboxDir, processInbox } from '../adapters/inboxDir.js';
import type { RuntimeDir } from '../adapters/runtime.js';
import type { TaskStore } from '../adapters/taskStore.js';
import type { ProjectConfig } from '../core/config/config.js';
import type { WorkerSnapshot } from '../core/rules/snapshot.js';
import { HELD_STATES, NEEDS_PERSON_STATES, type Actor, type Task } from '../core/rules/tasks.js';
import { decidePolicyRestart } from '../core/rules/guards.js';
import { clockTime } from '../core/rules/health.js';
import { leaseRunOut, pasteUnderWay, processHasTask, screenShowsTask, shouldRenew } from '../core/rules/leases.js';
import type { ActionResult } from '../core/rules/snapshot.js';
import { dispatchPaused, dispatchPauseSetting } from '../core/rules/dispatch.js';
import { writeBridgeFiles } from './bridge.js';
import type { TaskControl } from './moves.js';
import type { Restarts } from './restarts.js';
import type { Workers } from './workers.js';

const DISPATCHER: Actor = { kind: 'dispatcher' };
const POLICY: Actor = { kind: 'policy' };
/** Tasks whose worker has stopped on them: what came back is worth reading from its log. */
const FINISHED: readonly Task['state'][] = ['done', ...NEEDS_PERSON_STATES];

const FAILED_DISPATCH_REST_MS = 60_000;
/** Longer than a restart's wait for a quiet screen plus a paste's confirmation (15 s + 8 s). */
const REDELIVERY_GRACE_MS = 30_000;

export interface DispatcherDeps {
  control: TaskControl;
  restarts: Restarts;
  workers: Workers;
  store: TaskStore;
  runtime: RuntimeDir;
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
    return dispatchPaused((key) => this.deps.store.getSetting(key));
  }

  setPaused(paused: boolean, actor: Actor, reason: string): void {
    const setting = dispatchPauseSetting(paused, actor, reason, this.deps.now());
    this.deps.store.setSetting(setting.key, setting.value, setting.event);
  }

  async tick(workers: readonly WorkerSnapshot[]): Promise<ActionResult[]> {
    const results: ActionResult[] = [];
    await this.takeInbox(results);
    this.renewLeases(workers);
    await this.expireLeases(workers, results);
    await this.redeliver(workers, results);
    results.push(...(await this.applyRestartPolicies(workers)));
    if (this.deps.config().tasks.autoDispatch && !this.paused()) await this.dispatch(workers, results);
    this.enrichOutcomes(workers);
    this.writeBridge(workers);
    if (this.deps.config().land.auto && this.deps.store.list({ states: ['done'] }).length > 0) this.deps.autoLand?.();
    return results;
  }

  private async takeInbox(results: ActionResult[]): Promise<void> {
    const lanes = Object.keys(this.deps.config().lanes);
    for (const result of await processInbox(inboxDir(this.deps.runtime.dir), lanes, (task, file) => this.deps.store.add(task, { kind: 'inbox', name: file }, this.deps.now()))) {
      results.push(result.ok ? { worker: 'inbox', ok: true, outcome: `${result.file} → ${result.taskId}` } : { worker: 'inbox', ok: false, outcome: `${result.file} rejected: ${result.reason}` });
      if (!result.ok) {
        this.deps.store.record({ time: this.deps.now(), actor: { kind: 'inbox', name: result.file }, kind: 'board', subject: 'inbox', action: 'reject', reasons: [result.reason] });
      }
    }
  }

  /** Renewed by the process that has the task (core/rules/leases.ts). */
  private renewLeases(workers: readonly WorkerSnapshot[]): void {
    const leaseMs = this.deps.control.leaseMs();
    const now = this.deps.now();
    const held = this.held();
    // workers.json is read only when there is a lease to judge: an idle board reads nothing.
    const records = held.length === 0 ? {} : this.deps.workers.records();
    for (const task of held) {
      const lease = task.lease;
      const snap = workers.find((w) => w.name === task.assignee);
      if (lease === null || snap === undefined) continue;
      const facts = { lease, leaseMs, now, state: snap.health.state, upSince: snap.upSince, lastActiveAt: snap.summary?.lastActiveAt ?? null, hasTask: processHasTask(records[lease.holder], task.id) };
      if (shouldRenew(facts)) this.deps.store.apply(task.id, { type: 'renew', worker: lease.holder, leaseMs }, DISPATCHER, now);
    }
  }

  /**
   * A held task whose worker runs a process that was never given it (the tmux server died and `up`
   * started it again, a reboot, a restart by hand) goes through the restart guard at once: done or
   * landed work is never run again, commits or a checkpoint resume, uncommitted work is kept, else it
   * starts fresh. Never a task left "running" on an agent that does not have it.
   */
  private async redeliver(workers: readonly WorkerSnapshot[], results: ActionResult[]): Promise<void> {
    const held = this.held();
    const records = held.length === 0 ? {} : this.deps.workers.records();
    for (const task of held) {
      const holder = task.lease?.holder;
      const snap = workers.find((w) => w.name === holder);
      // A process this young may be receiving its task from another muxctl right now (a paste waits for a quiet screen).
      if (holder === undefined || snap === undefined || snap.upSince === null || this.deps.now() - snap.upSince < REDELIVERY_GRACE_MS) continue;
      if (processHasTask(records[holder], task.id) || this.deps.control.busy(holder) || (this.resting.get(holder) ?? 0) > this.deps.now()) continue;
      const pasting = pasteUnderWay(records[holder], task.id);
      if (pasting !== null && this.deps.now() - pasting < REDELIVERY_GRACE_MS) continue;
      if (pasting !== null && screenShowsTask(snap.screen, task.id)) {
        // The muxctl pasting it died after the paste arrived: the agent has it.
        await this.deps.workers.markDelivered(holder, task.id);
        if (task.state === 'claimed') this.deps.store.apply(task.id, { type: 'start', worker: holder }, DISPATCHER, this.deps.now());
        this.deps.store.record({ time: this.deps.now(), actor: DISPATCHER, kind: 'task', subject: task.id, action: 'delivered', worker: holder, reasons: [`its paste into ${holder} (begun ${clockTime(pasting)}) shows on the screen`] });
        results.push({ worker: holder, ok: true, outcome: `${task.id} delivered: its paste shows on ${holder}'s screen` });
        continue;
      }
      const reason =
        pasting !== null
          ? `${task.id} was being pasted into ${holder} at ${clockTime(pasting)} and its screen does not show it (the muxctl pasting it stopped)`
          : `${holder}'s process started again at ${clockTime(snap.upSince)} without ${task.id}`;
      const outcome = await this.deps.restarts.restart(holder, { actor: DISPATCHER, reason });
      const delivered = processHasTask(this.deps.workers.records()[holder], task.id) || outcome.decision.action === 'idle';
      if (!delivered) this.resting.set(holder, this.deps.now() + FAILED_DISPATCH_REST_MS);
      results.push({ worker: holder, ok: delivered, outcome: `${task.id} ${outcome.decision.action}: ${outcome.message}` });
    }
  }

  private async expireLeases(workers: readonly WorkerSnapshot[], results: ActionResult[]): Promise<void> {
    const now = this.deps.now();
    for (const task of this.held()) {
      const snap = workers.find((w) => w.name === task.lease?.holder);
      if (task.lease === null || !leaseRunOut(task.lease, now, snap?.health.state ?? null)) continue;
      // A restart or a reassign of the holder is under way here: it renews the lease or moves the task itself.
      if (this.deps.control.busy(task.lease.holder)) continue;
      const holder = this.deps.config().workers.find((w) => w.name === task.lease?.holder);
      const why = `lease expired while ${task.lease.holder} was ${snap?.health.state ?? 'gone'}`;
      const handed = holder === undefined ? { checkpoint: null } : await this.deps.control.handOver(task, holder, why, DISPATCHER);
      const expired = this.deps.store.apply(task.id, { type: 'expireLease' }, DISPATCHER, this.deps.now(), (next) => ({
        checkpoints: handed.checkpoint === null ? next.checkpoints : [...next.checkpoints, handed.checkpoint],
      }));
      if (expired.ok) results.push({ worker: task.lease.holder, ok: true, outcome: `${task.id} ${expired.event.to}: ${why}` });
    }
  }

  /**
   * Restart policies, through the guard (the core decides when: backoff capped, budget): a worker
   * holding a task is restarted in resume mode (or in place with its files), a spent budget escalates
   * the task instead of looping.
   */
  private async applyRestartPolicies(workers: readonly WorkerSnapshot[]): Promise<ActionResult[]> {
    const results: ActionResult[] = [];
    const records = this.deps.workers.records();
    for (const snap of workers) {
      const worker = this.deps.config().workers.find((w) => w.name === snap.name);
      const record = records[snap.name];
      if (worker === undefined || record === undefined) continue;
      const decision = decidePolicyRestart({
        policy: worker.restart.policy,
        desired: record.desired,
        state: snap.health.state,
        since: snap.health.since,
        evidence: snap.health.evidence,
        attempts: record.autoRestarts,
        maxAttempts: worker.restart.maxRestarts,
        backoffBaseMs: worker.restart.backoffSeconds * 1000,
        now: this.deps.now(),
      });
      if (decision.action === 'restart') {
        const outcome = await this.deps.restarts.restart(snap.name, { actor: POLICY, reason: decision.reason, automatic: true });
        results.push({ worker: snap.name, ok: outcome.acted, outcome: `${outcome.decision.action}: ${outcome.message}` });
        continue;
      }
      // A crash with the budget spent while it holds a task: the guard escalates the task to a person.
      // Only then the store: most ticks no worker is a crashed one with its budget spent.
      const spent = decision.action === 'none' && decision.spent === true && snap.health.state === 'crashed';
      if (!spent || this.deps.store.heldBy(snap.name) === null) continue;
      const outcome = await this.deps.restarts.restart(snap.name, { actor: POLICY, reason: `crashed again: ${snap.health.evidence}`, automatic: true });
      results.push({ worker: snap.name, ok: outcome.acted, outcome: outcome.message });
    }
    return results;
  }

  private async dispatch(workers: readonly WorkerSnapshot[], results: ActionResult[]): Promise<void> {
    const queued = this.deps.store.list({ states: ['queued'] });
    if (queued.length === 0) return;
    const records = this.deps.workers.records();
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
    for (const task of this.deps.store.list({ states: [...FINISHED] })) {
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
    writeBridgeFiles(this.deps.runtime, this.deps.store, workers, this.deps.now());
  }

  private held(): Task[] {
    return this.deps.store.list({ states: [...HELD_STATES] });
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
