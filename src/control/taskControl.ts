/**
 * The task side of the control plane (issue 4): everything that moves a task and touches the world at
 * the same time — the task branch in a worktree, the worker's process, the store. Decisions come from
 * src/core (tasks.ts, guards.ts); this module gathers their facts and carries them out in an order that
 * never loses work: commit or back up first, then move, then record.
 */
import type { TaskStore } from '../adapters/taskStore.js';
import type { Git } from '../adapters/git.js';
import type { Tmux } from '../adapters/tmux.js';
import type { CheckRun } from '../adapters/check.js';
import type { ProjectConfig, WorkerConfig } from '../core/config.js';
import { workerPath } from '../core/config.js';
import { taskCommand, taskEnv, taskPrompt, type DeliveryContext } from '../core/delivery.js';
import { decideReassign, decideRestart, type RestartDecision } from '../core/guards.js';
import { taskBranchName, workerBranch } from '../core/names.js';
import { routeLane } from '../core/routing.js';
import { drift, plural, waitingOn } from '../core/tasks.js';
import type { Actor, Checkpoint, Task, TaskResult } from '../core/tasks.js';
import type { Launch, Supervisor } from './supervisor.js';
import type { ControlEvent } from '../adapters/runtime.js';

export interface TaskControlDeps {
  store: TaskStore;
  git: Git;
  tmux: Tmux;
  supervisor: Supervisor;
  now: () => number;
  runCheck: (command: string, cwd: string) => Promise<CheckRun>;
  /** How long a pasted prompt may take to show on the agent's screen. @default 8000 */
  pasteConfirmMs?: number;
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

/** The runtime's actor words for a worker control event recorded by the supervisor. */
function controlActor(actor: Actor): ControlEvent['actor'] {
  if (actor.kind === 'dispatcher' || actor.kind === 'policy') return actor.kind;
  return actor.name === 'cli' ? 'cli' : 'person';
}

export class TaskControl {
  private readonly inFlight = new Set<string>();

  constructor(
    private config: ProjectConfig,
    private readonly deps: TaskControlDeps,
  ) {}

  setConfig(config: ProjectConfig): void {
    this.config = config;
  }

  get store(): TaskStore {
    return this.deps.store;
  }

  /**
   * Workers this process is acting on now (a restart, a reassign, a hand-out). The dispatcher leaves
   * them alone meanwhile: a lease must not expire into a worktree that a restart is resetting.
   */
  busy(worker: string): boolean {
    return this.inFlight.has(worker);
  }

  private async acting<T>(workers: readonly string[], work: () => Promise<T>): Promise<T> {
    for (const worker of workers) this.inFlight.add(worker);
    try {
      return await work();
    } finally {
      for (const worker of workers) this.inFlight.delete(worker);
    }
  }

  leaseMs(): number {
    return this.config.tasks.leaseSeconds * 1000;
  }

  add(input: AddInput, actor: Actor): Outcome {
    const lanes = Object.keys(this.config.lanes);
    const title = input.title.trim();
    if (title === '') return refused('a task needs a title');
    const labels = input.labels ?? [];
    let lane = input.lane;
    if (lane !== undefined && !lanes.includes(lane)) return refused(`no lane "${lane}": expected one of ${lanes.join(', ')}`);
    lane ??= routeLane({ title, labels }, this.config.tasks.routing, lanes) ?? undefined;
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
      },
      actor,
      this.deps.now(),
    );
    const waits = task.after.length > 0 ? ` (waits on ${task.after.join(', ')})` : '';
    return { ok: true, message: `added ${task.id} to lane ${task.lane}: ${task.title}${waits}`, task };
  }

  /** A person (or the dispatcher) gives a queued task to a worker: claim, branch, deliver, start. */
  async assign(taskId: string, workerName: string, actor: Actor): Promise<Outcome> {
    return this.acting([workerName], () => this.assignNow(taskId, workerName, actor));
  }

  private async assignNow(taskId: string, workerName: string, actor: Actor): Promise<Outcome> {
    const worker = this.deps.supervisor.worker(workerName);
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
    return this.acting([worker.name], () => this.dispatchNow(worker, actor));
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
      current = await this.checkoutTask(task, worker.name);
    } catch (error) {
      return this.handBack(current, worker.name, actor, `could not check out ${branch} in ${workerPath(this.config, worker.name)}: ${(error as Error).message}`);
    }
    const context = await this.deliveryContext(current);
    const delivered = await this.deliver(current, worker, context, actor, `delivers ${current.id}: ${current.title}`);
    if (!delivered.ok) return this.handBack(current, worker.name, actor, delivered.message);
    const started = this.deps.store.apply(current.id, { type: 'start', worker: worker.name }, actor, this.deps.now());
    if (!started.ok) return refusal(started);
    const how = context.resume ? `resumed (${plural(context.commitsOnBranch, 'commit')} on ${branch})` : `started on ${branch}`;
    return { ok: true, message: `${current.id} → ${worker.name}: ${how}`, task: started.task };
  }

  /**
   * Gives the task to the worker's process: `env` restarts the command with MUXCTL_TASK_*; `paste` types
   * the prompt into the running agent and confirms it arrived on the screen.
   */
  async deliver(task: Task, worker: WorkerConfig, context: DeliveryContext, actor: Actor, reason: string, kind: 'deliver' | 'restart' = 'deliver'): Promise<Outcome> {
    if (worker.task.delivery === 'env') {
      // A hand-out is a delivery; a restart carrying the task on (the guard's resume) is a restart.
      const launch: Launch = { env: taskEnv(task, context), delivery: kind === 'deliver' };
      if (worker.task.command !== undefined) launch.command = taskCommand(worker.task.command, task, context);
      const result = await this.deps.supervisor.restart(worker.name, controlActor(actor), reason, launch);
      return result.ok ? { ok: true, message: result.outcome } : refused(result.outcome);
    }
    if (!(await this.deps.tmux.hasSession(worker.name))) {
      await this.deps.supervisor.up([worker.name], controlActor(actor), `to receive ${task.id}`);
      await this.waitForQuietScreen(worker.name);
    }
    const prompt = taskPrompt(task, context);
    await this.deps.tmux.pasteText(worker.name, prompt);
    const firstLine = prompt.split('\n')[0] ?? '';
    if (await this.screenShows(worker.name, firstLine.slice(0, 40))) return { ok: true, message: 'pasted' };
    return refused(`the prompt did not appear on ${worker.name}'s screen within ${(this.deps.pasteConfirmMs ?? 8000) / 1000} s`);
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
    if (worker === null || (task.state !== 'claimed' && task.state !== 'running')) return refused(`${task.id} is ${task.state}, not claimed or running`);
    if (task.state === 'claimed') {
      const started = this.deps.store.apply(task.id, { type: 'start', worker }, actor, this.deps.now());
      if (!started.ok) return refusal(started);
    }
    const worktree = workerPath(this.config, worker);
    const check = task.check === null ? undefined : await this.deps.runCheck(task.check, worktree);
    const dirtyFiles = await this.deps.git.dirtyFiles(worktree);
    const commits = await this.commitsOnBranch(task);
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
    const worker = this.deps.supervisor.worker(workerName);
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
      const checkedOut = await this.checkoutTask(task, worker.name);
      return { ok: true, message: `${worker.name} claimed ${task.id} on ${branchFor(task)}: ${task.title}`, task: checkedOut };
    } catch (error) {
      return this.handBack(task, worker.name, actor, `could not check out ${branchFor(task)}: ${(error as Error).message}`);
    }
  }

  /**
   * The task's branch checked out in the worker's worktree: made from the base the first time (its start
   * recorded for "landed"), let go of first wherever another worker left it.
   */
  private async checkoutTask(task: Task, worker: string): Promise<Task> {
    const branch = branchFor(task);
    await this.letGoElsewhere(branch, worker);
    const checkout = await this.deps.git.checkoutTaskBranch(workerPath(this.config, worker), branch, this.config.baseBranch);
    return checkout.created ? (this.deps.store.annotate(task.id, { baseSha: checkout.baseSha, branch }, this.deps.now()) ?? task) : task;
  }

  /**
   * Restart through the guard: a done task is never run again, uncommitted work is never thrown away,
   * commits or a checkpoint mean resume, a spent budget escalates, a reset needs the name typed.
   */
  async restart(workerName: string, request: RestartRequest): Promise<RestartOutcome> {
    return this.acting([workerName], () => this.restartNow(workerName, request));
  }

  private async restartNow(workerName: string, request: RestartRequest): Promise<RestartOutcome> {
    const worker = this.deps.supervisor.worker(workerName);
    const decision = await this.restartDecision(worker.name, request);
    const task = this.deps.store.heldBy(worker.name);
    const why = `${request.reason}: ${decision.reasons.join('; ')}`;
    const actor = controlActor(request.actor);
    switch (decision.action) {
      case 'reset-needs-confirmation':
        return { decision, acted: false, message: decision.reasons.join('; ') };
      case 'escalate': {
        if (task !== null) this.deps.store.apply(task.id, { type: 'escalate', reason: decision.reasons.join('; ') }, request.actor, this.deps.now());
        this.deps.store.record({ time: this.deps.now(), actor: request.actor, kind: 'worker', subject: worker.name, action: 'escalate', worker: worker.name, reasons: decision.reasons });
        return { decision, acted: true, message: `not restarted: ${decision.reasons.join('; ')}` };
      }
      case 'idle':
        await this.deps.supervisor.restart(worker.name, actor, why);
        return { decision, acted: true, message: 'restarted idle' };
      case 'restart-in-place':
      case 'resume':
      case 'fresh': {
        if (task === null) {
          await this.deps.supervisor.restart(worker.name, actor, why);
          return { decision, acted: true, message: 'restarted' };
        }
        // A person (or the policy) acting on the worker is activity: the lease is renewed before anything,
        // and if the task already moved on, nothing is reset or delivered.
        const renewed = this.deps.store.apply(task.id, { type: 'renew', worker: worker.name, leaseMs: this.leaseMs() }, request.actor, this.deps.now());
        if (!renewed.ok) return { decision, acted: false, message: `not restarted: ${task.id} moved on (${renewed.error})` };
        const worktree = workerPath(this.config, worker.name);
        if (decision.backupRef) {
          const ref = await this.deps.git.backupRef(worker.name, await this.deps.git.snapshotWorktree(worktree), new Date(this.deps.now()));
          this.deps.store.record({ time: this.deps.now(), actor: request.actor, kind: 'worker', subject: worker.name, action: 'backup', worker: worker.name, reasons: [`before reset to the base: ${ref}`] });
          await this.deps.git.resetWorktree(worktree, task.baseSha ?? this.config.baseBranch);
          decision.reasons.push(`backup: ${ref}`);
        }
        const context = await this.deliveryContext(task, decision.action === 'fresh' ? undefined : `restarted: ${request.reason}`);
        if (decision.action === 'fresh') context.resume = false;
        const delivered =
          worker.task.delivery === 'env'
            ? await this.deliver(task, worker, context, request.actor, why, 'restart')
            : await this.restartThenPaste(task, worker, context, request.actor, why);
        return { decision, acted: true, message: delivered.ok ? `restarted (${decision.action}) with ${task.id}` : delivered.message };
      }
    }
  }

  /** The facts the restart guard needs, gathered from the store, git and the runtime records. */
  async restartDecision(workerName: string, request: Omit<RestartRequest, 'reason' | 'actor'>): Promise<RestartDecision> {
    const worker = this.deps.supervisor.worker(workerName);
    const task = this.deps.store.heldBy(worker.name) ?? this.lastTaskOf(worker.name);
    const worktree = workerPath(this.config, worker.name);
    const dirtyFiles = await this.deps.git.dirtyFiles(worktree).catch(() => []);
    const branchHere = task?.branch !== null && task?.branch !== undefined && (await this.deps.git.currentBranch(worktree).catch(() => null)) === task.branch;
    const commitsAhead = task !== null && branchHere ? await this.commitsOnBranch(task) : 0;
    const landed = task !== null ? await this.landed(task) : false;
    const record = this.deps.supervisor.workerRecords()[worker.name];
    return decideRestart({
      worker: worker.name,
      taskState: task?.state ?? null,
      dirtyFiles,
      commitsAhead,
      landed,
      attempts: record?.autoRestarts ?? 0,
      maxAttempts: worker.restart.maxRestarts,
      lastCheckpoint: task?.checkpoints[task.checkpoints.length - 1] ?? null,
      automatic: request.automatic ?? false,
      backoffBaseMs: worker.restart.backoffSeconds * 1000,
      destructive: request.destructive ?? false,
      confirmation: request.confirmation ?? null,
    });
  }

  /**
   * Moves a task from its worker to another, losing nothing: the old worker is brought back idle, its
   * uncommitted changes committed to the task branch as a WIP checkpoint, the branch let go of and
   * checked out in the new worker's worktree, which resumes the task.
   */
  async reassign(taskId: string, toName: string, actor: Actor, options: { onDirty?: 'commit-wip' | 'refuse'; laneConfirmed?: boolean } = {}): Promise<Outcome & { askLane?: boolean }> {
    const from = this.deps.store.get(taskId)?.assignee;
    return this.acting(from ? [from, toName] : [toName], () => this.reassignNow(taskId, toName, actor, options));
  }

  private async reassignNow(taskId: string, toName: string, actor: Actor, options: { onDirty?: 'commit-wip' | 'refuse'; laneConfirmed?: boolean }): Promise<Outcome & { askLane?: boolean }> {
    const task = this.deps.store.get(taskId);
    if (task === null) return refused(`no task ${taskId}`);
    const to = this.deps.supervisor.worker(toName);
    const fromName = task.assignee;
    if (fromName === null) return refused(`${task.id} is ${task.state} and nobody holds it; assign it instead`);
    const from = this.deps.supervisor.worker(fromName);
    const fromTree = workerPath(this.config, from.name);
    const dirtyFiles = await this.deps.git.dirtyFiles(fromTree).catch(() => []);
    const decision = decideReassign({
      task: { id: task.id, state: task.state, lane: task.lane, branch: task.branch },
      from: { name: from.name, lane: from.lane },
      to: { name: to.name, lane: to.lane, busyWith: this.deps.store.heldBy(to.name)?.id ?? null },
      dirtyFiles,
      landed: await this.landed(task),
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
    if (await this.deps.tmux.hasSession(from.name)) await this.deps.supervisor.restart(from.name, controlActor(actor), `${why}: ${from.name} comes back idle`);
    const onBranch = task.branch !== null && (await this.deps.git.currentBranch(worktree).catch(() => null)) === task.branch;
    if (!onBranch) return { checkpoint: null };
    const sha = await this.deps.git.commitAll(worktree, `WIP ${task.id}: checkpoint from ${from.name} (${why})`);
    await this.deps.git.releaseBranch(worktree, workerBranch(from.name));
    if (sha === null) return { checkpoint: null };
    return { checkpoint: { at: this.deps.now(), sha: sha.slice(0, 12), note: `WIP from ${from.name}: ${why}` } };
  }

  /**
   * Where the record and the tree disagree (tasks.drift): a done task whose worktree is dirty or whose
   * work is neither on its branch nor landed, an open task whose branch already landed. Read from git,
   * never from the record, for the board's drift marks.
   */
  async driftFindings(tasks: readonly Task[]): Promise<Record<string, string[]>> {
    const findings: Record<string, string[]> = {};
    for (const task of tasks) {
      // Landed work is on the base, canceled and queued work has nothing to disagree with: no git for them.
      if (task.branch === null || task.state === 'canceled' || task.state === 'queued' || task.state === 'landed') continue;
      const worktree = task.assignee === null ? null : workerPath(this.config, task.assignee);
      const here = worktree !== null && (await this.deps.git.currentBranch(worktree).catch(() => null)) === task.branch;
      const tree = {
        dirtyFiles: here && worktree !== null ? await this.deps.git.dirtyFiles(worktree).catch(() => []) : [],
        checkPassed: null,
        commitsOnBranch: await this.commitsOnBranch(task).catch(() => 0),
        landed: await this.landed(task).catch(() => false),
      };
      const found = drift(task, tree);
      if (found.length > 0) findings[task.id] = found;
    }
    return findings;
  }

  /** Tasks done, failed or handed back get what the worker's tree says about them. */
  async commitsOnBranch(task: Task): Promise<number> {
    if (task.branch === null || !(await this.deps.git.branchExists(task.branch))) return 0;
    return this.deps.git.countCommits(task.baseSha ?? this.config.baseBranch, task.branch);
  }

  /** The task's branch moved past where it started and is contained in the base. */
  async landed(task: Task): Promise<boolean> {
    if (task.branch === null || task.baseSha === null) return false;
    const tip = await this.deps.git.resolveCommit(task.branch);
    if (tip === null || tip === task.baseSha) return false;
    return this.deps.git.isAncestor(tip, this.config.baseBranch);
  }

  async deliveryContext(task: Task, why?: string): Promise<DeliveryContext> {
    const commitsOnBranch = await this.commitsOnBranch(task);
    const resume = commitsOnBranch > 0 || task.checkpoints.length > 0;
    return { resume, commitsOnBranch, ...(why === undefined ? {} : { why: `${why}.` }) };
  }

  private async restartThenPaste(task: Task, worker: WorkerConfig, context: DeliveryContext, actor: Actor, why: string): Promise<Outcome> {
    await this.deps.supervisor.restart(worker.name, controlActor(actor), why);
    await this.waitForQuietScreen(worker.name);
    return this.deliver(task, worker, context, actor, why, 'restart');
  }

  /** The worker's worktree exists and holds nothing uncommitted that belongs to no task. */
  private async prepareWorktree(worker: WorkerConfig): Promise<Outcome> {
    const worktree = workerPath(this.config, worker.name);
    await this.deps.git.ensureWorktree({ path: worktree, branch: workerBranch(worker.name), base: this.config.baseBranch });
    const dirty = await this.deps.git.dirtyFiles(worktree);
    if (dirty.length === 0) return { ok: true, message: 'clean' };
    const shown = dirty.slice(0, 3).join(', ') + (dirty.length > 3 ? ` and ${dirty.length - 3} more` : '');
    return refused(`${worker.name} has ${plural(dirty.length, 'uncommitted file')} that belong to no task (${shown}): commit or clean them first`);
  }

  /** A branch left checked out in an idle worker's worktree (after a crash) is let go of there first. */
  private async letGoElsewhere(branch: string, taker: string): Promise<void> {
    const holder = (await this.deps.git.listWorktrees()).find((entry) => entry.branch === branch);
    if (holder === undefined) return;
    const owner = this.config.workers.find((w) => workerPath(this.config, w.name) === holder.path || holder.path.endsWith(`/${w.name}`));
    if (owner === undefined || owner.name === taker) return;
    const sha = await this.deps.git.commitAll(holder.path, `WIP: left on ${branch} in ${owner.name}`);
    await this.deps.git.releaseBranch(holder.path, workerBranch(owner.name));
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

  private lastTaskOf(worker: string): Task | null {
    const mine = this.deps.store.list({ assignee: worker });
    return mine.sort((a, b) => b.updatedAt - a.updatedAt)[0] ?? null;
  }

  private async waitForQuietScreen(name: string): Promise<void> {
    let last = '';
    let stableSince = this.deps.now();
    const deadline = this.deps.now() + 15_000;
    while (this.deps.now() < deadline) {
      const screen = ((await this.deps.tmux.capturePanes([name], 50)).get(name) ?? []).join('\n');
      if (screen !== last) {
        last = screen;
        stableSince = this.deps.now();
      } else if (screen.trim() !== '' && this.deps.now() - stableSince >= 700) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async screenShows(name: string, text: string): Promise<boolean> {
    const needle = text.trim();
    const deadline = this.deps.now() + (this.deps.pasteConfirmMs ?? 8000);
    while (this.deps.now() < deadline) {
      const screen = ((await this.deps.tmux.capturePanes([name], 200)).get(name) ?? []).join('\n');
      if (needle === '' || screen.includes(needle)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }
}

/** A task's branch: the one it has, or `task/<id>-<slug>` for a task that never had one. */
function branchFor(task: Task): string {
  return task.branch ?? taskBranchName(task.id, task.title);
}

function refused(message: string): Outcome & { ok: false } {
  return { ok: false, message, reasons: [message] };
}

function refusal(result: TaskResult & { ok: false }): Outcome & { ok: false } {
  return { ok: false, message: result.error, reasons: result.reasons, code: result.code };
}
