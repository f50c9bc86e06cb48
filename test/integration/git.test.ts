import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Git } from '../../src/adapters/git.js';
import { BaseBranchMissingError, BranchCheckedOutError, GitCommandError, InvalidRefNameError, NotAGitRepoError } from '../../src/core/parsers/gitErrors.js';
import { git, makeRepo } from '../helpers/gitRepo.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { waitFor } from '../helpers/waitFor.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A repository on `main` with one commit, registered for removal after the test. */
async function repoWithCommit(): Promise<{ repo: TestRepo; g: Git; main: string }> {
  const repo = await makeRepo();
  cleanups.push(repo.cleanup);
  const main = await repo.commit('README.md', 'hello\n', 'first');
  return { repo, g: new Git(repo.path), main };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function statusOf(path: string): Promise<string> {
  return git(path, 'status', '--porcelain=v1', '-z', '--untracked-files=all');
}

describe('Git.version', () => {
  it('reports the installed version', async () => {
    expect(await Git.version()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('repository checks', () => {
  it('finds the root and knows whether there are commits', async () => {
    const repo = await makeRepo();
    cleanups.push(repo.cleanup);
    const g = new Git(repo.path);
    expect(await g.repoRoot()).toBe(repo.path);
    expect(await g.hasCommits()).toBe(false);
    await repo.commit('a.txt', 'a', 'a');
    expect(await g.hasCommits()).toBe(true);
  });

  it('throws NotAGitRepoError naming the path for a plain directory and a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'muxctl-not-a-repo-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await expect(new Git(dir).repoRoot()).rejects.toThrow(NotAGitRepoError);
    await expect(new Git(dir).repoRoot()).rejects.toThrow(`${dir} is not a git repository: run \`git init\` there`);
    await expect(new Git(join(dir, 'missing')).repoRoot()).rejects.toThrow(NotAGitRepoError);
  });

  it('requireBranch lists the branches that exist when the base is missing', async () => {
    const { repo, g } = await repoWithCommit();
    await git(repo.path, 'branch', 'feature');
    await expect(g.requireBranch('main')).resolves.toBeUndefined();
    const error = await g.requireBranch('develop').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseBranchMissingError);
    expect((error as Error).message).toContain('"develop" does not exist');
    expect((error as Error).message).toContain('branches that exist: feature, main');
  });
});

describe('ensureWorktree', () => {
  it('creates branch muxctl/w1 from main, then reuses the worktree', async () => {
    const { repo, g, main } = await repoWithCommit();
    const path = join(repo.scratch, 'w1');
    expect(await g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'main' })).toBe('created');
    expect(await g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'main' })).toBe('reused');

    const listed = (await g.listWorktrees()).filter((w) => w.path === path);
    expect(listed).toEqual([{ path, head: main, branch: 'muxctl/w1', locked: false, prunable: false, bare: false }]);
    expect(await exists(join(path, 'README.md'))).toBe(true);
    // --no-track: the worker's branch has no upstream that a push could go to.
    const upstream = await execa('git', ['-C', repo.path, 'config', '--get', 'branch.muxctl/w1.merge'], { reject: false });
    expect(upstream.exitCode).toBe(1);
  });

  it('two calls at once in one process: one creates, the other reuses, one worktree', async () => {
    const { repo, g } = await repoWithCommit();
    // Rounds for a new branch and for an existing one; for the existing branch git alone can register
    // one path twice when two `worktree add` calls overlap.
    for (const round of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const branch = `muxctl/${round}`;
      if (round !== 'a') await git(repo.path, 'branch', branch);
      const spec = { path: join(repo.scratch, round), branch, base: 'main' };
      const results = await Promise.all([g.ensureWorktree(spec), new Git(repo.path).ensureWorktree(spec)]);
      expect(results.sort()).toEqual(['created', 'reused']);
      expect((await g.listWorktrees()).filter((w) => w.path === spec.path)).toHaveLength(1);
    }
    expect(await readdir(join(repo.path, '.git', 'worktrees'))).toHaveLength(6);
    expect(await exists(join(repo.path, '.git', 'muxctl-worktree.lock'))).toBe(false);
  });

  it('two processes at once, for an existing branch: one creates, one reuses', async () => {
    const { repo, g } = await repoWithCommit();
    await git(repo.path, 'branch', 'muxctl/w1');
    const path = join(repo.scratch, 'w1');
    const go = join(repo.scratch, 'go');
    const gitModule = resolve('src/adapters/git.ts');
    // Node and tsx take a while to start, and not equally long: each child says it is ready, then waits
    // for the go file, so the two ensureWorktree calls really overlap.
    const script = (n: number) =>
      `const fs = await import('node:fs');` +
      `const { Git } = await import(${JSON.stringify(gitModule)});` +
      `fs.writeFileSync(${JSON.stringify(join(repo.scratch, 'ready-'))} + ${n}, '');` +
      `while (!fs.existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 2));` +
      `console.log(await new Git(${JSON.stringify(repo.path)}).ensureWorktree(` +
      `{ path: ${JSON.stringify(path)}, branch: 'muxctl/w1', base: 'main' }));`;
    const children = [1, 2].map((n) => execa('node', ['--import', 'tsx', '--input-type=module', '-e', script(n)]));
    await waitFor(async () => (await exists(join(repo.scratch, 'ready-1'))) && (await exists(join(repo.scratch, 'ready-2'))), {
      what: 'the child processes to become ready',
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    await writeFile(go, '');
    const outputs = (await Promise.all(children)).map((child) => child.stdout.trim());
    expect(outputs.sort()).toEqual(['created', 'reused']);
    expect((await g.listWorktrees()).filter((w) => w.path === path)).toHaveLength(1);
    expect(await readdir(join(repo.path, '.git', 'worktrees'))).toHaveLength(1);
  });

  it('takes over a lock left by a process that died', async () => {
    const { repo, g } = await repoWithCommit();
    const dead = await execa('node', ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(join(repo.path, '.git', 'muxctl-worktree.lock'), dead.stdout);
    const path = join(repo.scratch, 'w1');
    expect(await g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'main' })).toBe('created');
  });

  it('prunes and recreates a worktree whose directory was deleted by hand', async () => {
    const { repo, g } = await repoWithCommit();
    const path = join(repo.scratch, 'w1');
    await g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'main' });
    await rm(path, { recursive: true, force: true });
    expect(await g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'main' })).toBe('created');
    expect(await exists(join(path, 'README.md'))).toBe(true);
    const listed = (await g.listWorktrees()).filter((w) => w.path === path);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ branch: 'muxctl/w1', prunable: false });
  });

  it('reuses a worktree on another branch without touching it', async () => {
    const { repo, g } = await repoWithCommit();
    const path = join(repo.scratch, 'w1');
    await g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'main' });
    await git(path, 'switch', '-q', '-c', 'person/experiment');
    expect(await g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'main' })).toBe('reused');
    expect((await git(path, 'branch', '--show-current')).trim()).toBe('person/experiment');
  });

  it('checks out an existing branch that has no worktree, at its own commit', async () => {
    const { repo, g, main } = await repoWithCommit();
    await git(repo.path, 'switch', '-q', '-c', 'muxctl/w2');
    const tip = await repo.commit('b.txt', 'b', 'on w2');
    await git(repo.path, 'switch', '-q', 'main');
    const path = join(repo.scratch, 'w2');
    expect(await g.ensureWorktree({ path, branch: 'muxctl/w2', base: 'main' })).toBe('created');
    const facts = await g.worktreeFacts(path, 'main');
    expect(facts).toMatchObject({ branch: 'muxctl/w2', head: tip, ahead: 1 });
    expect(facts.head).not.toBe(main);
  });

  it('throws BaseBranchMissingError listing branches when the base is missing', async () => {
    const { repo, g } = await repoWithCommit();
    const path = join(repo.scratch, 'w1');
    const attempt = g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'develop' });
    await expect(attempt).rejects.toThrow(BaseBranchMissingError);
    await expect(g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'develop' })).rejects.toThrow('branches that exist: main');
    expect(await exists(path)).toBe(false);
  });

  it('fails with git\'s reason when the branch is checked out elsewhere', async () => {
    const { repo, g } = await repoWithCommit();
    await g.ensureWorktree({ path: join(repo.scratch, 'a'), branch: 'muxctl/w1', base: 'main' });
    const attempt = g.ensureWorktree({ path: join(repo.scratch, 'b'), branch: 'muxctl/w1', base: 'main' });
    await expect(attempt).rejects.toThrow(GitCommandError);
    await expect(g.ensureWorktree({ path: join(repo.scratch, 'b'), branch: 'muxctl/w1', base: 'main' })).rejects.toThrow(/already checked out/);
  });
});

describe('worktreeFacts', () => {
  async function withWorktree() {
    const ctx = await repoWithCommit();
    const path = join(ctx.repo.scratch, 'w1');
    await ctx.g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'main' });
    return { ...ctx, path };
  }

  it('clean', async () => {
    const { g, path, main } = await withWorktree();
    expect(await g.worktreeFacts(path, 'main')).toEqual({ branch: 'muxctl/w1', head: main, dirty: [], ahead: 0, behind: 0, landed: true });
  });

  it('dirty: a modified file and an untracked file in a new directory', async () => {
    const { g, path } = await withWorktree();
    await writeFile(join(path, 'README.md'), 'changed\n');
    await mkdir(join(path, 'new dir'));
    await writeFile(join(path, 'new dir', 'notes.txt'), 'untracked\n');
    const facts = await g.worktreeFacts(path, 'main');
    expect(facts.dirty.sort()).toEqual(['README.md', 'new dir/notes.txt']);
    expect(facts).toMatchObject({ ahead: 0, landed: true });
  });

  it('ahead 2, and behind after the base moves', async () => {
    const { repo, g, path } = await withWorktree();
    await repo.commit('one.txt', '1', 'one', path);
    await repo.commit('two.txt', '2', 'two', path);
    expect(await g.worktreeFacts(path, 'main')).toMatchObject({ dirty: [], ahead: 2, behind: 0, landed: false });
    await repo.commit('main.txt', 'm', 'main moves on');
    expect(await g.worktreeFacts(path, 'main')).toMatchObject({ ahead: 2, behind: 1, landed: false });
  });

  it('landed after the branch is merged into the base', async () => {
    const { repo, g, path } = await withWorktree();
    await repo.commit('one.txt', '1', 'one', path);
    await repo.commit('main.txt', 'm', 'main moves on');
    await git(repo.path, 'merge', '-q', '--no-edit', 'muxctl/w1');
    expect(await g.worktreeFacts(path, 'main')).toMatchObject({ ahead: 0, behind: 2, landed: true });
  });

  it('reports a detached HEAD as branch null', async () => {
    const { g, path, main } = await withWorktree();
    await git(path, 'switch', '-q', '--detach');
    expect(await g.worktreeFacts(path, 'main')).toMatchObject({ branch: null, head: main });
  });
});

describe('snapshotWorktree and backupRef', () => {
  it('captures a modification, a staged file and an untracked file, and leaves the worktree as it was', async () => {
    const { repo, g, main } = await repoWithCommit();
    const path = join(repo.scratch, 'w1');
    await g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'main' });
    await writeFile(join(path, 'README.md'), 'modified\n');
    await writeFile(join(path, 'staged.txt'), 'staged\n');
    await git(path, 'add', 'staged.txt');
    await writeFile(join(path, 'untracked.txt'), 'untracked\n');
    const statusBefore = await statusOf(path);
    const cachedBefore = await git(path, 'diff', '--cached', '--name-status');

    const sha = await g.snapshotWorktree(path);

    expect(await git(repo.path, 'show', `${sha}:README.md`)).toBe('modified');
    expect(await git(repo.path, 'show', `${sha}:staged.txt`)).toBe('staged');
    expect(await git(repo.path, 'show', `${sha}:untracked.txt`)).toBe('untracked');
    expect((await git(repo.path, 'rev-parse', `${sha}^`)).trim()).toBe(main);
    expect(await statusOf(path)).toBe(statusBefore);
    expect(await git(path, 'diff', '--cached', '--name-status')).toBe(cachedBefore);
    expect(await readFile(join(path, 'untracked.txt'), 'utf8')).toBe('untracked\n');
    expect((await git(path, 'rev-parse', 'HEAD')).trim()).toBe(main);
  });

  it('writes a timestamped backup ref that never overwrites another', async () => {
    const { repo, g, main } = await repoWithCommit();
    const now = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
    const first = await g.backupRef('w1', main, now);
    expect(first).toBe('refs/muxctl/backup/w1/20250102T030405.678Z');
    expect((await git(repo.path, 'rev-parse', first)).trim()).toBe(main);
    const other = await repo.commit('b.txt', 'b', 'b');
    const second = await g.backupRef('w1', other, now);
    expect(second).toBe('refs/muxctl/backup/w1/20250102T030405.678Z-2');
    expect((await git(repo.path, 'rev-parse', first)).trim()).toBe(main);
    expect((await git(repo.path, 'rev-parse', second)).trim()).toBe(other);
    expect(await g.backupRef('w1', main)).toMatch(/^refs\/muxctl\/backup\/w1\/\d{8}T\d{6}\.\d{3}Z$/);
  });

  it('rejects a name that cannot be part of a ref', async () => {
    const { g, main } = await repoWithCommit();
    await expect(g.backupRef('bad..name', main)).rejects.toThrow(InvalidRefNameError);
  });
});

describe('removeWorktree and deleteBranchIfMerged', () => {
  it('removes a clean worktree; a dirty one only with force', async () => {
    const { repo, g } = await repoWithCommit();
    const clean = join(repo.scratch, 'clean');
    const dirty = join(repo.scratch, 'dirty');
    await g.ensureWorktree({ path: clean, branch: 'muxctl/clean', base: 'main' });
    await g.ensureWorktree({ path: dirty, branch: 'muxctl/dirty', base: 'main' });
    await writeFile(join(dirty, 'new.txt'), 'x');

    await g.removeWorktree(clean, { force: false });
    expect(await exists(clean)).toBe(false);
    await expect(g.removeWorktree(dirty, { force: false })).rejects.toThrow(GitCommandError);
    expect(await exists(join(dirty, 'new.txt'))).toBe(true);
    await g.removeWorktree(dirty, { force: true });
    expect(await exists(dirty)).toBe(false);
    expect((await g.listWorktrees()).map((w) => w.path)).toEqual([repo.path]);
  });

  it('keeps an unmerged branch, deletes a merged one, and says when there is none', async () => {
    const { repo, g } = await repoWithCommit();
    const path = join(repo.scratch, 'w1');
    await g.ensureWorktree({ path, branch: 'muxctl/w1', base: 'main' });
    await repo.commit('one.txt', '1', 'one', path);
    await g.removeWorktree(path, { force: false });

    expect(await g.deleteBranchIfMerged('muxctl/w1', 'main')).toBe('kept-unmerged');
    expect(await g.branchExists('muxctl/w1')).toBe(true);

    await git(repo.path, 'merge', '-q', '--no-edit', 'muxctl/w1');
    expect(await g.deleteBranchIfMerged('muxctl/w1', 'main')).toBe('deleted');
    expect(await g.branchExists('muxctl/w1')).toBe(false);
    expect(await g.deleteBranchIfMerged('muxctl/w1', 'main')).toBe('absent');
  });

  it('deletes a branch merged into the base even when the main checkout is on another branch', async () => {
    const { repo, g } = await repoWithCommit();
    await git(repo.path, 'switch', '-q', '-c', 'muxctl/done');
    await repo.commit('done.txt', 'd', 'done');
    await git(repo.path, 'switch', '-q', 'main');
    await git(repo.path, 'merge', '-q', '--ff-only', 'muxctl/done');
    await git(repo.path, 'switch', '-q', '-c', 'elsewhere', 'main~1'); // HEAD does not contain muxctl/done
    expect(await g.deleteBranchIfMerged('muxctl/done', 'main')).toBe('deleted');
    expect(await g.branchExists('muxctl/done')).toBe(false);
  });

  it('refuses to delete a branch a worktree has checked out', async () => {
    const { repo, g } = await repoWithCommit();
    await g.ensureWorktree({ path: join(repo.scratch, 'w1'), branch: 'muxctl/w1', base: 'main' });
    await expect(g.deleteBranchIfMerged('muxctl/w1', 'main')).rejects.toThrow(BranchCheckedOutError);
    expect(await g.branchExists('muxctl/w1')).toBe(true);
  });
});

describe('ensureExcluded and initScratchRepo', () => {
  it('adds a pattern to info/exclude once', async () => {
    const { repo, g } = await repoWithCommit();
    const file = join(repo.path, '.git', 'info', 'exclude');
    await writeFile(file, '# comment without newline');
    expect(await g.ensureExcluded(repo.path, '.muxctl/')).toBe(true);
    expect(await g.ensureExcluded(repo.path, '.muxctl/')).toBe(false);
    expect(await readFile(file, 'utf8')).toBe('# comment without newline\n.muxctl/\n');
    await mkdir(join(repo.path, '.muxctl'));
    await writeFile(join(repo.path, '.muxctl', 'state.json'), '{}');
    expect(await statusOf(repo.path)).toBe('');
  });

  it('makes a scratch repository with one commit on the given branch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'muxctl-scratch-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'demo');
    await Git.initScratchRepo(path, 'trunk');
    expect((await git(path, 'branch', '--show-current')).trim()).toBe('trunk');
    expect((await git(path, 'rev-list', '--count', 'HEAD')).trim()).toBe('1');
    expect(await git(path, 'config', '--local', 'user.name')).toBe('muxctl demo');
    expect(await exists(join(path, 'README.md'))).toBe(true);
  });
});
