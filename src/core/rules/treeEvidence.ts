/**
 * What the tree says against what a task says: a task is done only when the tree agrees, and the board
 * shows drift when a task and its tree part ways later.
 */
import { plural, type FinishEvidence, type Task } from './tasks.js';

/** Done means the tree agrees: the check passed, the work is committed on the task branch, nothing is dirty. */
export function finishDisagreements(task: Task, evidence: FinishEvidence): string[] {
  const reasons: string[] = [];
  if (task.check !== null && evidence.checkPassed === false) reasons.push(`the acceptance check \`${task.check}\` failed`);
  if (task.check !== null && evidence.checkPassed === null) reasons.push(`the acceptance check \`${task.check}\` was not run`);
  if (evidence.dirtyFiles.length > 0) reasons.push(`${uncommitted(evidence.dirtyFiles)} left in the worktree`);
  if (task.branch === null) reasons.push('the task has no branch to commit its work on');
  else if (evidence.commitsOnBranch <= 0) reasons.push(`no commits on branch ${task.branch}`);
  return reasons;
}

/** What the tree says about a task, gathered by the git adapter for the board's drift column. */
export interface TreeFacts {
  dirtyFiles: string[];
  /** null when the check has not been re-run since. */
  checkPassed: boolean | null;
  commitsOnBranch: number;
  /** The task branch is contained in the base. */
  landed: boolean;
}

/** The board's drift findings: a done task the tree disagrees with, or an open task whose work already landed. */
export function drift(task: Task, tree: TreeFacts): string[] {
  if (task.state === 'canceled') return [];
  // A landed task's work is on the base; a rebased branch is never contained, and that is no drift.
  if (task.state === 'landed') return [];
  if (task.state !== 'done') {
    return tree.landed && task.branch !== null ? [`${task.id} is ${task.state} but its branch ${task.branch} already landed on the base`] : [];
  }
  const reasons: string[] = [];
  if (tree.dirtyFiles.length > 0) reasons.push(`${task.id} is done but ${uncommitted(tree.dirtyFiles)} in the worktree`);
  if (tree.checkPassed === false && task.check !== null) reasons.push(`${task.id} is done but \`${task.check}\` fails now`);
  if (!tree.landed && tree.commitsOnBranch <= 0) reasons.push(`${task.id} is done but its work is neither on ${task.branch ?? 'a branch'} nor landed`);
  return reasons;
}

const PATHS_SHOWN = 3;

function uncommitted(files: readonly string[]): string {
  const more = files.length > PATHS_SHOWN ? ` and ${files.length - PATHS_SHOWN} more` : '';
  return `${plural(files.length, 'uncommitted file')} (${files.slice(0, PATHS_SHOWN).join(', ')}${more})`;
}
