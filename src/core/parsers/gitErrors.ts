/**
 * Errors from the git adapter, each with a message that says what to do next. They live in core
 * (no I/O) so control and the CLI can match on them without importing the adapter.
 */
import { MuxctlError } from '../errors.js';

export class GitMissingError extends MuxctlError {
  constructor(detail: string) {
    super(
      `git was not found (${detail}). Install it — Debian/Ubuntu: \`sudo apt-get install git\`, ` +
        'macOS: `xcode-select --install` or `brew install git`, others: https://git-scm.com/downloads — ' +
        'and make sure it is on PATH.',
    );
  }
}

export class GitTooOldError extends MuxctlError {
  constructor(have: string, need: string) {
    super(`git ${have} is too old: muxctl needs git ${need} or newer for worktrees. Upgrade git (https://git-scm.com/downloads).`);
  }
}

export class NotAGitRepoError extends MuxctlError {
  constructor(readonly path: string) {
    super(`${path} is not a git repository: run \`git init\` there, or point "repo" at one`);
  }
}

export class BaseBranchMissingError extends MuxctlError {
  constructor(
    readonly branch: string,
    readonly existing: readonly string[],
  ) {
    const have =
      existing.length === 0
        ? 'the repository has no branches yet: make a first commit'
        : `branches that exist: ${existing.join(', ')}`;
    super(`branch "${branch}" does not exist (${have}). Create it, or set "baseBranch" in the config to one of these.`);
  }
}

/** A git command failed in a way the adapter does not turn into something more specific. */
export class GitCommandError extends MuxctlError {
  constructor(
    readonly args: readonly string[],
    readonly gitExitCode: number | undefined,
    readonly stderr: string,
    context?: string,
  ) {
    const said = stderr.trim() || `exit code ${gitExitCode ?? 'unknown'}`;
    super(`${context ? `${context}: ` : ''}\`git ${args.join(' ')}\` failed: ${said}`);
  }
}

/** The branch cannot be deleted while a worktree has it checked out. */
export class BranchCheckedOutError extends MuxctlError {
  constructor(
    readonly branch: string,
    readonly worktreePath: string,
  ) {
    super(`branch "${branch}" is checked out in the worktree ${worktreePath}: remove that worktree first`);
  }
}

export class InvalidRefNameError extends MuxctlError {
  constructor(readonly ref: string) {
    super(`"${ref}" is not a valid git ref name (no spaces, "..", "~", "^", ":", "?", "*", "[" or "\\")`);
  }
}
