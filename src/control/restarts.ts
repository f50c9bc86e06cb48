/**
 * Restarting a worker through the checkpoint guard (core/guards.ts decideRestart): a done task is
 * never run again, uncommitted work is never thrown away, commits or a checkpoint mean resume, a spent
 * budget escalates, a reset needs the worker's name typed and leaves a backup ref. This module gathers
 * the guard's facts and carries out what it decided; the reasons become the event.
 */
import type { Git } from '../adapters/git.js';
import type { TaskStore } from '../adapters/taskStore.js';
import type { ProjectConfig } from '../core/config/config.js';
import { workerPath } from '../core/config/config.js';
import { decideRestart, type RestartDecision } from '../core/rules/guards.js';
import type { Actor, Task } from '../core/rules/tasks.js';
import type { Acting } from './acting.js';
import type { Delivery } from './deliverer.js';
import type { TaskControl } from './moves.js';
import type { TreeFacts } from './treeFacts.js';
import type { Workers } from './workers.js';

export interface RestartsDeps {
  config: () => ProjectConfig;
  store: TaskStore;
  /** The clone `worker`'s worktree belongs to (its host's, for a worker there): backups and resets happen in it. */
  gitOf: (worker: string) => Git;
  /** What a task branch starts from in a worker's clone. */
  baseFor: (worker: string) => string;
  workers: Workers;
  tasks: TaskControl;
  tree: TreeFacts;
  delivery: Delivery;
  acting: Acting;
  now: () => number;
}

export interface RestartRequest {
  actor: Actor;
  reason: string;
  automatic?: boolean;
  /** Reset the worktree to the base (a backup ref is saved first); needs `confirmation` = the worker's name. */
  destructive?: boolean;
  confirmation?: string | null;
}

export interface RestartOutcome {
  decision: RestartDecision;
  /** Whether anything was done: false for a decision that needs a confirmation first. */
  acted: boolean;
  message: string;
}

export class Restarts {
  constructor(private readonly deps: RestartsDeps) {}

  async restart(workerName: string, request: RestartRequest): Promise<RestartOutcome> {
    return this.deps.acting.on([workerName], () => this.restartNow(workerName, request));
  }

  private async restartNow(workerName: string, request: RestartRequest): Promise<RestartOutcome> {
    const { store, workers } = this.deps;
    const worker = workers.worker(workerName);
    const decision = await this.decision(worker.name, request);
    const task = store.heldBy(worker.name);
    const why = `${request.reason}: ${decision.reasons.join('; ')}`;
    switch (decision.action) {
      case 'reset-needs-confirmation':
        return { decision, acted: false, message: decision.reasons.join('; ') };
      case 'escalate': {
        if (task !== null) store.apply(task.id, { type: 'escalate', reason: decision.reasons.join('; ') }, request.actor, this.deps.now());
        store.record({ time: this.deps.now(), actor: request.actor, kind: 'worker', subject: worker.name, action: 'escalate', worker: worker.name, reasons: decision.reasons });
        return { decision, acted: true, message: `not restarted: ${decision.reasons.join('; ')}` };
      }
      case 'idle':
        await workers.restart(worker.name, request.actor, why);
        return { decision, acted: true, message: 'restarted idle' };
      case 'restart-in-place':
      case 'resume':
      case 'fresh': {
        if (task === null) {
          await workers.restart(worker.name, request.actor, why);
          return { decision, acted: true, message: 'restarted' };
        }
        // A person (or the policy) acting on the worker is activity: the lease is renewed before anything,
        // and if the task already moved on, nothing is reset or delivered.
        const renewed = store.apply(task.id, { type: 'renew', worker: worker.name, leaseMs: this.deps.tasks.leaseMs() }, request.actor, this.deps.now());
        if (!renewed.ok) return { decision, acted: false, message: `not restarted: ${task.id} moved on (${renewed.error})` };
        if (decision.backupRef) await this.backUpAndReset(task, worker.name, request.actor, decision);
        const context = await this.deps.tree.deliveryContext(task, decision.action === 'fresh' ? undefined : `restarted: ${request.reason}`);
        if (decision.action === 'fresh') context.resume = false;
        // Uncommitted work kept in place is work to carry on from, commits or not.
        if (decision.action === 'restart-in-place') context.resume = true;
        const delivered = await this.deps.delivery.restartAndDeliver(task, worker, context, request.actor, why);
        // A claim whose delivery never happened (its muxctl died before the paste) starts with this one.
        if (delivered.ok && task.state === 'claimed') store.apply(task.id, { type: 'start', worker: worker.name }, request.actor, this.deps.now());
        return { decision, acted: true, message: delivered.ok ? `restarted (${decision.action}) with ${task.id}` : delivered.message };
      }
    }
  }

  /** A confirmed reset: everything the worktree holds goes into a backup ref first, then back to the base. */
  private async backUpAndReset(task: Task, worker: string, actor: Actor, decision: RestartDecision): Promise<void> {
    const worktree = workerPath(this.deps.config(), worker);
    const git = this.deps.gitOf(worker);
    const ref = await git.backupRef(worker, await git.snapshotWorktree(worktree), new Date(this.deps.now()));
    const where = git.runner.host === null ? '' : ` (in the clone on ${git.runner.host})`;
    this.deps.store.record({ time: this.deps.now(), actor, kind: 'worker', subject: worker, action: 'backup', worker, reasons: [`before reset to the base: ${ref}${where}`] });
    await git.resetWorktree(worktree, task.baseSha ?? this.deps.baseFor(worker));
    decision.reasons.push(`backup: ${ref}${where}`);
  }

  /** The guard's decision from the facts it needs, gathered from the store, git and the runtime records. */
  async decision(workerName: string, request: Omit<RestartRequest, 'reason' | 'actor'>): Promise<RestartDecision> {
    const worker = this.deps.workers.worker(workerName);
    const task = this.deps.store.heldBy(worker.name) ?? this.lastTaskOf(worker.name);
    const { tree } = this.deps;
    const commitsAhead = task !== null && (await tree.onBranch(task, worker.name)) ? await tree.commitsOnBranch(task) : 0;
    const record = this.deps.workers.records()[worker.name];
    return decideRestart({
      worker: worker.name,
      taskState: task?.state ?? null,
      dirtyFiles: await tree.dirtyFiles(worker.name),
      commitsAhead,
      landed: task !== null ? await tree.landed(task) : false,
      attempts: record?.autoRestarts ?? 0,
      maxAttempts: worker.restart.maxRestarts,
      lastCheckpoint: task?.checkpoints[task.checkpoints.length - 1] ?? null,
      automatic: request.automatic ?? false,
      backoffBaseMs: worker.restart.backoffSeconds * 1000,
      destructive: request.destructive ?? false,
      confirmation: request.confirmation ?? null,
    });
  }

  private lastTaskOf(worker: string): Task | null {
    const mine = this.deps.store.list({ assignee: worker });
    return mine.sort((a, b) => b.updatedAt - a.updatedAt)[0] ?? null;
  }
}
