/**
 * The restart and reassign guards (ARCHITECTURE.md §9, issue 4). One pure decision from facts the git
 * adapter and the store gather; the confirm dialog shows the decision and its reasons before anything
 * happens, and the reasons are recorded as the event. The rules, in the order they win:
 * a done or landed task never runs again; automatic restarts stop after their budget; a destructive reset
 * needs the worker's name typed and a backup ref; uncommitted work is never thrown away; commits or a
 * checkpoint mean resume, not start over.
 */
import type { RestartPolicy } from '../config/config.js';
import { isHeld, plural } from './tasks.js';
import type { Checkpoint, TaskState } from './tasks.js';

export interface RestartFacts {
  worker: string;
  /** The state of the worker's task, or null when it has none. */
  taskState: TaskState | null;
  dirtyFiles: string[];
  commitsAhead: number;
  /** The task branch is already contained in the base. */
  landed: boolean;
  /** Automatic restarts made so far in this crash loop. */
  attempts: number;
  maxAttempts: number;
  lastCheckpoint: Checkpoint | null;
  /** Asked for by the restart policy rather than by a person. */
  automatic: boolean;
  backoffBaseMs: number;
  /** The person asked to reset the worktree to the base. */
  destructive: boolean;
  /** What the person typed in the confirm dialog, or null before they typed anything. */
  confirmation: string | null;
}

export type RestartAction = 'idle' | 'restart-in-place' | 'resume' | 'fresh' | 'escalate' | 'reset-needs-confirmation';

export interface RestartDecision {
  action: RestartAction;
  reasons: string[];
  /** Save a backup ref of the worktree (commits and uncommitted files) before acting. */
  backupRef: boolean;
  /** Wait this long first: automatic restarts back off exponentially. */
  delayMs?: number;
}


/** The longest an automatic restart waits, however long the loop: a person should hear of it sooner. */
export const MAX_BACKOFF_MS = 10 * 60_000;

export function decideRestart(facts: RestartFacts): RestartDecision {
  const kept = keptWork(facts);
  if (facts.taskState === 'done' || facts.taskState === 'landed' || facts.landed) {
    const why = facts.taskState === 'done' ? 'the task is done' : facts.taskState === 'landed' ? 'the task is landed' : 'its branch already landed on the base';
    return { action: 'idle', reasons: [`${why}: it is never run again; the worker comes back idle`, ...kept], backupRef: false };
  }
  if (facts.taskState === null || !isHeld(facts.taskState)) {
    const why = facts.taskState === null ? 'the worker has no task' : `its task is ${facts.taskState}, so there is nothing to carry on`;
    return { action: 'idle', reasons: [`${why}; the worker comes back idle`, ...kept], backupRef: false };
  }
  if (facts.automatic && facts.attempts >= facts.maxAttempts) {
    return {
      action: 'escalate',
      reasons: [`${plural(facts.attempts, 'automatic restart')} of ${facts.maxAttempts} spent: escalating to a person instead of retrying`, ...kept],
      backupRef: false,
    };
  }
  const delay: { delayMs?: number } = facts.automatic ? { delayMs: backoff(facts.attempts, facts.backoffBaseMs) } : {};
  if (facts.destructive) {
    const losing = lost(facts);
    if (facts.confirmation !== facts.worker) {
      return {
        action: 'reset-needs-confirmation',
        reasons: [`resetting ${facts.worker} to the base discards ${losing}`, `type ${facts.worker} to confirm; a backup ref is saved first`],
        backupRef: true,
      };
    }
    return { action: 'fresh', reasons: [`reset to the base, confirmed by typing ${facts.worker}; ${losing} saved in a backup ref first`], backupRef: true, ...delay };
  }
  if (facts.dirtyFiles.length > 0) {
    return { action: 'restart-in-place', reasons: [`restarting in place: nothing is reset`, ...kept], backupRef: false, ...delay };
  }
  if (kept.length > 0) return { action: 'resume', reasons: [`resuming, not starting over`, ...kept], backupRef: false, ...delay };
  return { action: 'fresh', reasons: ['nothing done yet on the branch: starting the task from the beginning'], backupRef: false, ...delay };
}

/** What the restart policy looks at for one worker, once a tick. */
export interface PolicyFacts {
  policy: RestartPolicy;
  /** What the person asked of the worker; null when muxctl has no record of it (never started). */
  desired: 'running' | 'stopped' | null;
  /** The worker's health state now, and since when (epoch ms), with its evidence. */
  state: string;
  since: number | null;
  evidence: string;
  attempts: number;
  maxAttempts: number;
  backoffBaseMs: number;
  now: number;
}

export type PolicyDecision =
  | { action: 'none'; reason: string; /** The policy wants a restart but its budget is spent. */ spent?: true }
  | { action: 'wait'; reason: string; delayMs: number }
  | { action: 'restart'; reason: string; delayMs: number };

/**
 * The restart policy: whether a crashed (or, for `always`, exited) worker is restarted now, waits out
 * its backoff, or is left alone (stopped by a person, budget spent). The wait is `backoff()`, capped:
 * the same figure `decideRestart` reports as `delayMs`.
 */
export function decidePolicyRestart(facts: PolicyFacts): PolicyDecision {
  const { policy, state } = facts;
  if (facts.desired !== 'running') return { action: 'none', reason: facts.desired === 'stopped' ? 'stopped by a person' : 'never started' };
  const wants = (policy === 'on-failure' && state === 'crashed') || (policy === 'always' && (state === 'crashed' || state === 'exited'));
  if (!wants) return { action: 'none', reason: `policy ${policy} does not restart a worker that is ${state}` };
  if (facts.attempts >= facts.maxAttempts) return { action: 'none', reason: `${plural(facts.attempts, 'automatic restart')} of ${facts.maxAttempts} spent`, spent: true };
  const delayMs = backoff(facts.attempts, facts.backoffBaseMs);
  const reason = `restart policy ${policy}: ${facts.evidence} (attempt ${facts.attempts + 1}/${facts.maxAttempts})`;
  if (facts.since !== null && facts.now - facts.since < delayMs) return { action: 'wait', reason, delayMs: delayMs - (facts.now - facts.since) };
  return { action: 'restart', reason, delayMs };
}

/** base, 2·base, 4·base … for restart 1, 2, 3 …, capped so a long budget never waits for hours. */
export function backoff(attempts: number, baseMs: number): number {
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempts));
}

/** The work a restart keeps, in words for the confirm dialog. */
function keptWork(facts: RestartFacts): string[] {
  const kept: string[] = [];
  const dirty = facts.dirtyFiles;
  if (dirty.length > 0) {
    const more = dirty.length > 3 ? ` and ${dirty.length - 3} more` : '';
    kept.push(`${plural(dirty.length, 'uncommitted file')} kept in the worktree (${dirty.slice(0, 3).join(', ')}${more})`);
  }
  if (facts.commitsAhead > 0) kept.push(`${plural(facts.commitsAhead, 'commit')} ahead of the base`);
  const point = facts.lastCheckpoint;
  if (point !== null) {
    const said = [point.step, point.sha, point.note].filter((part) => part !== undefined).join(', ');
    kept.push(`last checkpoint${said ? `: ${said}` : ''}`);
  }
  return kept;
}

function lost(facts: RestartFacts): string {
  const parts: string[] = [];
  if (facts.dirtyFiles.length > 0) parts.push(plural(facts.dirtyFiles.length, 'uncommitted file'));
  if (facts.commitsAhead > 0) parts.push(plural(facts.commitsAhead, 'commit'));
  return parts.length > 0 ? parts.join(' and ') : 'nothing uncommitted or ahead';
}

export interface ReassignFacts {
  task: { id: string; state: TaskState; lane: string; branch: string | null };
  from: { name: string; lane: string };
  to: { name: string; lane: string; busyWith: string | null };
  /** Uncommitted files in the old worker's worktree. */
  dirtyFiles: string[];
  landed: boolean;
  /** The person's choice for uncommitted work: commit it as a WIP checkpoint, or refuse the move. */
  onDirty: 'commit-wip' | 'refuse';
  /** The person already said yes to moving the task to a worker of another lane. */
  laneConfirmed: boolean;
}

export type ReassignStep = 'commit-wip' | 'release-branch' | 'checkout' | 'resume';

export interface ReassignDecision {
  action: 'move' | 'refuse' | 'ask-lane';
  /** What the move does, in order; also set for ask-lane so the dialog shows what would happen. */
  steps: ReassignStep[];
  reasons: string[];
}

export function decideReassign(facts: ReassignFacts): ReassignDecision {
  const { task, from, to } = facts;
  const refusals: string[] = [];
  if (!isHeld(task.state)) {
    const hint = task.state === 'queued' ? '; assign it instead' : task.state === 'done' ? '; a done task is never run again' : '';
    refusals.push(`${task.id} is ${task.state}, not claimed or running${hint}`);
  }
  if (facts.landed) refusals.push(`${task.id}'s branch already landed on the base; mark it done instead of moving it`);
  if (to.name === from.name) refusals.push(`${task.id} is already ${from.name}'s`);
  if (to.busyWith !== null) refusals.push(`${to.name} is busy with ${to.busyWith}`);
  if (task.branch === null) refusals.push(`${task.id} has no branch to move`);
  const dirty = facts.dirtyFiles.length;
  if (dirty > 0 && facts.onDirty === 'refuse') {
    refusals.push(`${from.name} has ${plural(dirty, 'uncommitted file')}; commit them or allow a WIP checkpoint`);
  }
  if (refusals.length > 0) return { action: 'refuse', steps: [], reasons: refusals };

  const steps: ReassignStep[] = dirty > 0 ? ['commit-wip', 'release-branch', 'checkout', 'resume'] : ['release-branch', 'checkout', 'resume'];
  const reasons = [
    ...(dirty > 0 ? [`${plural(dirty, 'uncommitted file')} of ${from.name} committed to ${task.branch ?? ''} as a WIP checkpoint`] : []),
    `${to.name} checks out ${task.branch ?? ''} and resumes ${task.id}`,
  ];
  if (to.lane !== task.lane && !facts.laneConfirmed) {
    return { action: 'ask-lane', steps, reasons: [`${to.name} is in lane ${to.lane}, ${task.id} is in lane ${task.lane}: move it anyway?`, ...reasons] };
  }
  return { action: 'move', steps, reasons };
}
