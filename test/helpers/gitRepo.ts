/**
 * Real git repositories in temporary directories for integration tests. The identity comes from
 * environment variables on each call, never from the machine's global config, and commit signing is
 * switched off per call so a developer's signing setup cannot hang a test.
 */
import { execa } from 'execa';
import { mkdtemp, mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const TEST_IDENTITY = {
  GIT_AUTHOR_NAME: 'muxctl test',
  GIT_AUTHOR_EMAIL: 'test@muxctl.invalid',
  GIT_COMMITTER_NAME: 'muxctl test',
  GIT_COMMITTER_EMAIL: 'test@muxctl.invalid',
};

/** Run git in `cwd` as the test identity; throws (with git's stderr) on failure. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await execa('git', ['-C', cwd, '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], {
    env: { ...TEST_IDENTITY, GIT_TERMINAL_PROMPT: '0' },
    stdin: 'ignore',
  });
  return result.stdout;
}

export interface TestRepo {
  /** Real path of the repository (symlinks resolved, so it compares equal to what git reports). */
  path: string;
  /** A directory next to the repository for worktrees and other scratch files; removed with it. */
  scratch: string;
  /** Write `file` (relative to `cwd`, default the repository) and commit it; returns the new sha. */
  commit(file: string, content: string, msg: string, cwd?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeRepo({ branch = 'main' }: { branch?: string } = {}): Promise<TestRepo> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'muxctl-git-test-')));
  const path = join(root, 'repo');
  const scratch = join(root, 'scratch');
  await mkdir(path);
  await mkdir(scratch);
  await git(path, 'init', '-q');
  await git(path, 'symbolic-ref', 'HEAD', `refs/heads/${branch}`);

  const commit = async (file: string, content: string, msg: string, cwd = path): Promise<string> => {
    await mkdir(dirname(join(cwd, file)), { recursive: true });
    await writeFile(join(cwd, file), content);
    await git(cwd, 'add', '--', file);
    await git(cwd, 'commit', '-q', '-m', msg);
    return (await git(cwd, 'rev-parse', 'HEAD')).trim();
  };
  const cleanup = async (): Promise<void> => {
    await rm(root, { recursive: true, force: true });
  };
  return { path, scratch, commit, cleanup };
}
