/**
 * What git says about a task, never the record: its commits on the branch, whether it landed, what a
 * delivery should say (resume or start), and where the record and the tree disagree (the drift marks).
 */
import type { Git } from '../adapters/git.js';
import type { ProjectConfig } from '../core/config/config.js';
import { workerPath } from '../core/config/config.js';
import type { DeliveryContext } from '../core/rules/delivery.js';
import { drift } from '../core/rules/treeEvidence.js';
import type { Task } from '../core/rules/tasks.js';

export interface TreeFactsDeps {
  config: () => ProjectConfig;
  git: Git;
}

export class TreeFacts {
  constructor(private readonly deps: TreeFactsDeps) {}

  /** Commits on the task's branch since it was made (0 when it has none yet). */
  async commitsOnBranch(task: Task): Promise<number> {
    if (task.branch === null || !(await this.deps.git.branchExists(task.branch))) return 0;
    return this.deps.git.countCommits(task.baseSha ?? this.deps.config().baseBranch, task.branch);
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
    return (await this.deps.git.currentBranch(workerPath(this.deps.config(), worker)).catch(() => null)) === task.branch;
  }

  async dirtyFiles(worker: string): Promise<string[]> {
    return this.deps.git.dirtyFiles(workerPath(this.deps.config(), worker)).catch(() => []);
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
