/**
 * The worktree commands: list, create (serialised across processes), read a worktree's facts, snapshot
 * its uncommitted work, remove it. Each takes the repository or the worktree as a directory; `Git` in
 * git.ts exposes them as methods, beside the branch, commit and ref commands.
 */
import { copyFile, mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { BaseBranchMissingError, GitCommandError, NotAGitRepoError } from '../core/parsers/gitErrors.js';
import { parseLeftRightCount, parseStatusZ, parseWorktreeList } from '../core/parsers/gitFormat.js';
import type { WorktreeEntry } from '../core/parsers/gitFormat.js';
import type { GitRunner } from './gitRun.js';
import { withLockFile } from './lockFile.js';

/** How long ensureWorktree waits for another muxctl process that is creating a worktree. */
const LOCK_WAIT_MS = 120_000;

export interface WorktreeFacts {
  branch: string | null;
  head: string;
  /** Porcelain paths with uncommitted changes, untracked files included. */
  dirty: string[];
  ahead: number;
  behind: number;
  /** HEAD is an ancestor of the base. */
  landed: boolean;
}

export interface WorktreeSpec {
  path: string;
  branch: string;
  base: string;
}

/** What creating a worktree asks of the repository's branches; `Git` is one. */
export interface BranchLookup {
  readonly path: string;
  branchExists(branch: string): Promise<boolean>;
  listBranches(): Promise<string[]>;
}

export async function listWorktrees(git: GitRunner, repo: string): Promise<WorktreeEntry[]> {
  return parseWorktreeList(await git.runOk(repo, ['worktree', 'list', '--porcelain']));
}

/**
 * Make sure a worktree is registered at `path`. One registered there already is reused as it is,
 * whatever branch it has checked out. Creation is serialised across processes by a lock file in the
 * git directory, because git itself is not safe here: two concurrent `worktree add` calls for one
 * path can both succeed and register it twice (measured on git 2.39).
 */
export async function ensureWorktree(git: GitRunner, repo: BranchLookup, { path, branch, base }: WorktreeSpec): Promise<'created' | 'reused'> {
  const target = git.host === null ? await canonicalPath(path) : path;
  const create = async (): Promise<'created' | 'reused'> => {
    for (let attempt = 1; ; attempt++) {
      const existing = await findWorktree(git, repo.path, target);
      if (existing && !existing.gone) return 'reused';
      // Deleted by hand: git still has it registered, and would refuse to add it again until pruned.
      if (existing?.gone) await git.runOk(repo.path, ['worktree', 'prune'], `cannot prune the stale worktree ${path}`);
      const branchThere = await repo.branchExists(branch);
      const args = branchThere
        ? ['worktree', 'add', target, branch]
        : // --no-track: a worker's branch must not get the base as its upstream.
          ['worktree', 'add', '--no-track', '-b', branch, target, base];
      const result = await git.run(repo.path, args);
      if (result.exitCode === 0) return 'created';
      // Asked only after a failure (one git call less a worker): a missing base gets its own plain error.
      if (!branchThere && !(await git.runYesNo(repo.path, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`]))) {
        throw new BaseBranchMissingError(base, await repo.listBranches());
      }
      // Someone outside muxctl (or a step of git we raced) may have just made it: look once more.
      if (attempt >= 2) throw new GitCommandError(args, result.exitCode, result.stderr, `cannot create the worktree ${path}`);
    }
  };
  // On a host, the lock file would be there, out of this process's reach: the caller's own lock for the
  // worker (Workers.start) keeps this machine's muxctl processes from racing on it, and the host's clone
  // belongs to this dashboard.
  if (git.host !== null) return create();
  const lockFile = join(await commonDir(git, repo.path), 'muxctl-worktree.lock');
  return withLockFile(lockFile, create, {
    waitMs: LOCK_WAIT_MS,
    busy: () =>
      new GitCommandError(['worktree', 'add'], undefined, `${lockFile} is held by another process`,
        `another muxctl has been creating a worktree for ${LOCK_WAIT_MS / 1000} s; if none is running, delete ${lockFile}`),
  });
}

/** Each fact is one git call; they run side by side and none of them takes a lock. */
export async function worktreeFacts(git: GitRunner, path: string, base: string): Promise<WorktreeFacts> {
  const context = `cannot read the state of the worktree ${path}`;
  const [branch, head, status, counts, landed] = await Promise.all([
    git.run(path, ['symbolic-ref', '--quiet', '--short', 'HEAD']).then((r) => (r.exitCode === 0 ? r.stdout.trim() : null)),
    git.runOk(path, ['rev-parse', '--verify', 'HEAD^{commit}'], context).then((out) => out.trim()),
    git.runOk(path, ['status', '--porcelain=v1', '-z', '--untracked-files=all'], context),
    git.runOk(path, ['rev-list', '--left-right', '--count', `${base}...HEAD`, '--'], `cannot compare ${path} with ${base}`),
    git.runYesNo(path, ['merge-base', '--is-ancestor', 'HEAD', base], `cannot compare ${path} with ${base}`),
  ]);
  const { ahead, behind } = parseLeftRightCount(counts);
  return { branch, head, dirty: parseStatusZ(status), ahead, behind, landed };
}

/**
 * A commit holding the worktree's full state — staged, unstaged and untracked (not ignored) files —
 * made without touching the worktree or its index: `add -A` goes into a copy of the index. Its parent
 * is HEAD, so `git diff <sha>^ <sha>` shows exactly the uncommitted work.
 */
export async function snapshotWorktree(git: GitRunner, path: string): Promise<string> {
  const context = `cannot snapshot the worktree ${path}`;
  if (git.host !== null) return snapshotOnHost(git, path, context);
  const realIndex = resolve(path, (await git.runOk(path, ['rev-parse', '--git-path', 'index'], context)).trim());
  const scratch = await mkdtemp(join(tmpdir(), 'muxctl-snapshot-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    // Starting from a copy keeps the stat data, so `add -A` rehashes only changed files.
    await copyFile(realIndex, env.GIT_INDEX_FILE).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error; // no index yet: an empty one is right
    });
    await git.runOk(path, ['add', '-A'], context, { env });
    const tree = (await git.runOk(path, ['write-tree'], context, { env })).trim();
    const parent = await git.run(path, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    const parentArgs = parent.exitCode === 0 ? ['-p', parent.stdout.trim()] : [];
    // --no-gpg-sign: a backup must never wait on a signing passphrase.
    const message = `muxctl snapshot of ${path}`;
    const sha = await git.runOk(path, ['commit-tree', '--no-gpg-sign', tree, ...parentArgs, '-m', message], context, { env: SNAPSHOT_IDENTITY });
    return sha.trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The same commit for a worktree on a host, whose index cannot be copied from here: a scratch index
 * beside the real one there, filled from HEAD (`read-tree`), then `add -A` as above. Slower (every file
 * hashed), the same commit: the working tree's whole state over HEAD. The scratch index is removed there.
 */
async function snapshotOnHost(git: GitRunner, path: string, context: string): Promise<string> {
  const realIndex = posix.resolve(path, (await git.runOk(path, ['rev-parse', '--git-path', 'index'], context)).trim());
  const env = { GIT_INDEX_FILE: `${realIndex}.muxctl-snapshot-${randomBytes(6).toString('hex')}` };
  try {
    const parent = await git.run(path, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    if (parent.exitCode === 0) await git.runOk(path, ['read-tree', 'HEAD'], context, { env });
    await git.runOk(path, ['add', '-A'], context, { env });
    const tree = (await git.runOk(path, ['write-tree'], context, { env })).trim();
    const parentArgs = parent.exitCode === 0 ? ['-p', parent.stdout.trim()] : [];
    const sha = await git.runOk(path, ['commit-tree', '--no-gpg-sign', tree, ...parentArgs, '-m', `muxctl snapshot of ${path} on ${git.host ?? 'this machine'}`], context, { env: SNAPSHOT_IDENTITY });
    return sha.trim();
  } finally {
    await git.removeScratch(env.GIT_INDEX_FILE);
  }
}

/** Who a snapshot commit is by: it is muxctl's, and must not need the person's identity to be set. */
const SNAPSHOT_IDENTITY = {
  GIT_AUTHOR_NAME: 'muxctl',
  GIT_AUTHOR_EMAIL: 'muxctl@localhost',
  GIT_COMMITTER_NAME: 'muxctl',
  GIT_COMMITTER_EMAIL: 'muxctl@localhost',
};

/** `worktree remove [--force]`. git also unregisters a worktree whose directory is already gone. */
export async function removeWorktree(git: GitRunner, repo: string, path: string, { force }: { force: boolean }): Promise<void> {
  const args = ['worktree', 'remove', ...(force ? ['--force'] : []), path];
  await git.runOk(repo, args, `cannot remove the worktree ${path}`);
}

export async function worktreeGitDir(git: GitRunner, path: string): Promise<string> {
  return (await git.runOk(path, ['rev-parse', '--absolute-git-dir'], `cannot find the git directory of ${path}`)).trim();
}

/**
 * `ls-files --others` without `--exclude-standard`: untracked and ignored files alike, each one listed
 * (an ignored directory too is walked; a nested repository shows as "dir/"). NUL-separated, so any name reads.
 */
export async function untrackedFiles(git: GitRunner, dir: string): Promise<string[]> {
  const out = await git.runOk(dir, ['ls-files', '-z', '--others'], `cannot list the untracked files of ${dir}`);
  return out.split('\0').filter((path) => path !== '');
}

/** A repository's git directory does not move while muxctl runs: asked once per repository, not once per worker. */
const commonDirs = new Map<string, Promise<string>>();

function commonDir(git: GitRunner, repo: string): Promise<string> {
  let known = commonDirs.get(repo);
  if (known === undefined) {
    known = git.run(repo, ['rev-parse', '--git-common-dir']).then((out) => {
      if (out.exitCode !== 0) throw new NotAGitRepoError(repo);
      return resolve(repo, out.stdout.trim());
    });
    // A failure is not remembered: the next call asks again (the repository may have been made since).
    known.catch(() => commonDirs.delete(repo));
    commonDirs.set(repo, known);
  }
  return known;
}

/** The worktree registered at `target` (already canonical), and whether its directory is gone. */
async function findWorktree(git: GitRunner, repo: string, target: string): Promise<{ entry: WorktreeEntry; gone: boolean } | null> {
  for (const entry of await listWorktrees(git, repo)) {
    // A host's paths are compared as written (the config's are normalized); its directories are git's to judge.
    if (git.host !== null) {
      if (entry.path === target) return { entry, gone: entry.prunable };
      continue;
    }
    if ((await canonicalPath(entry.path)) !== target) continue;
    const present = await stat(entry.path).then((s) => s.isDirectory(), () => false);
    // Old git never says "prunable", so the directory is checked here too.
    return { entry, gone: entry.prunable || !present };
  }
  return null;
}

/**
 * An absolute path with symlinks resolved as far as it exists, so `/tmp/x` and `/private/tmp/x`
 * (macOS), or a path not created yet, compare equal to what git recorded.
 */
async function canonicalPath(path: string): Promise<string> {
  const absolute = resolve(path);
  const rest: string[] = [];
  let head = absolute;
  for (;;) {
    try {
      return join(await realpath(head), ...rest.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return absolute;
      rest.push(basename(head));
      head = parent;
    }
  }
}

