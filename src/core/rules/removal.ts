/**
 * The removal guard (ARCHITECTURE.md §6): a worktree holding uncommitted changes or commits that are
 * not on the base is never removed without an explicit force, and a forced removal is always preceded
 * by a backup ref. Pure: the facts come from the git adapter, the decision is made here.
 */

export interface RemovalFacts {
  /** Paths from `git status --porcelain`, untracked files included. */
  dirty: readonly string[];
  /** Commits on the worktree's HEAD that are not on the base. */
  ahead: number;
  /** HEAD is an ancestor of the base (its work has landed). */
  landed: boolean;
  /** The worktree is registered and its directory is present. */
  exists: boolean;
}

export interface RemovalDecision {
  action: 'remove' | 'refuse' | 'nothing';
  /** Write a backup ref (snapshot of the full worktree state) before removing. */
  backup: boolean;
  /** What would be lost, in words a person can act on; empty when nothing would be. */
  reasons: string[];
}

/** How many dirty paths a reason names before it says "and N more". */
const PATHS_SHOWN = 3;

export function decideRemoval(facts: RemovalFacts, opts: { force: boolean }): RemovalDecision {
  if (!facts.exists) return { action: 'nothing', backup: false, reasons: ['there is no worktree to remove'] };
  const reasons = risksOf(facts);
  if (reasons.length === 0) return { action: 'remove', backup: false, reasons };
  if (opts.force) return { action: 'remove', backup: true, reasons };
  return { action: 'refuse', backup: false, reasons };
}

function risksOf(facts: RemovalFacts): string[] {
  const reasons: string[] = [];
  const dirtyCount = facts.dirty.length;
  if (dirtyCount > 0) {
    const shown = facts.dirty.slice(0, PATHS_SHOWN).join(', ');
    const more = dirtyCount > PATHS_SHOWN ? ` and ${dirtyCount - PATHS_SHOWN} more` : '';
    reasons.push(`${plural(dirtyCount, 'file')} with uncommitted changes (${shown}${more})`);
  }
  if (facts.ahead > 0) {
    reasons.push(`${plural(facts.ahead, 'commit')} not on the base branch`);
  } else if (!facts.landed) {
    // Facts are gathered by separate git calls; if they disagree (a commit landed between them),
    // the cautious reading wins: HEAD not on the base means there may be work to lose.
    reasons.push('HEAD is not on the base branch');
  }
  return reasons;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
