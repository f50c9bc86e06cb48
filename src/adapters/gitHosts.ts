/**
 * Commits between this repository and a host's clone, by git itself over the host's shared ssh
 * connection (SshHost.gitRemote): the base sent there before a task starts, a task branch sent there or
 * fetched back. Nothing is forced onto the host, and a branch brought back here moves by fast-forward
 * only; where the two copies went apart, this clone's tip is kept in a backup ref before it moves.
 */
import { GitCommandError } from '../core/parsers/gitErrors.js';
import type { Git } from './git.js';
import { lastLines, SshError } from './ssh.js';

/** An address git can push to and fetch from, and the environment that makes it ride the shared connection. */
export interface HostRemote {
  host: string;
  url: string;
  env: Record<string, string>;
}

/** What bringing a branch back did to this clone's copy of it. */
export type BroughtBack =
  | { state: 'absent' }
  | { state: 'same' | 'created' | 'fast-forward' | 'ahead-here'; sha: string }
  /** The copies went apart (the agent rewrote its branch there): this clone's tip is kept in `backup`. */
  | { state: 'replaced'; sha: string; backup: string };

/** Where a host's copy of a branch is kept here, before it is taken in. */
export function hostCopyRef(host: string, branch: string): string {
  return `refs/muxctl/hosts/${host}/heads/${branch}`;
}

/** `git push` of `refspecs` to the host's clone; refused (a branch that moved on there) is an error in git's words. */
export async function sendToHost(git: Git, remote: HostRemote, refspecs: readonly string[]): Promise<void> {
  const args = ['push', '--quiet', '--porcelain', '--no-verify', remote.url, ...refspecs];
  const result = await git.runner.run(git.path, args, { env: remote.env });
  if (result.exitCode === 0) return;
  throw failure(remote, args, result, `cannot send ${refspecs.join(', ')} to the clone on ${remote.host}`);
}

/**
 * Fetches `branch` from the host's clone into this clone's branch of the same name, as the rules above
 * say. A branch checked out in a worktree here is never moved under its files: that is an error.
 */
export async function bringBackFromHost(git: Git, remote: HostRemote, branch: string, holder: (branch: string) => Promise<string | null>, backupName: string): Promise<BroughtBack> {
  const copy = hostCopyRef(remote.host, branch);
  const args = ['fetch', '--quiet', '--no-tags', remote.url, `+refs/heads/${branch}:${copy}`];
  const result = await git.runner.run(git.path, args, { env: remote.env });
  if (result.exitCode !== 0) {
    if (/couldn't find remote ref/i.test(result.stderr)) return { state: 'absent' };
    throw failure(remote, args, result, `cannot fetch ${branch} from the clone on ${remote.host}`);
  }
  const there = await git.resolveCommit(copy);
  if (there === null) return { state: 'absent' };
  const ref = `refs/heads/${branch}`;
  const here = await git.resolveCommit(ref);
  if (here === there) return { state: 'same', sha: there };
  if (here !== null && (await git.isAncestor(there, here))) return { state: 'ahead-here', sha: here };
  const checkedOut = here === null ? null : await holder(branch);
  if (checkedOut !== null) throw new GitCommandError(args, 0, `${branch} is checked out in ${checkedOut} here`, `cannot take in ${branch} from ${remote.host}`);
  const forward = here === null || (await git.isAncestor(here, there));
  const backup = forward || here === null ? null : await git.backupRef(backupName, here);
  // A compare-and-swap on the tip read above: a commit made here meanwhile is never overwritten.
  await git.runner.runOk(git.path, ['update-ref', '-m', `muxctl: ${branch} from ${remote.host}`, ref, there, here ?? ''], `cannot move ${branch} to the copy from ${remote.host}`);
  if (backup !== null) return { state: 'replaced', sha: there, backup };
  return { state: here === null ? 'created' : 'fast-forward', sha: there };
}

/** ssh's own failure is the host's (unreachable, refused), said in ssh's words; anything else is git's. */
function failure(remote: HostRemote, args: readonly string[], result: { stderr: string; exitCode: number | undefined }, context: string): Error {
  if (/Could not read from remote repository|^ssh: |Connection (closed|refused|timed out)|Permission denied/m.test(result.stderr)) {
    return new SshError(remote.host, lastLines(result.stderr.replace(/^fatal: Could not read from remote repository\.$|^Please make sure you have the correct access rights$|^and the repository exists\.$/gm, '')));
  }
  return new GitCommandError(args, result.exitCode, result.stderr, context);
}
