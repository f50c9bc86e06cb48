/**
 * The merge queue (issue 5): done tasks land on the base branch one safe step at a time. Each entry is
 * built in the integration worktree on the base as it is now, checked there, and the base only ever
 * moves by a fast-forward to a commit that passed — so a kill at any point leaves it as it was or fully
 * updated. The queue is derived from the store and git every time, never kept, so a rerun resumes.
 */
import type { CheckRun } from '../adapters/check.js';
import type { Git } from '../adapters/git.js';
import { failpoint } from '../adapters/failpoint.js';
import { ensureIntegrationWorktree, fastForwardBase, mergeOnto, pushBase, rebaseOnto, resetIntegration, samePath, worktreeHolding } from '../adapters/gitLand.js';
import type { TaskAnnotation, TaskStore } from '../adapters/taskStore.js';
import { workerPath, type ProjectConfig } from '../core/config/config.js';
import { BaseBranchMissingError } from '../core/parsers/gitErrors.js';
import { workerBranch } from '../core/rules/names.js';
import { plural, type Actor, type Task } from '../core/rules/tasks.js';
import { LanderBusyError, landingOrder, type LandResult } from './landResults.js';

/** The lander's results and refusal live beside it; importers of the lander find them here too. */
export { describeLanding, integrationPath, LanderBusyError, landingOrder, type LandOutcome, type LandResult } from './landResults.js';

export const LANDER_LOCK = 'lander';

/** How many times an entry is built again because the base moved under it before it gives way. */
export const MAX_BASE_ATTEMPTS = 3;

const FILES_SHOWN = 10;

export interface LanderDeps {
  config: () => ProjectConfig;
  store: TaskStore;
  git: Git;
  runCheck: (command: string, cwd: string) => Promise<CheckRun>;
  now: () => number;
  /** Where the integration worktree lives (a function: read from the live config); created on first use. */
  integrationPath: string | (() => string);
  /**
   * Hands a bounced task, claimed back by its worker, to that worker in resume mode (TaskControl's
   * checkoutAndDeliver). Without it the task is only claimed back, for the dispatcher or a person.
   */
  sendBack?: (task: Task) => Promise<{ ok: boolean; message: string }>;
  /**
   * Takes in the task's branch from the clone it was done in (a host's), before it is landed; says what
   * it did, or null when there was nothing to take in. Without it, branches are read here only.
   */
  bringBack?: (task: Task) => Promise<string | null>;
}

interface Entry {
  task: Task;
  branch: string;
  tip: string;
}

interface Built extends Entry {
  /** HEAD in the integration worktree once this entry was brought on. */
  sha: string;
}

/** One run of `land`: who asked, the config it read once, and what happened so far. */
interface Run {
  actor: Actor;
  config: ProjectConfig;
  results: LandResult[];
}

type GroupTry = { kind: 'moved'; from: string; to: string | null } | { kind: 'split'; built: Built[]; deferred: Entry[] } | { kind: 'done'; deferred: Entry[] };

export class Lander {
  private running = false;

  constructor(private readonly deps: LanderDeps) {}

  private get integrationPath(): string {
    const where = this.deps.integrationPath;
    return typeof where === 'string' ? where : where();
  }

  /** Done tasks whose branch has commits the base does not, in landing order. */
  async queue(): Promise<Task[]> {
    const config = this.deps.config();
    const base = await this.baseTip(config);
    const queued: Task[] = [];
    for (const task of this.doneTasks()) {
      const tip = await this.deps.git.resolveCommit(`refs/heads/${task.branch ?? ''}`);
      if (tip !== null && (await this.deps.git.countCommits(base, tip)) > 0) queued.push(task);
    }
    return queued;
  }

  /**
   * Lands the named done tasks (all done tasks when `ids` is undefined), in landing order. Throws
   * LanderBusyError when another lander holds the lock; every entry's outcome is in the results and
   * on the board's record.
   */
  async land(ids: readonly string[] | undefined, actor: Actor): Promise<LandResult[]> {
    const { store } = this.deps;
    if (this.running) {
      const held = store.lockHolder(LANDER_LOCK);
      throw new LanderBusyError(process.pid, held?.holder ?? actorLabel(actor), held?.since ?? this.deps.now());
    }
    const before = store.lockHolder(LANDER_LOCK);
    const lock = store.tryLock(LANDER_LOCK, actorLabel(actor), this.deps.now());
    if (!lock.ok) throw new LanderBusyError(lock.pid, lock.holder, lock.since);
    this.running = true;
    try {
      const run: Run = { actor, config: this.deps.config(), results: [] };
      if (before !== null && !before.alive && before.pid !== process.pid) {
        this.record(run, 'takeover', [`the lander in pid ${before.pid} (started by ${before.holder} at ${new Date(before.since).toISOString()}) is gone; resuming its queue`]);
      }
      const candidates = this.select(run, ids);
      if (candidates.length === 0) return run.results;
      for (const task of candidates) await this.bringBack(run, task);
      await ensureIntegrationWorktree(run.config.repo, this.integrationPath, await this.baseTip(run.config));
      const size = Math.max(1, run.config.land.batch);
      for (let at = 0; at < candidates.length; at += size) await this.landGroup(run, candidates.slice(at, at + size));
      return run.results;
    } finally {
      this.running = false;
      store.unlock(LANDER_LOCK);
    }
  }

  private doneTasks(): Task[] {
    return this.deps.store.list({ states: ['done'] }).filter((task) => task.branch !== null).sort(landingOrder);
  }

  /** The tasks asked for, in landing order; names that cannot land are answered as skipped. */
  private select(run: Run, ids: readonly string[] | undefined): Task[] {
    if (ids === undefined) return this.doneTasks();
    const chosen = new Map<string, Task>();
    for (const id of ids) {
      const task = this.deps.store.get(id);
      if (task === null) this.skip(run, id, `no task ${id}`);
      else if (task.state !== 'done') this.skip(run, task.id, `${task.id} is ${task.state}, not done`);
      else if (task.branch === null) this.skip(run, task.id, `${task.id} has no branch`);
      else chosen.set(task.id, task);
    }
    return [...chosen.values()].sort(landingOrder);
  }

  /**
   * Lands a group (one entry, or a batch): built on the base, one check for all, one fast-forward. A base
   * that moved meanwhile means building it again; a failing batch is split in halves, each landed on
   * its own, so one bad branch does not hold the others back.
   */
  private async landGroup(run: Run, tasks: readonly Task[]): Promise<void> {
    let pending = tasks;
    for (let attempt = 1; ; attempt++) {
      const base = await this.baseTip(run.config);
      const live = await this.revalidate(run, pending, base);
      if (live.length === 0) return;
      let tried: GroupTry;
      try {
        tried = await this.tryGroup(run, live, base);
      } catch (error) {
        const why = `could not land ${ids(live)}: ${(error as Error).message}`;
        this.record(run, 'error', [why]);
        for (const entry of live) this.refuse(run, entry.task.id, why);
        return;
      }
      if (tried.kind === 'moved') {
        const why = `${run.config.baseBranch} moved from ${short(tried.from)} to ${short(tried.to)} while ${ids(live)} was being landed`;
        if (attempt >= MAX_BASE_ATTEMPTS) {
          this.record(run, 'refuse', [why, `gave up after ${plural(attempt, 'attempt')}; run land again`]);
          for (const entry of live) this.refuse(run, entry.task.id, why);
          return;
        }
        this.record(run, 'retry', [why, `building it again (attempt ${attempt + 1} of ${MAX_BASE_ATTEMPTS})`]);
        pending = live.map((entry) => entry.task);
        continue;
      }
      if (tried.kind === 'split') {
        const half = Math.ceil(tried.built.length / 2);
        await this.landGroup(run, tried.built.slice(0, half).map((entry) => entry.task));
        await this.landGroup(run, tried.built.slice(half).map((entry) => entry.task));
      }
      for (const entry of tried.deferred) await this.landGroup(run, [entry.task]);
      return;
    }
  }

  /**
   * Reads each task again (another process may have moved it) and its branch: gone, empty, already
   * contained in the base (a lander killed after moving the base: marked landed, not merged again), or
   * an entry to build.
   */
  private async revalidate(run: Run, tasks: readonly Task[], base: string): Promise<Entry[]> {
    const entries: Entry[] = [];
    for (const stale of tasks) {
      const task = this.deps.store.get(stale.id);
      if (task === null || task.state !== 'done' || task.branch === null) {
        this.skip(run, stale.id, task === null ? `no task ${stale.id}` : `${task.id} is ${task.state} now, not done`);
        continue;
      }
      const tip = await this.deps.git.resolveCommit(`refs/heads/${task.branch}`);
      if (tip === null) this.skip(run, task.id, `its branch ${task.branch} is gone`);
      else if (!(await this.deps.git.isAncestor(tip, base))) entries.push({ task, branch: task.branch, tip });
      else if (tip === task.baseSha) this.skip(run, task.id, `no commits on ${task.branch}`);
      else await this.markLanded(run, { task, branch: task.branch, tip }, base, 'already-landed', [`${task.branch} is already contained in ${run.config.baseBranch}`], null);
    }
    return entries;
  }

  private async tryGroup(run: Run, live: readonly Entry[], base: string): Promise<GroupTry> {
    const worktree = this.integrationPath;
    await resetIntegration(worktree, base);
    const built: Built[] = [];
    const deferred: Entry[] = [];
    for (const entry of live) {
      const brought = await this.bring(run, entry);
      if (brought.ok) built.push({ ...entry, sha: brought.sha });
      else if (live.length === 1) await this.bounceConflict(run, entry, brought.conflicts);
      // In a batch the conflict may be with another entry rather than the base: it gets a turn alone.
      else deferred.push(entry);
    }
    const last = built[built.length - 1];
    if (last === undefined) return { kind: 'done', deferred };
    if (last.sha === base) {
      for (const entry of built) await this.markLanded(run, entry, base, 'already-landed', [`its changes are already on ${run.config.baseBranch}`], null);
      return { kind: 'done', deferred };
    }
    const check = run.config.land.check;
    if (check !== null) {
      const result = await this.deps.runCheck(check, worktree);
      if (!result.passed) {
        if (built.length > 1) return { kind: 'split', built, deferred };
        await this.bounceCheck(run, last, check, result);
        return { kind: 'done', deferred };
      }
    }
    const moved = await fastForwardBase(run.config.repo, run.config.baseBranch, last.sha, base);
    failpoint('land:base-moved');
    if (!moved.ok && moved.reason === 'moved') return { kind: 'moved', from: base, to: moved.now };
    if (!moved.ok) {
      const why = `${run.config.baseBranch} is checked out in ${moved.checkout} with local changes in the way; ${ids(built)} not landed`;
      this.record(run, 'refuse', [why, moved.said]);
      for (const entry of built) this.refuse(run, entry.task.id, why, moved.said);
      return { kind: 'done', deferred };
    }
    const push = await this.push(run, last.sha);
    for (const entry of built) await this.markLanded(run, entry, entry.sha, 'landed', [], push);
    return { kind: 'done', deferred };
  }

  private async bring(run: Run, entry: Entry): Promise<{ ok: true; sha: string } | { ok: false; conflicts: string[] }> {
    const worktree = this.integrationPath;
    if (run.config.land.strategy === 'rebase') return rebaseOnto(worktree, entry.tip);
    return mergeOnto(worktree, entry.tip, `Land ${entry.task.id}: ${entry.task.title}\n\nmuxctl merged ${entry.branch} (${short(entry.tip)}).`);
  }

  private async push(run: Run, sha: string): Promise<LandResult['push']> {
    const remote = run.config.land.push;
    if (remote === null) return null;
    const pushed = await pushBase(run.config.repo, remote, sha, run.config.baseBranch);
    if (!pushed.ok) this.record(run, 'push-refused', [`could not push ${run.config.baseBranch} to ${remote} (never forced): it stays local`, pushed.said]);
    return pushed;
  }

  /** The store is told last: until then a rerun finds the branch contained and finishes the job. */
  private async markLanded(run: Run, entry: Entry, sha: string, outcome: 'landed' | 'already-landed', reasons: string[], push: LandResult['push']): Promise<void> {
    const applied = this.deps.store.apply(entry.task.id, { type: 'land', sha }, run.actor, this.deps.now());
    if (!applied.ok) {
      this.record(run, 'refuse', [`${entry.task.id} is on ${run.config.baseBranch} at ${short(sha)}, but the board refused to mark it landed: ${applied.error}`]);
      this.refuse(run, entry.task.id, applied.error);
      return;
    }
    const branch = await this.dropBranch(run, entry.branch);
    if (branch.state === 'kept') this.record(run, 'keep-branch', [`${entry.task.id}: ${branch.reason}`]);
    const pushed = push === null ? [] : [push.ok ? `pushed to ${run.config.land.push ?? ''}` : `push refused: ${push.said}`];
    run.results.push({ task: entry.task.id, outcome, sha, reasons: [...applied.event.reasons, ...reasons, ...pushed, branch.reason], branch: branch.state, push });
  }

  /**
   * The task branch goes only once git says the base contains it. A worker's worktree that still has it
   * checked out lets go of it first, if nothing there is uncommitted; otherwise it stays, and we say why.
   */
  private async dropBranch(run: Run, branch: string): Promise<{ state: 'deleted' | 'kept'; reason: string }> {
    const { git } = this.deps;
    const base = run.config.baseBranch;
    const kept = (why: string): { state: 'kept'; reason: string } => ({ state: 'kept', reason: `kept ${branch}: ${why}` });
    try {
      const tip = await git.resolveCommit(`refs/heads/${branch}`);
      if (tip === null) return { state: 'deleted', reason: `${branch} was already gone` };
      if (!(await git.isAncestor(tip, `refs/heads/${base}`))) return kept(`git does not see it contained in ${base}${run.config.land.strategy === 'rebase' ? ' (its commits were replayed)' : ''}`);
      const holder = await worktreeHolding(run.config.repo, branch);
      if (holder !== null) {
        const owner = await this.workerAt(run.config, holder);
        if (owner === null) return kept(`it is checked out in ${holder}, which is no worker's worktree`);
        const dirty = await git.dirtyFiles(holder);
        if (dirty.length > 0) return kept(`it is checked out in ${owner}'s worktree with ${plural(dirty.length, 'uncommitted file')}`);
        await git.releaseBranch(holder, workerBranch(owner));
      }
      const deleted = await git.deleteBranchIfMerged(branch, `refs/heads/${base}`);
      if (deleted === 'kept-unmerged') return kept(`it gained commits not in ${base}`);
      return { state: 'deleted', reason: `deleted ${branch}` };
    } catch (error) {
      return kept((error as Error).message);
    }
  }

  private async workerAt(config: ProjectConfig, path: string): Promise<string | null> {
    for (const worker of config.workers) if (await samePath(workerPath(config, worker.name), path)) return worker.name;
    return null;
  }

  private async bounceConflict(run: Run, entry: Entry, files: readonly string[]): Promise<void> {
    const base = run.config.baseBranch;
    const more = files.length > FILES_SHOWN ? ` and ${files.length - FILES_SHOWN} more` : '';
    const fix = run.config.land.strategy === 'rebase' ? `rebase ${entry.branch} onto ${base}` : `merge ${base} into ${entry.branch}`;
    await this.bounce(run, entry, 'conflict', [`${entry.branch} conflicts with ${base} in ${files.slice(0, FILES_SHOWN).join(', ')}${more}`, `${fix}, resolve them, and finish again`]);
  }

  private async bounceCheck(run: Run, entry: Entry, check: string, result: CheckRun): Promise<void> {
    const how = result.timedOut ? 'timed out' : `failed (exit ${result.exitCode ?? 'by signal'})`;
    const reasons = [`the land check \`${check}\` ${how} on ${entry.branch} brought onto ${run.config.baseBranch}`];
    if (result.tail !== '') reasons.push(`last lines of the check:\n${result.tail}`);
    await this.bounce(run, entry, 'check-failed', reasons, (next) => ({ outcome: { ...(next.outcome ?? { commits: 0 }), checkTail: result.tail } }));
  }

  /**
   * Back to the worker that did it, when it is still configured and free; to blocked otherwise (a worker
   * busy with another task must not hold two).
   */
  private async bounce(run: Run, entry: Entry, outcome: 'conflict' | 'check-failed', reasons: string[], annotate?: (task: Task) => TaskAnnotation): Promise<void> {
    const { store } = this.deps;
    const assignee = entry.task.assignee;
    const configured = assignee !== null && run.config.workers.some((worker) => worker.name === assignee);
    const busyWith = configured ? store.heldBy(assignee) : null;
    const worker = configured && busyWith === null ? assignee : null;
    const why = busyWith === null ? reasons : [...reasons, `${assignee ?? ''} is busy with ${busyWith.id}`];
    const command = { type: 'bounce', reasons: why, worker, leaseMs: run.config.tasks.leaseSeconds * 1000 } as const;
    const applied = store.apply(entry.task.id, command, run.actor, this.deps.now(), annotate);
    if (!applied.ok) {
      this.record(run, 'refuse', [`${entry.task.id} could not be sent back: ${applied.error}`, ...why]);
      this.refuse(run, entry.task.id, applied.error, ...why);
      return;
    }
    const sent = worker === null ? [] : await this.sendBack(applied.task);
    run.results.push({ task: entry.task.id, outcome, sha: null, reasons: [...applied.event.reasons, ...sent], branch: null, push: null });
  }

  /**
   * A host that cannot be reached does not hold the landing back: the branch as it came here when the
   * task was done is what its worker declared done, and it lands; the record says so.
   */
  private async bringBack(run: Run, task: Task): Promise<void> {
    if (this.deps.bringBack === undefined) return;
    try {
      const said = await this.deps.bringBack(task);
      if (said !== null) this.record(run, 'fetch', [`${task.id}: ${said}`]);
    } catch (error) {
      this.record(run, 'fetch-failed', [`${task.id}: could not take in ${task.branch ?? 'its branch'} from its worker's clone: ${(error as Error).message}; landing it as it came here when it was done`]);
    }
  }

  private async sendBack(task: Task): Promise<string[]> {
    if (this.deps.sendBack === undefined) return [];
    try {
      return [(await this.deps.sendBack(task)).message];
    } catch (error) {
      return [`could not send ${task.id} back: ${(error as Error).message}`];
    }
  }

  private async baseTip(config: ProjectConfig): Promise<string> {
    const sha = await this.deps.git.resolveCommit(`refs/heads/${config.baseBranch}`);
    if (sha === null) throw new BaseBranchMissingError(config.baseBranch, await this.deps.git.listBranches());
    return sha;
  }

  private skip(run: Run, task: string, why: string): void {
    run.results.push({ task, outcome: 'skipped', sha: null, reasons: [why], branch: null, push: null });
  }

  private refuse(run: Run, task: string, ...why: string[]): void {
    run.results.push({ task, outcome: 'refused', sha: null, reasons: why, branch: null, push: null });
  }

  /** Refusals and retries that are about the lander, not one task's move, go on the board's record. */
  private record(run: Run, action: string, reasons: string[]): void {
    this.deps.store.record({ time: this.deps.now(), actor: run.actor, kind: 'board', subject: 'lander', action, reasons });
  }
}

function actorLabel(actor: Actor): string {
  return actor.name === undefined || actor.name === '' ? actor.kind : `${actor.kind} ${actor.name}`;
}

function ids(entries: readonly Entry[]): string {
  return entries.map((entry) => entry.task.id).join(', ');
}

function short(sha: string | null): string {
  return sha === null ? '(nothing)' : sha.slice(0, 12);
}
