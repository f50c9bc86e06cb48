/**
 * `muxctl diff` from the built CLI on a real repository: a worker's worktree with committed work (a
 * rename, a binary file), staged, unstaged and deleted files, untracked ones (one past the cap) and an
 * ignored one, while the base moved on. What landing would bring is shown, and the worktree's index and
 * `git status` are byte-for-byte what they were, even with stale stat data git would normally refresh.
 */
import { execa } from 'execa';
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFigure, worktreeDiff } from '../../src/adapters/gitDiff.js';
import { projectsCleanedUpAfterEach } from '../helpers/cli.js';
import { git } from '../helpers/gitRepo.js';
import type { TestProject } from '../helpers/project.js';

const project = projectsCleanedUpAfterEach();

interface JsonFile {
  path: string;
  oldPath?: string;
  status: string;
  added: number;
  removed: number;
  binary: boolean;
  untracked: boolean;
  patch?: string;
  truncated?: boolean;
}

/** w1's worktree on muxctl/w1 with work of every kind; main gets a commit of its own afterwards. */
async function workedOn(p: TestProject): Promise<string> {
  const repo = p.repo.path;
  await writeFile(join(repo, '.gitignore'), '*.log\n');
  await writeFile(join(repo, 'a.txt'), 'one\ntwo\n');
  await writeFile(join(repo, 'old.md'), 'l1\nl2\nl3\nl4\nl5\nl6\n');
  await writeFile(join(repo, 'gone.txt'), 'g1\ng2\n');
  await writeFile(join(repo, 'keep.txt'), 'untouched\n');
  await writeFile(join(repo, 'keep.bin'), Buffer.from([0, 1, 2, 3]));
  await git(repo, 'add', '.gitignore', 'a.txt', 'old.md', 'gone.txt', 'keep.txt', 'keep.bin');
  await git(repo, 'commit', '-q', '-m', 'base files');
  const wt = join(p.worktreeDir, 'w1');
  await mkdir(p.worktreeDir, { recursive: true });
  await git(repo, 'worktree', 'add', '-q', '--no-track', '-b', 'muxctl/w1', wt, 'main');
  await p.repo.commit('main-only.txt', 'landed elsewhere\n', 'main moves on');

  await git(wt, 'mv', 'old.md', 'new.md');
  await writeFile(join(wt, 'new.md'), 'l1\nl2\nl3\nl4\nl5\nl6\nl7\n');
  await writeFile(join(wt, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
  await git(wt, 'add', 'new.md', 'logo.png');
  await git(wt, 'commit', '-q', '-m', 'rename and a logo');
  await writeFile(join(wt, 'a.txt'), 'one\ntwo\nthree\n'); // unstaged
  await writeFile(join(wt, 'staged.txt'), 'staged\n');
  await git(wt, 'add', 'staged.txt'); // staged, never committed
  await rm(join(wt, 'gone.txt')); // deleted, not staged
  await writeFile(join(wt, 'notes.md'), 'note\nmore'); // untracked, no final newline
  await writeFile(join(wt, 'big.txt'), Array.from({ length: 700 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
  await writeFile(join(wt, 'debug.log'), 'ignored\n');
  return wt;
}

/** `git status` that leaves the index as it is (so the stale stat data stays for the check after it). */
async function quietStatus(wt: string): Promise<string> {
  const result = await execa('git', ['-C', wt, 'status', '--porcelain=v1', '-z', '--untracked-files=all'], { env: { GIT_OPTIONAL_LOCKS: '0' }, stdin: 'ignore' });
  return result.stdout;
}

async function indexOf(wt: string): Promise<{ file: string; bytes: Buffer; mtimeMs: number; ino: number }> {
  const file = resolve(wt, (await git(wt, 'rev-parse', '--git-path', 'index')).trim());
  const [bytes, s] = await Promise.all([readFile(file), stat(file)]);
  return { file, bytes, mtimeMs: s.mtimeMs, ino: s.ino };
}

describe('muxctl diff', () => {
  it('shows what landing would bring plus uncommitted and untracked work, and leaves the index alone', async () => {
    const p = await project('diff', [{ name: 'w1', command: 'exec sleep 600' }]);
    const wt = await workedOn(p);
    const statusBefore = await git(wt, 'status', '--porcelain=v1', '-z', '--untracked-files=all');
    // Stale stat data on unchanged files: a plain `git diff` would rewrite the index to refresh it.
    const past = new Date('2020-01-01T00:00:00Z');
    await Promise.all(['keep.txt', 'keep.bin'].map((f) => utimes(join(wt, f), past, past)));
    const before = await indexOf(wt);

    const text = await p.run(['diff', 'w1']);
    expect(text.exitCode, text.stderr).toBe(0);
    const list = text.stdout.slice(0, text.stdout.indexOf('\n\n'));
    expect(list.split('\n')[0]).toMatch(/^w1 \(muxctl\/w1\): 7 files, \+705 −2 against main \(merge-base [0-9a-f]{7}\), uncommitted and untracked work included$/);
    expect(list).toMatch(/^ {2}\+1 −0 +a\.txt$/m);
    expect(list).toMatch(/^ {2}\+0 −2 +gone\.txt +deleted$/m);
    expect(list).toMatch(/^ {2}binary +logo\.png +added$/m);
    expect(list).toMatch(/^ {2}\+1 −0 +old\.md → new\.md +renamed \(85% similar\)$/m);
    expect(list).toMatch(/^ {2}\+1 −0 +staged\.txt +added$/m);
    expect(list).toMatch(/^ {2}\+2 −0 +notes\.md +untracked$/m);
    expect(list).toMatch(/^ {2}\+700 −0 +big\.txt +untracked$/m);
    expect(text.stdout).not.toContain('main-only.txt');
    expect(text.stdout).not.toContain('debug.log');
    expect(text.stdout).not.toContain('keep.txt');
    expect(text.stdout).not.toContain('keep.bin');
    expect(text.stdout).toContain('diff --git a/old.md b/new.md\nsimilarity index 85%\nrename from old.md\nrename to new.md\n');
    expect(text.stdout).toContain('Binary files /dev/null and b/logo.png differ\n');
    expect(text.stdout).toContain('diff --git a/notes.md b/notes.md\nnew file mode 100644\n--- /dev/null\n+++ b/notes.md\n@@ -0,0 +1,2 @@\n+note\n+more\n\\ No newline at end of file');
    // 5 header lines and 700 added ones; a file shows 400.
    expect(text.stdout).toContain('+line 395\n… 305 more lines (a file shows at most 400)\n');
    expect(text.stdout).not.toContain('+line 396\n');

    const json = await p.run(['diff', 'w1', '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { worker: string; base: string; mergeBase: string; head: string; files: JsonFile[]; totals: unknown; truncated: boolean };
    expect(parsed).toMatchObject({ worker: 'w1', base: 'main', totals: { files: 7, added: 705, removed: 2 }, truncated: true });
    expect(parsed.mergeBase).toBe((await git(wt, 'merge-base', 'main', 'HEAD')).trim());
    expect(parsed.head).toBe((await git(wt, 'rev-parse', 'HEAD')).trim());
    const byPath = new Map(parsed.files.map((f) => [f.path, f]));
    expect([...byPath.keys()].sort()).toEqual(['a.txt', 'big.txt', 'gone.txt', 'logo.png', 'new.md', 'notes.md', 'staged.txt']);
    expect(byPath.get('new.md')).toMatchObject({ oldPath: 'old.md', status: 'renamed', added: 1, removed: 0, binary: false, untracked: false, truncated: false });
    expect(byPath.get('logo.png')).toMatchObject({ status: 'added', added: 0, removed: 0, binary: true, untracked: false });
    expect(byPath.get('notes.md')).toMatchObject({ status: 'added', added: 2, removed: 0, binary: false, untracked: true, truncated: false });
    expect(byPath.get('big.txt')).toMatchObject({ added: 700, untracked: true, truncated: true });
    expect(byPath.get('a.txt')?.patch).toContain('\n two\n+three\n');

    const statOnly = await p.run(['diff', 'w1', '--stat', '--json']);
    const statFiles = (JSON.parse(statOnly.stdout) as { files: JsonFile[] }).files;
    expect(statFiles).toHaveLength(7);
    expect(statFiles.every((f) => f.patch === undefined && f.truncated === undefined)).toBe(true);
    const statText = await p.run(['diff', 'w1', '--stat']);
    expect(statText.stdout).toContain('old.md → new.md');
    expect(statText.stdout).not.toContain('diff --git');
    expect(statText.stdout).not.toContain('keep.bin'); // numstat says `-\t-` for it: asked again with -p

    const after = await indexOf(wt);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(await quietStatus(wt)).toBe(statusBefore);
    // The check above can fail: git's own diff, without muxctl's settings, does rewrite this index.
    await git(wt, 'diff', parsed.mergeBase);
    expect((await indexOf(wt)).ino).not.toBe(before.ino);
  });

  it('caps the whole diff, and the panel figure counts what the diff counts', async () => {
    const p = await project('diffcap', [{ name: 'w1', command: 'exec sleep 600' }]);
    const wt = await workedOn(p);
    const diff = await worktreeDiff(wt, 'main', { caps: { fileLines: 1000, totalLines: 30 } });
    expect(diff.truncated).toBe(true);
    const shown = diff.files.map((f) => (f.patch ?? '').split('\n').filter((l) => l !== '' && !l.startsWith('… ')).length);
    expect(shown.reduce((a, b) => a + b, 0)).toBe(30);
    const big = diff.files.find((f) => f.path === 'big.txt');
    expect(big?.patch).toMatch(/^… 705 more lines \(the whole diff shows at most 30\)\n$/);
    expect(await diffFigure(wt, 'main')).toEqual({ added: 705, removed: 2 });
    expect(diff.totals).toEqual({ files: 7, added: 705, removed: 2 });
  });

  it('reads while the agent holds the index lock, and says nothing changed on a fresh worktree', async () => {
    const p = await project('difflock', [{ name: 'w1', command: 'exec sleep 600' }]);
    const wt = join(p.worktreeDir, 'w1');
    await git(p.repo.path, 'worktree', 'add', '-q', '--no-track', '-b', 'muxctl/w1', wt, 'main');
    const lock = `${(await indexOf(wt)).file}.lock`;
    await writeFile(lock, '');
    const clean = await p.run(['diff', 'w1']);
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/^w1 \(muxctl\/w1\): no changes against main \(merge-base [0-9a-f]{7}\), nothing uncommitted or untracked$/);
    await writeFile(join(wt, 'fresh.txt'), 'a\nb\nc\n');
    const dirty = await p.run(['diff', 'w1', '--stat']);
    expect(dirty.exitCode, dirty.stderr).toBe(0);
    expect(dirty.stdout).toMatch(/^ {2}\+3 −0 +fresh\.txt +untracked$/m);
    expect((await stat(lock)).size).toBe(0);
    expect(await diffFigure(wt, 'main')).toEqual({ added: 3, removed: 0 });
  });

  it('names an unknown worker (exit 2) and a worker with no worktree yet (exit 1)', async () => {
    const p = await project('diffnone', [{ name: 'w1', command: 'exec sleep 600' }, { name: 'w2', command: 'true' }]);
    const unknown = await p.run(['diff', 'nobody']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no worker named "nobody" in .*sessions\.json \(workers: w1, w2\)/);
    const missing = await p.run(['diff', 'w2']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`w2 has no worktree at ${join(p.worktreeDir, 'w2')} yet: muxctl up w2 makes it`);
    const bare = await p.run(['diff']);
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr).toContain('muxctl diff takes exactly one worker name.');
  });
});
