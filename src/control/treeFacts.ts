/**
 * What git says about a task, never the record: its commits on the branch, whether it landed, what a
 * delivery should say (resume or start), and where the record and the tree disagree (the drift marks).
 */
import type { Git } from '../adapters/git.js';
import type { ProjectConfig } from '../core/config/config.js';
import { workerPath } from '../core/config/config.js';
import type { DeliveryContext } from '../core/rules/delivery.js';
import { drift } from '../core/rules/treeEvidence.js';
import { isHeld, type Task } from '../core/rules/tasks.js';
import type { HostBranches } from './hostBranches.js';

export interface TreeFactsDeps {
  config: () => ProjectConfig;
  /** This repository: the board's copy of every task branch. */
  git: Git;
  /** The clone `worker`'s worktree belongs to: this repository, or its host's. */
  gitOf: (worker: string) => Git;
  hosts: Pick<HostBranches, 'baseFor'>;
}

export class TreeFacts {
  constructor(private readonly deps: TreeFactsDeps) {}

  /**
   * Commits on the task's branch since it was made (0 when it has none yet), as the clone of the worker
   * holding it has them: a held task on a host is counted there, where its worker commits.
   */
  async commitsOnBranch(task: Task): Promise<number> {
    const holder = task.assignee !== null && isHeld(task.state) ? task.assignee : null;
    const git = holder === null ? this.deps.git : this.deps.gitOf(holder);
    if (task.branch === null || !(await git.branchExists(task.branch))) return 0;
    return git.countCommits(task.baseSha ?? (holder === null ? this.deps.config().baseBranch : this.deps.hosts.baseFor(holder)), task.branch);
  }

  /** The task's branch moved past where it started and is contained in the base. */
  async landed(task: Task): Promise<boolean> {
    if (task.branch === null || task.baseSha === null) return false;
    const tip = await this.deps.git.resolveCommit(task.branch);
    if (tip === null || tip === task.baseSha) return false;
    return this.deps.git.isAncestor(tip, this.deps.config().baseBranch);
  }

  /** Whether `worker`'s worktree has the task's branch checked out now. */
  async onBranch(task: Task, worker: string): Promise<boolean> {
    if (task.branch === null) return false;
    return (await this.deps.gitOf(worker).currentBranch(workerPath(this.deps.config(), worker)).catch(() => null)) === task.branch;
  }

  async dirtyFiles(worker: string): Promise<string[]> {
    return this.deps.gitOf(worker).dirtyFiles(workerPath(this.deps.config(), worker)).catch(() => []);
  }

  /** What a delivery tells the agent: resume (commits or a checkpoint to start from) or start. */
  async deliveryContext(task: Task, why?: string): Promise<DeliveryContext> {
    const commitsOnBranch = await this.commitsOnBranch(task);
    const resume = commitsOnBranch > 0 || task.checkpoints.length > 0;
    return { resume, commitsOnBranch, ...(why === undefined ? {} : { why: `${why}.` }) };
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
      const here = task.assignee !== null && (await this.onBranch(task, task.assignee));
      const tree = {
        dirtyFiles: here && task.assignee !== null ? await this.dirtyFiles(task.assignee) : [],
        checkPassed: null,
        commitsOnBranch: await this.commitsOnBranch(task).catch(() => 0),
        landed: await this.landed(task).catch(() => false),
      };
      const found = drift(task, tree);
      if (found.length > 0) findings[task.id] = found;
    }
    return findings;
  }
}
