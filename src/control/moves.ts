/**
 * Moving tasks while touching the world at the same time: the task branch in a worktree, the worker's
 * process, the store. Decisions come from src/core (tasks.ts, guards.ts); this module gathers their
 * facts and carries them out in an order that never loses work: commit or back up first, then move,
 * then record. The config is read live, so a lane, a rule, the lease or the base edited while the
 * dashboard runs applies to the next move.
 */
import type { TaskStore } from '../adapters/taskStore.js';
import type { Git } from '../adapters/git.js';
import type { TmuxSessions } from './fleet.js';
import type { CheckRun } from '../adapters/check.js';
import type { ProjectConfig, WorkerConfig } from '../core/config/config.js';
import { workerPath } from '../core/config/config.js';
import { decideReassign } from '../core/rules/guards.js';
import { taskBranchName, workerBranch } from '../core/rules/names.js';
import { routeLane } from '../core/rules/routing.js';
import { isHeld, plural } from '../core/rules/tasks.js';
import { waitingOn } from '../core/rules/queue.js';
import type { Actor, Checkpoint, Task, TaskResult } from '../core/rules/tasks.js';
import type { Acting } from './acting.js';
import type { Delivery } from './deliverer.js';
import type { HostBranches } from './hostBranches.js';
import type { TreeFacts } from './treeFacts.js';
import type { Workers } from './workers.js';

export interface TaskControlDeps {
  config: () => ProjectConfig;
  store: TaskStore;
  /** This repository: the board's copy of every task branch. */
  git: Git;
  /** The clone `worker`'s worktree belongs to: this repository, or its host's. */
  gitOf: (worker: string) => Git;
  /** Task branches carried to and from the hosts' clones. */
  hosts: HostBranches;
  tmux: TmuxSessions;
  workers: Workers;
  tree: TreeFacts;
  delivery: Delivery;
  acting: Acting;
  now: () => number;
  /** Runs a task's check in `worker`'s worktree, on the machine it is on. */
  runCheck: (command: string, cwd: string, worker: string) => Promise<CheckRun>;
}

export type Outcome = { ok: true; message: string; task?: Task } | { ok: false; message: string; reasons: string[]; code?: string };

export interface AddInput {
  title: string;
  prompt?: string;
  lane?: string;
  priority?: number;
  labels?: string[];
  check?: string | null;
  maxAttempts?: number;
  /** Tasks that must be done first (`--after T3,T7`). */
  after?: string[];
  /**
   * A worker's suggestion (`muxctl task propose`): it waits as proposed until a person accepts it, unless
   * its lane is one of `tasks.acceptProposals`.
   */
  propose?: boolean;
}

export class TaskControl {
  constructor(private readonly deps: TaskControlDeps) {}

  private get config(): ProjectConfig {
    return this.deps.config();
  }

  get store(): TaskStore {
    return this.deps.store;
  }

  /** Workers this process is acting on now: the dispatcher leaves them alone meanwhile. */
  busy(worker: string): boolean {
    return this.deps.acting.busy(worker);
  }

  leaseMs(): number {
    return this.config.tasks.leaseSeconds * 1000;
  }

  add(input: AddInput, actor: Actor): Outcome {
    const config = this.config;
    const lanes = Object.keys(config.lanes);
    const title = input.title.trim();
    if (title === '') return refused('a task needs a title');
    const labels = input.labels ?? [];
    let lane = input.lane;
    if (lane !== undefined && !lanes.includes(lane)) return refused(`no lane "${lane}": expected one of ${lanes.join(', ')}`);
    lane ??= routeLane({ title, labels }, config.tasks.routing, lanes) ?? undefined;
    if (lane === undefined) return refused(`which lane? No routing rule matched "${title}": give a lane (one of ${lanes.join(', ')})`);
    const task = this.deps.store.add(
      {
        title,
        lane,
        labels,
        ...(input.prompt === undefined || input.prompt.trim() === '' ? {} : { prompt: input.prompt }),
        ...(input.priority === undefined ? {} : { priority: input.priority }),
        ...(input.check === undefined ? {} : { check: input.check }),
        ...(input.maxAttempts === undefined ? {} : { maxAttempts: input.maxAttempts }),
        ...(input.after === undefined || input.after.length === 0 ? {} : { after: input.after }),
        ...(input.propose === true && !config.tasks.acceptProposals.includes(lane) ? { proposed: true } : {}),
      },
      actor,
      this.deps.now(),
    );
    const waits = task.after.length > 0 ? ` (waits on ${task.after.join(', ')})` : '';
    if (task.state === 'proposed') return { ok: true, message: `proposed ${task.id} in lane ${task.lane}: ${task.title}; it waits for a person (muxctl task accept ${task.id}, or a on the board)`, task };
    const accepted = input.propose === true ? ` (lane ${task.lane} takes proposals at once: tasks.acceptProposals)` : '';
    return { ok: true, message: `added ${task.id} to lane ${task.lane}: ${task.title}${waits}${accepted}`, task };
  }

  /** A person (or the dispatcher) gives a queued task to a worker: claim, branch, deliver, start. */
  async assign(taskId: string, workerName: string, actor: Actor): Promise<Outcome> {
    return this.deps.acting.on([workerName], () => this.assignNow(taskId, workerName, actor));
  }

  private async assignNow(taskId: string, workerName: string, actor: Actor): Promise<Outcome> {
    const worker = this.deps.workers.worker(workerName);
    const task = this.deps.store.get(taskId);
    if (task === null) return refused(`no task ${taskId}`);
    if (task.state !== 'queued') return refused(`${task.id} is ${task.state}, not queued${task.assignee ? ` (${task.assignee} has it)` : ''}`);
    const waits = waitingOn(task, this.deps.store.list());
    if (waits.length > 0) return refused(`${task.id} is not ready: it waits on ${waits.join(', ')}`);
    const busy = this.deps.store.heldBy(worker.name);
    if (busy !== null) return refused(`${worker.name} is busy with ${busy.id}`);
    const prepared = await this.prepareWorktree(worker);
    if (!prepared.ok) return prepared;
    const claim = this.deps.store.apply(task.id, { type: 'claim', worker: worker.name, leaseMs: this.leaseMs(), branch: branchFor(task) }, actor, this.deps.now());
    if (!claim.ok) return refusal(claim);
    return this.checkoutAndDeliver(claim.task, worker, actor);
  }

  /** The dispatcher's hand-out: the next queued task of the worker's lane, or null when there is none. */
  async dispatchTo(worker: WorkerConfig, actor: Actor): Promise<Outcome | null> {
    return this.deps.acting.on([worker.name], () => this.dispatchNow(worker, actor));
  }

  private async dispatchNow(worker: WorkerConfig, actor: Actor): Promise<Outcome | null> {
    if (this.deps.store.list({ states: ['queued'], lane: worker.lane }).length === 0) return null;
    const prepared = await this.prepareWorktree(worker);
    if (!prepared.ok) return prepared;
    const claim = this.deps.store.claimNext(worker.name, worker.lane, this.leaseMs(), actor, this.deps.now(), branchFor);
    if (claim === null) return null;
    if (!claim.ok) return refusal(claim);
    return this.checkoutAndDeliver(claim.task, worker, actor);
  }

  /**
   * After a claim: the task branch checked out in the worker's worktree (created from the base the first
   * time), then the task delivered and started. A step that fails hands the claim back, so the task is
   * never left claimed by a worker that never got it.
   */
  async checkoutAndDeliver(task: Task, worker: WorkerConfig, actor: Actor): Promise<Outcome> {
    const branch = branchFor(task);
    let current = task;
    try {
      current = await this.checkoutTask(task, worker.name, actor);
    } catch (error) {
      return this.handBack(current, worker.name, actor, `could not check out ${branch} in ${workerPath(this.config, worker.name)}: ${(error as Error).message}`);
    }
    const context = await this.deps.tree.deliveryContext(current);
    const delivered = await this.deps.delivery.deliver(current, worker, context, actor, `delivers ${current.id}: ${current.title}`);
    if (!delivered.ok) return this.handBack(current, worker.name, actor, delivered.message);
    const started = this.deps.store.apply(current.id, { type: 'start', worker: worker.name }, actor, this.deps.now());
    if (!started.ok) return refusal(started);
    const how = context.resume ? `resumed (${plural(context.commitsOnBranch, 'commit')} on ${branch})` : `started on ${branch}`;
    return { ok: true, message: `${current.id} → ${worker.name}: ${how}`, task: started.task };
  }

  /** A worker (or a person for it) says the task is done: the check runs first, and the tree must agree. */
  async finish(taskId: string | null, actor: Actor): Promise<Outcome & { check?: CheckRun }> {
    const task = this.taskFor(taskId, actor);
    if ('ok' in task) return task;
    const worker = task.assignee;
    // Before anything runs in someone's worktree: a worker finishes only its own task.
    if (actor.kind === 'worker' && worker !== actor.name) {
      return { ok: false, message: `cannot finish ${task.id}: it is ${worker ?? 'nobody'}'s task, not ${actor.name ?? '?'}'s`, reasons: [], code: 'out-of-scope' };
    }
    if (worker === null || !isHeld(task.state)) return refused(`${task.id} is ${task.state}, not claimed or running`);
    if (task.state === 'claimed') {
      const started = this.deps.store.apply(task.id, { type: 'start', worker }, actor, this.deps.now());
      if (!started.ok) return refusal(started);
    }
    const worktree = workerPath(this.config, worker);
    // A worker on a host committed there: its branch comes here first, so what is judged is what lands.
    await this.bringBack(task, worker, actor);
    const check = task.check === null ? undefined : await this.deps.runCheck(task.check, worktree, worker);
    const dirtyFiles = await this.deps.gitOf(worker).dirtyFiles(worktree);
    const commits = await this.deps.tree.commitsOnBranch(task);
    const evidence = { checkPassed: check === undefined ? null : check.passed, dirtyFiles, commitsOnBranch: commits };
    const finished = this.deps.store.apply(task.id, { type: 'finish', worker, evidence }, actor, this.deps.now(), (next) => ({
      outcome: { ...(next.outcome ?? {}), commits },
    }));
    if (!finished.ok) {
      const tail = check !== undefined && !check.passed && check.tail !== '' ? [`last lines of \`${task.check}\`:\n${check.tail}`] : [];
      return { ...refusal(finished), reasons: [...finished.reasons, ...tail], ...(check === undefined ? {} : { check }) };
    }
    return { ok: true, message: `${task.id} done: ${finished.event.reasons.join('; ')}`, task: finished.task, ...(check === undefined ? {} : { check }) };
  }

  /** fail / block / checkpoint / start / renew / cancel / retry / prioritize: one store move each. */
  move(taskId: string | null, command: (task: Task) => Parameters<TaskStore['apply']>[1], actor: Actor): Outcome {
    const task = this.taskFor(taskId, actor);
    if ('ok' in task) return task;
    const result = this.deps.store.apply(task.id, command(task), actor, this.deps.now());
    if (!result.ok) return refusal(result);
    const move = result.event.from === result.event.to ? result.event.to : `${result.event.from} → ${result.event.to}`;
    return { ok: true, message: `${task.id} ${result.event.action}: ${move}${result.event.reasons.length > 0 ? ` (${result.event.reasons.join('; ')})` : ''}`, task: result.task };
  }

  /** A worker claims for itself: the next task of its lane (or the one named), its branch checked out. */
  async claim(taskId: string | null, workerName: string, actor: Actor): Promise<Outcome> {
    const worker = this.deps.workers.worker(workerName);
    const prepared = await this.prepareWorktree(worker);
    if (!prepared.ok) return prepared;
    let result: TaskResult | null;
    if (taskId === null) {
      result = this.deps.store.claimNext(worker.name, worker.lane, this.leaseMs(), actor, this.deps.now(), branchFor);
      if (result === null) return refused(`no queued task in lane ${worker.lane}`);
    } else {
      const task = this.deps.store.get(taskId);
      if (task === null) return refused(`no task ${taskId}`);
      result = this.deps.store.apply(task.id, { type: 'claim', worker: worker.name, leaseMs: this.leaseMs(), branch: branchFor(task) }, actor, this.deps.now());
    }
    if (!result.ok) return refusal(result);
    const task = result.task;
    try {
      const checkedOut = await this.checkoutTask(task, worker.name, actor);
      // Claimed from inside the worker: its running process has the task.
      await this.deps.workers.markDelivered(worker.name, task.id);
      return { ok: true, message: `${worker.name} claimed ${task.id} on ${branchFor(task)}: ${task.title}`, task: checkedOut };
    } catch (error) {
      return this.handBack(task, worker.name, actor, `could not check out ${branchFor(task)}: ${(error as Error).message}`);
    }
  }

  /**
   * The task's branch checked out in the worker's worktree: made from the base the first time (its start
   * recorded for "landed"), let go of first wherever another worker left it.
   */
  private async checkoutTask(task: Task, worker: string, actor: Actor): Promise<Task> {
    const branch = branchFor(task);
    const git = this.deps.gitOf(worker);
    await this.letGoElsewhere(this.deps.git, branch, worker);
    if (git !== this.deps.git) {
      // On a host: let go of it in another worktree there too, then the clones agree before it starts.
      await this.letGoElsewhere(git, branch, worker);
      this.recordFetch(task, worker, await this.deps.hosts.send(worker, branch), actor);
    }
    const checkout = await git.checkoutTaskBranch(workerPath(this.config, worker), branch, this.deps.hosts.baseFor(worker));
    return checkout.created ? (this.deps.store.annotate(task.id, { baseSha: checkout.baseSha, branch }, this.deps.now()) ?? task) : task;
  }

  /** The task's branch taken back from its worker's host clone (nothing for a worker here). */
  private async bringBack(task: Task, worker: string, actor: Actor): Promise<void> {
    if (task.branch === null) return;
    this.recordFetch(task, worker, await this.deps.hosts.bringBack(worker, task.branch), actor);
  }

  /** What taking the branch in from a host did, on the task's record (null: nothing to say). */
  private recordFetch(task: Task, worker: string, said: string | null, actor: Actor): void {
    if (said === null) return;
    this.deps.store.record({ time: this.deps.now(), actor, kind: 'task', subject: task.id, action: 'fetch', worker, reasons: [said] });
  }

  /**
   * Moves a task from its worker to another, losing nothing: the old worker is brought back idle, its
   * uncommitted changes committed to the task branch as a WIP checkpoint, the branch let go of and
   * checked out in the new worker's worktree, which resumes the task.
   */
  async reassign(taskId: string, toName: string, actor: Actor, options: { onDirty?: 'commit-wip' | 'refuse'; laneConfirmed?: boolean } = {}): Promise<Outcome & { askLane?: boolean }> {
    const from = this.deps.store.get(taskId)?.assignee;
    return this.deps.acting.on(from ? [from, toName] : [toName], () => this.reassignNow(taskId, toName, actor, options));
  }

  private async reassignNow(taskId: string, toName: string, actor: Actor, options: { onDirty?: 'commit-wip' | 'refuse'; laneConfirmed?: boolean }): Promise<Outcome & { askLane?: boolean }> {
    const task = this.deps.store.get(taskId);
    if (task === null) return refused(`no task ${taskId}`);
    const to = this.deps.workers.worker(toName);
    const fromName = task.assignee;
    if (fromName === null) return refused(`${task.id} is ${task.state} and nobody holds it; assign it instead`);
    const from = this.deps.workers.worker(fromName);
    const decision = decideReassign({
      task: { id: task.id, state: task.state, lane: task.lane, branch: task.branch },
      from: { name: from.name, lane: from.lane },
      to: { name: to.name, lane: to.lane, busyWith: this.deps.store.heldBy(to.name)?.id ?? null },
      dirtyFiles: await this.deps.tree.dirtyFiles(from.name),
      landed: await this.deps.tree.landed(task),
      onDirty: options.onDirty ?? 'commit-wip',
      laneConfirmed: options.laneConfirmed ?? false,
    });
    if (decision.action === 'refuse') return { ok: false, message: `cannot reassign ${task.id}: ${decision.reasons.join('; ')}`, reasons: decision.reasons };
    if (decision.action === 'ask-lane') return { ok: false, message: decision.reasons[0] ?? 'another lane', reasons: decision.reasons, askLane: true };
    const prepared = await this.prepareWorktree(to);
    if (!prepared.ok) return prepared;

    const why = `${task.id} moves to ${to.name}`;
    const handed = await this.handOver(task, from, why, actor);
    const moved = this.deps.store.apply(task.id, { type: 'reassign', from: from.name, to: to.name, leaseMs: this.leaseMs() }, actor, this.deps.now(), (next) => ({
      checkpoints: handed.checkpoint === null ? next.checkpoints : [...next.checkpoints, handed.checkpoint],
    }));
    if (!moved.ok) return refusal(moved);
    const delivered = await this.checkoutAndDeliver(moved.task, to, actor);
    if (!delivered.ok) return delivered;
    const wip = handed.checkpoint?.sha === undefined ? '' : ` (WIP ${handed.checkpoint.sha.slice(0, 7)})`;
    return { ok: true, message: `${task.id} moved from ${from.name} to ${to.name}${wip}: ${delivered.message}`, ...(delivered.task ? { task: delivered.task } : {}) };
  }

  /**
   * The old holder lets go without losing anything: its process comes back idle (so it stops editing),
   * its uncommitted work is committed on the task branch, and the branch is released from its worktree.
   * Shared by reassign and by a lease that expired.
   */
  async handOver(task: Task, from: WorkerConfig, why: string, actor: Actor): Promise<{ checkpoint: Checkpoint | null }> {
    const worktree = workerPath(this.config, from.name);
    const git = this.deps.gitOf(from.name);
    if (await this.deps.tmux.hasSession(from.name)) await this.deps.workers.restart(from.name, actor, `${why}: ${from.name} comes back idle`);
    if (!(await this.deps.tree.onBranch(task, from.name))) return { checkpoint: null };
    const sha = await git.commitAll(worktree, `WIP ${task.id}: checkpoint from ${from.name} (${why})`);
    await git.releaseBranch(worktree, workerBranch(from.name));
    // The WIP commit travels by git: from a host's clone it comes here, whoever takes the task next.
    await this.bringBack(task, from.name, actor);
    if (sha === null) return { checkpoint: null };
    return { checkpoint: { at: this.deps.now(), sha: sha.slice(0, 12), note: `WIP from ${from.name}: ${why}` } };
  }

  /** The worker's worktree exists and holds nothing uncommitted that belongs to no task. */
  private async prepareWorktree(worker: WorkerConfig): Promise<Outcome> {
    const config = this.config;
    const worktree = workerPath(config, worker.name);
    const git = this.deps.gitOf(worker.name);
    await git.ensureWorktree({ path: worktree, branch: workerBranch(worker.name), base: config.baseBranch });
    const dirty = await git.dirtyFiles(worktree);
    if (dirty.length === 0) return { ok: true, message: 'clean' };
    const shown = dirty.slice(0, 3).join(', ') + (dirty.length > 3 ? ` and ${dirty.length - 3} more` : '');
    return refused(`${worker.name} has ${plural(dirty.length, 'uncommitted file')} that belong to no task (${shown}): commit or clean them first`);
  }

  /**
   * A branch left checked out in an idle worker's worktree of `git`'s clone (after a crash) is let go of
   * there first.
   */
  private async letGoElsewhere(git: Git, branch: string, taker: string): Promise<void> {
    const config = this.config;
    const holder = (await git.listWorktrees()).find((entry) => entry.branch === branch);
    if (holder === undefined) return;
    const owner = config.workers.find((w) => workerPath(config, w.name) === holder.path || holder.path.endsWith(`/${w.name}`));
    if (owner === undefined || owner.name === taker) return;
    const sha = await git.commitAll(holder.path, `WIP: left on ${branch} in ${owner.name}`);
    await git.releaseBranch(holder.path, workerBranch(owner.name));
    if (sha !== null) {
      this.deps.store.record({ time: this.deps.now(), actor: { kind: 'dispatcher' }, kind: 'worker', subject: owner.name, action: 'commit-wip', worker: owner.name, reasons: [`uncommitted work on ${branch} committed as ${sha.slice(0, 7)} before ${taker} took the branch`] });
    }
  }

  private handBack(task: Task, worker: string, actor: Actor, why: string): Outcome {
    const released = this.deps.store.apply(task.id, { type: 'release', worker }, actor, this.deps.now());
    const back = released.ok ? `; ${task.id} is back in the queue` : '';
    return refused(`${why}${back}`);
  }

  private taskFor(taskId: string | null, actor: Actor): Task | (Outcome & { ok: false }) {
    if (taskId !== null) {
      const task = this.deps.store.get(taskId);
      return task ?? { ok: false, message: `no task ${taskId}`, reasons: [`no task ${taskId}`], code: 'not-found' };
    }
    const me = actor.kind === 'worker' ? actor.name : undefined;
    if (me === undefined) return { ok: false, message: 'which task? Name it (e.g. T3)', reasons: ['no task named'] };
    const held = this.deps.store.heldBy(me);
    return held ?? { ok: false, message: `${me} holds no task`, reasons: [`${me} holds no task`], code: 'not-found' };
  }
}

/** A task's branch: the one it has, or `task/<id>-<slug>` for a task that never had one. */
function branchFor(task: Task): string {
  return task.branch ?? taskBranchName(task.id, task.title);
}

export function refused(message: string): Outcome & { ok: false } {
  return { ok: false, message, reasons: [message] };
}

function refusal(result: TaskResult & { ok: false }): Outcome & { ok: false } {
  return { ok: false, message: result.error, reasons: result.reasons, code: result.code };
}
