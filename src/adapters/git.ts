/**
 * All communication with the git binary happens here (ARCHITECTURE.md §3, §6). Every call is
 * `git -C <dir> <argv…>` through execa with an argv array — never a shell — and returns typed
 * facts; the decisions made on them live in src/core (removal.ts) and the text formats in
 * src/core/parsers/gitFormat.ts.
 */
import { execa } from 'execa';
import { appendFile, copyFile, mkdir, mkdtemp, open, readFile, realpath, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BaseBranchMissingError,
  BranchCheckedOutError,
  GitCommandError,
  GitMissingError,
  GitTooOldError,
  InvalidRefNameError,
  NotAGitRepoError,
} from '../core/parsers/gitErrors.js';
import { parseGitVersion, parseLeftRightCount, parseStatusZ, parseWorktreeList, versionAtLeast } from '../core/parsers/gitFormat.js';
import type { WorktreeEntry } from '../core/parsers/gitFormat.js';
import { pidAlive } from './process.js';

/** `worktree remove` arrived in git 2.17; everything else used here is older. */
const MIN_VERSION = [2, 17, 0] as const;

/** How long ensureWorktree waits for another muxctl process that is creating a worktree. */
const LOCK_WAIT_MS = 120_000;

export type { WorktreeEntry };

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

interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
}

interface RunOptions {
  env?: Record<string, string>;
}

/** Variables that would point git at another repository, index or object store than `-C` says. */
const LOCATING_VARS = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !LOCATING_VARS.includes(key)) env[key] = value;
  }
  // Never wait on a credential prompt nobody can see; never take the index lock just to refresh stat
  // data while an agent is committing in the same worktree.
  env['GIT_TERMINAL_PROMPT'] = '0';
  env['GIT_OPTIONAL_LOCKS'] = '0';
  return { ...env, ...extra };
}

/** Run git in `dir`; a failure to start git at all becomes GitMissingError, anything else is returned. */
export async function run(dir: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execa('git', ['-C', dir, ...args], {
    reject: false,
    stdin: 'ignore',
    extendEnv: false,
    env: gitEnv(options.env),
  });
  if (result.exitCode === undefined && result.code === 'ENOENT') throw new GitMissingError('no `git` on PATH');
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
}

/** Run git and return stdout, or throw GitCommandError carrying git's own words. */
export async function runOk(dir: string, args: readonly string[], context?: string, options: RunOptions = {}): Promise<string> {
  const result = await run(dir, args, options);
  if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr, context);
  return result.stdout;
}

/** For yes/no commands (exit 0 = yes, 1 = no); anything else is a real failure, not a "no". */
async function runYesNo(dir: string, args: readonly string[], context?: string): Promise<boolean> {
  const result = await run(dir, args);
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw new GitCommandError(args, result.exitCode, result.stderr, context);
}

export class Git {
  /** @param path the repository (its main checkout, or any directory inside it) */
  constructor(readonly path: string) {}

  /** The installed git's version, e.g. "2.39.5"; throws if git is missing or too old for worktrees. */
  static async version(): Promise<string> {
    const out = await runOk('/', ['--version']); // '/' always exists; the cwd may have been deleted
    const version = parseGitVersion(out);
    if (!version) throw new GitMissingError(`\`git --version\` printed ${JSON.stringify(out)}`);
    const text = version.join('.');
    if (!versionAtLeast(version, MIN_VERSION)) throw new GitTooOldError(text, MIN_VERSION.join('.'));
    return text;
  }

  /**
   * A new repository for the demo: `branch` as its first branch, a README commit, and an identity set
   * in that repository only so the demo works on a machine with no git identity configured.
   */
  static async initScratchRepo(path: string, branch: string): Promise<void> {
    await mkdir(path, { recursive: true });
    await runOk(path, ['init', '-q']);
    // symbolic-ref rather than `init -b`, which needs git 2.28.
    await runOk(path, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
    await runOk(path, ['config', 'user.name', 'muxctl demo']);
    await runOk(path, ['config', 'user.email', 'demo@muxctl.invalid']);
    await runOk(path, ['config', 'commit.gpgsign', 'false']);
    await writeFile(join(path, 'README.md'), '# muxctl demo\n\nA scratch repository the demo workers share.\n');
    await runOk(path, ['add', 'README.md']);
    await runOk(path, ['commit', '-q', '--no-verify', '-m', 'Initial commit']);
  }

  async repoRoot(): Promise<string> {
    const result = await run(this.path, ['rev-parse', '--show-toplevel']);
    if (result.exitCode !== 0) throw new NotAGitRepoError(this.path);
    return result.stdout.trim();
  }

  async hasCommits(): Promise<boolean> {
    return runYesNo(this.path, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  }

  async branchExists(branch: string): Promise<boolean> {
    return runYesNo(this.path, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`]);
  }

  async listBranches(): Promise<string[]> {
    const out = await runOk(this.path, ['for-each-ref', '--format=%(refname:short)', 'refs/heads']);
    return out.split('\n').filter((line) => line !== '');
  }

  async requireBranch(branch: string): Promise<void> {
    if (await this.branchExists(branch)) return;
    throw new BaseBranchMissingError(branch, await this.listBranches());
  }

  async listWorktrees(): Promise<WorktreeEntry[]> {
    return parseWorktreeList(await runOk(this.path, ['worktree', 'list', '--porcelain']));
  }

  /**
   * Make sure a worktree is registered at `path`. One registered there already is reused as it is,
   * whatever branch it has checked out. Creation is serialised across processes by a lock file in the
   * git directory, because git itself is not safe here: two concurrent `worktree add` calls for one
   * path can both succeed and register it twice (measured on git 2.39).
   */
  async ensureWorktree({ path, branch, base }: { path: string; branch: string; base: string }): Promise<'created' | 'reused'> {
    const target = await canonicalPath(path);
    const lockFile = join(await this.commonDir(), 'muxctl-worktree.lock');
    return withLockFile(lockFile, async () => {
      for (let attempt = 1; ; attempt++) {
        const existing = await this.findWorktree(target);
        if (existing && !existing.gone) return 'reused';
        // Deleted by hand: git still has it registered, and would refuse to add it again until pruned.
        if (existing?.gone) await runOk(this.path, ['worktree', 'prune'], `cannot prune the stale worktree ${path}`);
        const branchThere = await this.branchExists(branch);
        if (!branchThere && !(await runYesNo(this.path, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`]))) {
          throw new BaseBranchMissingError(base, await this.listBranches());
        }
        const args = branchThere
          ? ['worktree', 'add', target, branch]
          : // --no-track: a worker's branch must not get the base as its upstream.
            ['worktree', 'add', '--no-track', '-b', branch, target, base];
        const result = await run(this.path, args);
        if (result.exitCode === 0) return 'created';
        // Someone outside muxctl (or a step of git we raced) may have just made it: look once more.
        if (attempt >= 2) throw new GitCommandError(args, result.exitCode, result.stderr, `cannot create the worktree ${path}`);
      }
    });
  }

  /** Each fact is one git call; they run side by side and none of them takes a lock. */
  async worktreeFacts(path: string, base: string): Promise<WorktreeFacts> {
    const context = `cannot read the state of the worktree ${path}`;
    const [branch, head, status, counts, landed] = await Promise.all([
      run(path, ['symbolic-ref', '--quiet', '--short', 'HEAD']).then((r) => (r.exitCode === 0 ? r.stdout.trim() : null)),
      runOk(path, ['rev-parse', '--verify', 'HEAD^{commit}'], context).then((out) => out.trim()),
      runOk(path, ['status', '--porcelain=v1', '-z', '--untracked-files=all'], context),
      runOk(path, ['rev-list', '--left-right', '--count', `${base}...HEAD`, '--'], `cannot compare ${path} with ${base}`),
      runYesNo(path, ['merge-base', '--is-ancestor', 'HEAD', base], `cannot compare ${path} with ${base}`),
    ]);
    const { ahead, behind } = parseLeftRightCount(counts);
    return { branch, head, dirty: parseStatusZ(status), ahead, behind, landed };
  }

  /**
   * A commit holding the worktree's full state — staged, unstaged and untracked (not ignored) files —
   * made without touching the worktree or its index: `add -A` goes into a copy of the index. Its parent
   * is HEAD, so `git diff <sha>^ <sha>` shows exactly the uncommitted work.
   */
  async snapshotWorktree(path: string): Promise<string> {
    const context = `cannot snapshot the worktree ${path}`;
    const realIndex = resolve(path, (await runOk(path, ['rev-parse', '--git-path', 'index'], context)).trim());
    const scratch = await mkdtemp(join(tmpdir(), 'muxctl-snapshot-'));
    try {
      const env = { GIT_INDEX_FILE: join(scratch, 'index') };
      // Starting from a copy keeps the stat data, so `add -A` rehashes only changed files.
      await copyFile(realIndex, env.GIT_INDEX_FILE).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error; // no index yet: an empty one is right
      });
      await runOk(path, ['add', '-A'], context, { env });
      const tree = (await runOk(path, ['write-tree'], context, { env })).trim();
      const parent = await run(path, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
      const parentArgs = parent.exitCode === 0 ? ['-p', parent.stdout.trim()] : [];
      const identity = {
        GIT_AUTHOR_NAME: 'muxctl',
        GIT_AUTHOR_EMAIL: 'muxctl@localhost',
        GIT_COMMITTER_NAME: 'muxctl',
        GIT_COMMITTER_EMAIL: 'muxctl@localhost',
      };
      // --no-gpg-sign: a backup must never wait on a signing passphrase.
      const message = `muxctl snapshot of ${path}`;
      const sha = await runOk(path, ['commit-tree', '--no-gpg-sign', tree, ...parentArgs, '-m', message], context, { env: identity });
      return sha.trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Point `refs/muxctl/backup/<name>/<UTC timestamp>` at `sha` and return the ref. Created only if new
   * (`update-ref <ref> <sha> ""`), so a backup is never overwritten; a same-millisecond clash gets a suffix.
   */
  async backupRef(name: string, sha: string, now: Date = new Date()): Promise<string> {
    const stamp = now.toISOString().replace(/[-:]/g, ''); // 20250102T030405.678Z: ':' is not allowed in refs
    const base = `refs/muxctl/backup/${name}/${stamp}`;
    if (!(await runYesNo(this.path, ['check-ref-format', base]))) throw new InvalidRefNameError(base);
    for (let n = 1; n <= 20; n++) {
      const ref = n === 1 ? base : `${base}-${n}`;
      const result = await run(this.path, ['update-ref', ref, sha, '']);
      if (result.exitCode === 0) return ref;
      const taken = await runYesNo(this.path, ['show-ref', '--verify', '--quiet', ref]);
      if (!taken) throw new GitCommandError(['update-ref', ref, sha, ''], result.exitCode, result.stderr, 'cannot write the backup ref');
    }
    throw new GitCommandError(['update-ref', base, sha], undefined, 'twenty backup refs already exist for this instant', 'cannot write the backup ref');
  }

  /** `worktree remove [--force]`. git also unregisters a worktree whose directory is already gone. */
  async removeWorktree(path: string, { force }: { force: boolean }): Promise<void> {
    const args = ['worktree', 'remove', ...(force ? ['--force'] : []), path];
    await runOk(this.path, args, `cannot remove the worktree ${path}`);
  }

  /**
   * Delete `branch` only if every commit on it is already on `base`. `branch -d` judges "merged" against
   * the main checkout's HEAD, which may be another branch than the base; when it refuses a branch we have
   * proved is on the base, the ref is deleted with a compare-and-swap on the sha we checked, so a commit
   * made in between is never lost. Never `branch -D`.
   */
  async deleteBranchIfMerged(branch: string, base: string): Promise<'deleted' | 'kept-unmerged' | 'absent'> {
    const ref = `refs/heads/${branch}`;
    const tip = await run(this.path, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    if (tip.exitCode !== 0) return 'absent';
    const sha = tip.stdout.trim();
    if (!(await runYesNo(this.path, ['merge-base', '--is-ancestor', sha, base], `cannot compare ${branch} with ${base}`))) {
      return 'kept-unmerged';
    }
    const holder = (await this.listWorktrees()).find((w) => w.branch === branch);
    if (holder) throw new BranchCheckedOutError(branch, holder.path);
    if ((await run(this.path, ['branch', '-d', branch])).exitCode === 0) return 'deleted';
    await runOk(this.path, ['update-ref', '-d', ref, sha], `cannot delete the branch ${branch}`);
    return 'deleted';
  }

  // ── Task branches (issue 4): a task's work lives on its own branch, which moves between worktrees ──

  /** The commit `rev` names, or null when it names none. */
  async resolveCommit(rev: string, dir: string = this.path): Promise<string | null> {
    const result = await run(dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  /** Paths with uncommitted changes in a worktree, untracked files included. */
  async dirtyFiles(worktree: string): Promise<string[]> {
    return parseStatusZ(await runOk(worktree, ['status', '--porcelain=v1', '-z', '--untracked-files=all'], `cannot read the state of ${worktree}`));
  }

  async currentBranch(worktree: string): Promise<string | null> {
    const result = await run(worktree, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  /** Commits on `to` that `from` does not have. */
  async countCommits(from: string, to: string): Promise<number> {
    const out = await runOk(this.path, ['rev-list', '--count', `${from}..${to}`, '--'], `cannot count the commits from ${from} to ${to}`);
    return Number.parseInt(out.trim(), 10) || 0;
  }

  async isAncestor(commit: string, of: string): Promise<boolean> {
    return runYesNo(this.path, ['merge-base', '--is-ancestor', commit, of], `cannot compare ${commit} with ${of}`);
  }

  /**
   * Checks out a task's branch in a worktree, creating it from the base the first time. Returns the
   * commit the branch started from when it was created here (null when it existed already). git refuses
   * a branch checked out in another worktree: the caller lets go of it there first.
   */
  async checkoutTaskBranch(worktree: string, branch: string, base: string): Promise<{ created: boolean; baseSha: string | null }> {
    const context = `cannot check out ${branch} in ${worktree}`;
    if (await this.branchExists(branch)) {
      await runOk(worktree, ['switch', '--quiet', branch], context);
      return { created: false, baseSha: null };
    }
    const baseSha = await this.resolveCommit(base);
    if (baseSha === null) throw new BaseBranchMissingError(base, await this.listBranches());
    // --no-track: the task branch must not get the base as its upstream.
    await runOk(worktree, ['switch', '--quiet', '--no-track', '-c', branch, baseSha], context);
    return { created: true, baseSha };
  }

  /**
   * Lets go of whatever branch a worktree has checked out, so another worktree can take it: back to the
   * worker's own branch when it is free, else a detached HEAD at the same commit. Files are not touched
   * beyond what the switch itself changes; the caller makes sure nothing is uncommitted first.
   */
  async releaseBranch(worktree: string, homeBranch: string): Promise<void> {
    const holder = (await this.listWorktrees()).find((entry) => entry.branch === homeBranch);
    const args = (await this.branchExists(homeBranch)) && holder === undefined ? ['switch', '--quiet', homeBranch] : ['switch', '--quiet', '--detach'];
    await runOk(worktree, args, `cannot let go of the branch in ${worktree}`);
  }

  /**
   * Commits everything in the worktree (untracked files too) on its current branch, as muxctl when the
   * repository has no identity; returns the new commit, or null when there was nothing to commit.
   */
  async commitAll(worktree: string, message: string): Promise<string | null> {
    const context = `cannot commit the work in ${worktree}`;
    if ((await this.dirtyFiles(worktree)).length === 0) return null;
    await runOk(worktree, ['add', '-A'], context);
    const named = (await run(worktree, ['config', 'user.email'])).exitCode === 0;
    const identity = named ? [] : ['-c', 'user.name=muxctl', '-c', 'user.email=muxctl@localhost'];
    // --no-verify: a hook that fails must not make a WIP checkpoint lose the work it saves.
    await runOk(worktree, [...identity, 'commit', '--quiet', '--no-verify', '--no-gpg-sign', '-m', message], context);
    return (await this.resolveCommit('HEAD', worktree)) ?? null;
  }

  /** Resets the worktree's branch and files to `sha`; the caller has saved a backup ref first. */
  async resetWorktree(worktree: string, sha: string): Promise<void> {
    const context = `cannot reset ${worktree}`;
    await runOk(worktree, ['reset', '--quiet', '--hard', sha], context);
    await runOk(worktree, ['clean', '-fdq'], context);
  }

  /** Add `pattern` as a line of the repository's `info/exclude` unless it is there; true if added. */
  async ensureExcluded(repoRoot: string, pattern: string): Promise<boolean> {
    if (/[\r\n]/.test(pattern) || pattern.trim() === '') throw new Error(`exclude pattern must be one non-empty line: ${JSON.stringify(pattern)}`);
    const file = resolve(repoRoot, (await runOk(repoRoot, ['rev-parse', '--git-path', 'info/exclude'])).trim());
    const current = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    if (current.split(/\r?\n/).some((line) => line.trim() === pattern.trim())) return false;
    await mkdir(dirname(file), { recursive: true });
    const separator = current === '' || current.endsWith('\n') ? '' : '\n';
    await appendFile(file, `${separator}${pattern}\n`);
    return true;
  }

  private async commonDir(): Promise<string> {
    const out = await run(this.path, ['rev-parse', '--git-common-dir']);
    if (out.exitCode !== 0) throw new NotAGitRepoError(this.path);
    return resolve(this.path, out.stdout.trim());
  }

  /** The worktree registered at `target` (already canonical), and whether its directory is gone. */
  private async findWorktree(target: string): Promise<{ entry: WorktreeEntry; gone: boolean } | null> {
    for (const entry of await this.listWorktrees()) {
      if ((await canonicalPath(entry.path)) !== target) continue;
      const present = await stat(entry.path).then((s) => s.isDirectory(), () => false);
      // Old git never says "prunable", so the directory is checked here too.
      return { entry, gone: entry.prunable || !present };
    }
    return null;
  }
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

/**
 * Hold an exclusive lock file (created with O_EXCL, holding our pid) while `work` runs. A lock whose
 * holder is no longer alive is taken over, so a crash never leaves the repository locked for good.
 */
async function withLockFile<T>(file: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stale = await staleLockOwner(file);
      if (stale !== null) {
        // Re-read just before unlinking: if another process took the stale lock over in between, the
        // pid inside has changed and its fresh lock must be left alone.
        if ((await readFile(file, 'utf8').catch(() => null)) === stale) await unlink(file).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw new GitCommandError(['worktree', 'add'], undefined, `${file} is held by another process`,
          `another muxctl has been creating a worktree for ${LOCK_WAIT_MS / 1000} s; if none is running, delete ${file}`);
      }
      await sleep(50);
    }
  }
  try {
    return await work();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

/** The lock file's content if its holder is gone (so it may be taken over), else null. */
async function staleLockOwner(file: string): Promise<string | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null; // gone already: the next attempt will simply take it
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) {
    // Created but the pid not written yet, or written by a crashed process: stale only once old.
    const age = await stat(file).then((s) => Date.now() - s.mtimeMs, () => 0);
    return age > 10_000 ? text : null;
  }
  return pidAlive(pid) ? null : text;
}
