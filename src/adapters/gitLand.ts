/**
 * The git side of the merge queue (issue 5): an integration worktree where task branches are brought onto
 * the base and checked, and the one step that moves the base — a fast-forward that either happens whole
 * or not at all. Nothing here rewrites a task branch, moves the base backwards, or force-pushes.
 */
import { existsSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { MuxctlError } from '../core/errors.js';
import { GitCommandError } from '../core/parsers/gitErrors.js';
import { parseWorktreeList } from '../core/parsers/gitFormat.js';
import { run, runOk } from './gitRun.js';

/** A branch brought onto the base in the integration worktree: the resulting commit, or the conflict. */
export type Integration = { ok: true; sha: string } | { ok: false; conflicts: string[]; said: string };

export type FastForward =
  | { ok: true; via: 'ref' | 'checkout'; checkout: string | null }
  /** The base is no longer at the commit the entry was built on: build it again on the new base. */
  | { ok: false; reason: 'moved'; now: string | null; said: string }
  /** The base is checked out in `checkout` and git would not move its files (local changes in the way). */
  | { ok: false; reason: 'checkout-refused'; checkout: string; said: string };

/**
 * Settings that would make a merge or rebase in the integration worktree do more than replay the task's
 * commits: stash, squash fixups, rewrite other branches (`--update-refs` would move the task branch
 * itself), or wait on a signing passphrase. Unknown keys are ignored by older git, so all are safe.
 */
const PLAIN = [
  '-c', 'commit.gpgsign=false',
  '-c', 'merge.autoStash=false',
  '-c', 'rebase.autoStash=false',
  '-c', 'rebase.autoSquash=false',
  '-c', 'rebase.updateRefs=false',
  '-c', 'rebase.rebaseMerges=false',
];

/**
 * Makes sure the integration worktree is registered at `path`, detached. One registered there is reused
 * whatever it holds (every entry resets it); one whose directory was deleted is pruned and made again.
 */
export async function ensureIntegrationWorktree(repo: string, path: string, at: string): Promise<'created' | 'reused'> {
  const target = await canonical(path);
  for (const entry of parseWorktreeList(await runOk(repo, ['worktree', 'list', '--porcelain'], 'cannot list the worktrees'))) {
    if ((await canonical(entry.path)) !== target) continue;
    if (!entry.prunable && (await isDirectory(entry.path))) return 'reused';
    await runOk(repo, ['worktree', 'prune'], `cannot prune the stale integration worktree ${path}`);
    break;
  }
  if ((await readdir(target).catch(() => [])).length > 0) {
    throw new MuxctlError(`${path} exists and is not a worktree of ${repo}: the lander needs it for its integration worktree; move it away`, 1);
  }
  await runOk(repo, ['worktree', 'add', '--detach', target, at], `cannot create the integration worktree ${path}`);
  return 'created';
}

/**
 * Puts the integration worktree at `sha` with nothing else in it: a merge or rebase left by a killed
 * lander is abandoned, HEAD is detached first (so no branch is ever moved by the reset), then the files.
 */
export async function resetIntegration(worktree: string, sha: string): Promise<void> {
  const context = `cannot reset the integration worktree ${worktree}`;
  await abandonRebase(worktree);
  await runOk(worktree, ['update-ref', '--no-deref', 'HEAD', sha], context);
  await runOk(worktree, ['reset', '--quiet', '--hard', sha], context);
  await runOk(worktree, ['clean', '-fdq'], context);
}

/** `merge --no-ff` of `commit` onto HEAD; on a conflict the files are named and the merge abandoned. */
export async function mergeOnto(worktree: string, commit: string, message: string): Promise<Integration> {
  const args = [...PLAIN, ...(await identityFallback(worktree)), 'merge', '--no-ff', '--no-edit', '--no-verify', '--no-gpg-sign', '--no-verify-signatures', '-m', message, commit];
  const result = await run(worktree, args);
  if (result.exitCode === 0) return { ok: true, sha: await head(worktree) };
  const conflicts = await unmergedFiles(worktree);
  await run(worktree, ['merge', '--abort']);
  if (conflicts.length === 0) throw new GitCommandError(args, result.exitCode, said(result), `cannot merge ${commit} in ${worktree}`);
  return { ok: false, conflicts, said: said(result) };
}

/**
 * Replays the commits of `commit` since its merge-base with HEAD onto HEAD, detached: the task branch
 * is named by its sha, never by its ref, so git has no branch to move. Commits whose change is already
 * on the base are dropped, so a replay of work that landed already ends at HEAD itself.
 */
export async function rebaseOnto(worktree: string, commit: string): Promise<Integration> {
  const onto = await head(worktree);
  const args = [...PLAIN, ...(await identityFallback(worktree)), 'rebase', '--quiet', '--no-verify', onto, commit];
  const result = await run(worktree, args);
  if (result.exitCode === 0) return { ok: true, sha: await head(worktree) };
  const conflicts = await unmergedFiles(worktree);
  await abandonRebase(worktree);
  if (conflicts.length === 0) throw new GitCommandError(args, result.exitCode, said(result), `cannot rebase ${commit} onto ${onto} in ${worktree}`);
  return { ok: false, conflicts, said: said(result) };
}

/**
 * Moves `base` from `expected` to `next`, a descendant, or not at all. Where the base is checked out (the
 * main checkout, usually) its files must follow, so git fast-forwards that checkout itself and refuses
 * when local changes are in the way; elsewhere a compare-and-swap on the ref. Either way a base that
 * moved since `expected` is never overwritten.
 */
export async function fastForwardBase(repo: string, base: string, next: string, expected: string): Promise<FastForward> {
  const ref = `refs/heads/${base}`;
  const checkout = await worktreeHolding(repo, base);
  if (checkout === null) {
    const result = await run(repo, ['update-ref', '-m', `muxctl land: fast-forward to ${next}`, ref, next, expected]);
    if (result.exitCode === 0) return { ok: true, via: 'ref', checkout: null };
    return moved(repo, ref, expected, said(result), () => {
      throw new GitCommandError(['update-ref', ref, next, expected], result.exitCode, said(result), `cannot move ${base}`);
    });
  }
  const before = await tip(repo, ref);
  if (before !== expected) return { ok: false, reason: 'moved', now: before, said: `${base} is at ${before ?? '(nothing)'}, not ${expected}` };
  const result = await run(checkout, ['-c', 'merge.autoStash=false', 'merge', '--quiet', '--ff-only', '--no-verify-signatures', next]);
  if (result.exitCode === 0) return { ok: true, via: 'checkout', checkout };
  return moved(repo, ref, expected, said(result), () => ({ ok: false, reason: 'checkout-refused', checkout, said: said(result) }));
}

/** `git push <remote> <sha>:refs/heads/<base>`, never forced: a remote that moved on refuses it. */
export async function pushBase(repo: string, remote: string, sha: string, base: string): Promise<{ ok: boolean; said: string }> {
  const result = await run(repo, ['push', '--quiet', '--porcelain', remote, `${sha}:refs/heads/${base}`]);
  return { ok: result.exitCode === 0, said: said(result) };
}

/** The worktree (its real path) that has `branch` checked out, or null. */
export async function worktreeHolding(repo: string, branch: string): Promise<string | null> {
  const entries = parseWorktreeList(await runOk(repo, ['worktree', 'list', '--porcelain'], 'cannot list the worktrees'));
  const holder = entries.find((entry) => entry.branch === branch && !entry.bare && !entry.prunable);
  return holder === undefined ? null : canonical(holder.path);
}

/** Whether two paths name the same place, symlinks resolved (git records real paths). */
export async function samePath(a: string, b: string): Promise<boolean> {
  return (await canonical(a)) === (await canonical(b));
}

async function moved(repo: string, ref: string, expected: string, why: string, otherwise: () => FastForward): Promise<FastForward> {
  const now = await tip(repo, ref);
  return now === expected ? otherwise() : { ok: false, reason: 'moved', now, said: why };
}

async function tip(repo: string, ref: string): Promise<string | null> {
  const result = await run(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

async function head(worktree: string): Promise<string> {
  return (await runOk(worktree, ['rev-parse', '--verify', 'HEAD^{commit}'], `cannot read HEAD in ${worktree}`)).trim();
}

async function unmergedFiles(worktree: string): Promise<string[]> {
  const out = await runOk(worktree, ['diff', '--name-only', '--diff-filter=U'], `cannot list the conflicts in ${worktree}`);
  return [...new Set(out.split('\n').filter((line) => line !== ''))];
}

/** A rebase stopped or killed midway is dropped; `--quit` leaves HEAD and files for the reset to handle. */
async function abandonRebase(worktree: string): Promise<void> {
  const dirs = await Promise.all(['rebase-merge', 'rebase-apply'].map(async (name) => resolve(worktree, (await runOk(worktree, ['rev-parse', '--git-path', name])).trim())));
  const inProgress = (await Promise.all(dirs.map(isDirectory))).some(Boolean);
  if (!inProgress) return;
  if ((await run(worktree, ['rebase', '--abort'])).exitCode === 0) return;
  await runOk(worktree, ['rebase', '--quit'], `cannot abandon the rebase in progress in ${worktree}`);
}

/** muxctl's own name only for what the repository leaves unset: a configured identity always wins. */
async function identityFallback(worktree: string): Promise<string[]> {
  const [name, email] = await Promise.all([run(worktree, ['config', 'user.name']), run(worktree, ['config', 'user.email'])]);
  return [...(name.exitCode === 0 ? [] : ['-c', 'user.name=muxctl']), ...(email.exitCode === 0 ? [] : ['-c', 'user.email=muxctl@localhost'])];
}

function said(result: { stdout: string; stderr: string; exitCode: number | undefined }): string {
  return [result.stderr.trim(), result.stdout.trim()].filter((text) => text !== '').join('\n') || `exit code ${result.exitCode ?? 'unknown'}`;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/** Real path as far as it exists, the rest appended, so a path not created yet compares equal too. */
async function canonical(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(await canonical(parent), basename(absolute));
  }
}

/** A merge or rebase left in progress, or changed files: what a landing killed half-way leaves. */
export async function integrationInterrupted(worktree: string): Promise<boolean> {
  const gitDir = await run(worktree, ['rev-parse', '--absolute-git-dir']);
  if (gitDir.exitCode !== 0) return true;
  const dir = gitDir.stdout.trim();
  for (const marker of ['MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD']) if (existsSync(join(dir, marker))) return true;
  const status = await run(worktree, ['status', '--porcelain', '--untracked-files=all']);
  return status.exitCode !== 0 || status.stdout.trim() !== '';
}

