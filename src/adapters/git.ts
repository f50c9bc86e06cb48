/**
 * All communication with the git binary happens in src/adapters/git*.ts (ARCHITECTURE.md §3, §6): every
 * call is `git -C <dir> <argv…>` with an argv array, never a shell (gitRun.ts), and returns typed facts;
 * the decisions made on them live in src/core (removal.ts) and the text formats in
 * src/core/parsers/gitFormat.ts. `Git` is the one entry the rest of muxctl uses: the repository's
 * branches, commits and backup refs here, its worktrees in gitWorktree.ts, the merge queue in gitLand.ts.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  BaseBranchMissingError,
  BranchCheckedOutError,
  GitCommandError,
  GitMissingError,
  GitTooOldError,
  InvalidRefNameError,
  NotAGitRepoError,
} from '../core/parsers/gitErrors.js';
import { parseGitVersion, parseStatusZ, versionAtLeast } from '../core/parsers/gitFormat.js';
import type { WorktreeEntry } from '../core/parsers/gitFormat.js';
import { localGit, runOk, type GitRunner } from './gitRun.js';
import * as worktrees from './gitWorktree.js';
import type { WorktreeFacts, WorktreeSpec } from './gitWorktree.js';

/** `worktree remove` arrived in git 2.17; everything else used here is older. */
const MIN_VERSION = [2, 17, 0] as const;

export type { WorktreeEntry, WorktreeFacts, WorktreeSpec };

export class Git {
  /**
   * @param path the repository (its main checkout, or any directory inside it)
   * @param runner git here, or on a host (its clone's commands go over ssh)
   */
  constructor(
    readonly path: string,
    readonly runner: GitRunner = localGit,
  ) {}

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
    const result = await this.runner.run(this.path, ['rev-parse', '--show-toplevel']);
    if (result.exitCode !== 0) throw new NotAGitRepoError(this.path);
    return result.stdout.trim();
  }

  async hasCommits(): Promise<boolean> {
    return this.runner.runYesNo(this.path, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  }

  async branchExists(branch: string): Promise<boolean> {
    return this.runner.runYesNo(this.path, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`]);
  }

  async listBranches(): Promise<string[]> {
    const out = await this.runner.runOk(this.path, ['for-each-ref', '--format=%(refname:short)', 'refs/heads']);
    return out.split('\n').filter((line) => line !== '');
  }

  async requireBranch(branch: string): Promise<void> {
    if (await this.branchExists(branch)) return;
    throw new BaseBranchMissingError(branch, await this.listBranches());
  }

  // ── Worktrees: the commands live in gitWorktree.ts ──

  async listWorktrees(): Promise<WorktreeEntry[]> {
    return worktrees.listWorktrees(this.runner, this.path);
  }

  /** Reuses a worktree registered at `path`, else creates it under a lock file shared across processes. */
  async ensureWorktree(spec: WorktreeSpec): Promise<'created' | 'reused'> {
    return worktrees.ensureWorktree(this.runner, this, spec);
  }

  async worktreeFacts(path: string, base: string): Promise<WorktreeFacts> {
    return worktrees.worktreeFacts(this.runner, path, base);
  }

  /** A commit of the worktree's uncommitted work (untracked files too), its index and files untouched. */
  async snapshotWorktree(path: string): Promise<string> {
    return worktrees.snapshotWorktree(this.runner, path);
  }

  async removeWorktree(path: string, options: { force: boolean }): Promise<void> {
    return worktrees.removeWorktree(this.runner, this.path, path, options);
  }

  /** The worktree's own git directory (`<repo>/.git/worktrees/<name>`): it goes when the worktree is removed. */
  async worktreeGitDir(path: string): Promise<string> {
    return worktrees.worktreeGitDir(this.runner, path);
  }

  /** Files git does not track in the checkout at `dir`, ignored ones included, relative to it. */
  async untrackedFiles(dir: string): Promise<string[]> {
    return worktrees.untrackedFiles(this.runner, dir);
  }

  // ── Branches, commits and refs ──

  /**
   * Point `refs/muxctl/backup/<name>/<UTC timestamp>` at `sha` and return the ref. Created only if new
   * (`update-ref <ref> <sha> ""`), so a backup is never overwritten; a same-millisecond clash gets a suffix.
   */
  async backupRef(name: string, sha: string, now: Date = new Date()): Promise<string> {
    const stamp = now.toISOString().replace(/[-:]/g, ''); // 20250102T030405.678Z: ':' is not allowed in refs
    const base = `refs/muxctl/backup/${name}/${stamp}`;
    if (!(await this.runner.runYesNo(this.path, ['check-ref-format', base]))) throw new InvalidRefNameError(base);
    for (let n = 1; n <= 20; n++) {
      const ref = n === 1 ? base : `${base}-${n}`;
      const result = await this.runner.run(this.path, ['update-ref', ref, sha, '']);
      if (result.exitCode === 0) return ref;
      const taken = await this.runner.runYesNo(this.path, ['show-ref', '--verify', '--quiet', ref]);
      if (!taken) throw new GitCommandError(['update-ref', ref, sha, ''], result.exitCode, result.stderr, 'cannot write the backup ref');
    }
    throw new GitCommandError(['update-ref', base, sha], undefined, 'twenty backup refs already exist for this instant', 'cannot write the backup ref');
  }

  /**
   * Delete `branch` only if every commit on it is already on `base`. `branch -d` judges "merged" against
   * the main checkout's HEAD, which may be another branch than the base; when it refuses a branch we have
   * proved is on the base, the ref is deleted with a compare-and-swap on the sha we checked, so a commit
   * made in between is never lost. Never `branch -D`.
   */
  async deleteBranchIfMerged(branch: string, base: string): Promise<'deleted' | 'kept-unmerged' | 'absent'> {
    const ref = `refs/heads/${branch}`;
    const tip = await this.runner.run(this.path, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    if (tip.exitCode !== 0) return 'absent';
    const sha = tip.stdout.trim();
    if (!(await this.runner.runYesNo(this.path, ['merge-base', '--is-ancestor', sha, base], `cannot compare ${branch} with ${base}`))) {
      return 'kept-unmerged';
    }
    const holder = (await this.listWorktrees()).find((w) => w.branch === branch);
    if (holder) throw new BranchCheckedOutError(branch, holder.path);
    if ((await this.runner.run(this.path, ['branch', '-d', branch])).exitCode === 0) return 'deleted';
    await this.runner.runOk(this.path, ['update-ref', '-d', ref, sha], `cannot delete the branch ${branch}`);
    return 'deleted';
  }

  // ── Task branches: a task's work lives on its own branch, which moves between worktrees ──

  /** The commit `rev` names, or null when it names none. */
  async resolveCommit(rev: string, dir: string = this.path): Promise<string | null> {
    const result = await this.runner.run(dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  /** The commits with no parent that HEAD descends from: what makes two clones the same repository. */
  async rootCommits(): Promise<string[]> {
    const out = await this.runner.runOk(this.path, ['rev-list', '--max-parents=0', 'HEAD', '--'], `cannot read the first commits of ${this.path}`);
    return out.split('\n').filter((line) => line !== '');
  }

  /** Paths with uncommitted changes in a worktree, untracked files included. */
  async dirtyFiles(worktree: string): Promise<string[]> {
    return parseStatusZ(await this.runner.runOk(worktree, ['status', '--porcelain=v1', '-z', '--untracked-files=all'], `cannot read the state of ${worktree}`));
  }

  async currentBranch(worktree: string): Promise<string | null> {
    const result = await this.runner.run(worktree, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  /** Commits on `to` that `from` does not have. */
  async countCommits(from: string, to: string): Promise<number> {
    const out = await this.runner.runOk(this.path, ['rev-list', '--count', `${from}..${to}`, '--'], `cannot count the commits from ${from} to ${to}`);
    return Number.parseInt(out.trim(), 10) || 0;
  }

  async isAncestor(commit: string, of: string): Promise<boolean> {
    return this.runner.runYesNo(this.path, ['merge-base', '--is-ancestor', commit, of], `cannot compare ${commit} with ${of}`);
  }

  /**
   * Checks out a task's branch in a worktree, creating it from the base the first time. Returns the
   * commit the branch started from when it was created here (null when it existed already). git refuses
   * a branch checked out in another worktree: the caller lets go of it there first.
   */
  async checkoutTaskBranch(worktree: string, branch: string, base: string): Promise<{ created: boolean; baseSha: string | null }> {
    const context = `cannot check out ${branch} in ${worktree}`;
    if (await this.branchExists(branch)) {
      await this.runner.runOk(worktree, ['switch', '--quiet', branch], context);
      return { created: false, baseSha: null };
    }
    const baseSha = await this.resolveCommit(base);
    if (baseSha === null) throw new BaseBranchMissingError(base, await this.listBranches());
    // --no-track: the task branch must not get the base as its upstream.
    await this.runner.runOk(worktree, ['switch', '--quiet', '--no-track', '-c', branch, baseSha], context);
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
    await this.runner.runOk(worktree, args, `cannot let go of the branch in ${worktree}`);
  }

  /**
   * Commits everything in the worktree (untracked files too) on its current branch, as muxctl when the
   * repository has no identity; returns the new commit, or null when there was nothing to commit.
   */
  async commitAll(worktree: string, message: string): Promise<string | null> {
    const context = `cannot commit the work in ${worktree}`;
    if ((await this.dirtyFiles(worktree)).length === 0) return null;
    await this.runner.runOk(worktree, ['add', '-A'], context);
    const named = (await this.runner.run(worktree, ['config', 'user.email'])).exitCode === 0;
    const identity = named ? [] : ['-c', 'user.name=muxctl', '-c', 'user.email=muxctl@localhost'];
    // --no-verify: a hook that fails must not make a WIP checkpoint lose the work it saves.
    await this.runner.runOk(worktree, [...identity, 'commit', '--quiet', '--no-verify', '--no-gpg-sign', '-m', message], context);
    return (await this.resolveCommit('HEAD', worktree)) ?? null;
  }

  /** Resets the worktree's branch and files to `sha`; the caller has saved a backup ref first. */
  async resetWorktree(worktree: string, sha: string): Promise<void> {
    const context = `cannot reset ${worktree}`;
    await this.runner.runOk(worktree, ['reset', '--quiet', '--hard', sha], context);
    await this.runner.runOk(worktree, ['clean', '-fdq'], context);
  }

  /** Add `pattern` as a line of the repository's `info/exclude` unless it is there; true if added. */
  async ensureExcluded(repoRoot: string, pattern: string): Promise<boolean> {
    if (this.runner.host !== null) throw new Error(`ensureExcluded reads this machine's files: not for host ${this.runner.host}`);
    if (/[\r\n]/.test(pattern) || pattern.trim() === '') throw new Error(`exclude pattern must be one non-empty line: ${JSON.stringify(pattern)}`);
    const file = resolve(repoRoot, (await this.runner.runOk(repoRoot, ['rev-parse', '--git-path', 'info/exclude'])).trim());
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
}
