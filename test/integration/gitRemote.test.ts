/**
 * The git adapter on a host, over ssh (a real sshd on loopback; the "host" is this machine, so the
 * repository can be looked at directly): a worktree's snapshot there holds the same tree as one made
 * here, and leaves no scratch index behind.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Git } from '../../src/adapters/git.js';
import { GitRunner } from '../../src/adapters/gitRun.js';
import { SshHost } from '../../src/adapters/ssh.js';
import { git, makeRepo, type TestRepo } from '../helpers/gitRepo.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';

let sshd: TestSshd;
let box: SshHost;
let repo: TestRepo;

beforeAll(async () => {
  sshd = await startSshd();
  box = new SshHost(sshd.target('box1'));
  repo = await makeRepo();
  await repo.commit('README.md', '# r\n', 'first');
}, 30_000);

afterAll(async () => {
  await box.close();
  await sshd.stop();
  await repo.cleanup();
});

it("snapshots a host's worktree as it would here: tracked changes, new files, nothing left over", async () => {
  const wt = join(repo.scratch, 'wt');
  await git(repo.path, 'worktree', 'add', '-q', '-b', 'muxctl/w1', wt);
  writeFileSync(join(wt, 'README.md'), '# changed\n');
  writeFileSync(join(wt, 'new.txt'), 'new file\n');
  const there = new Git(repo.path, new GitRunner(box.program(), 'box1'));
  const here = new Git(repo.path);
  const remoteSha = await there.snapshotWorktree(wt);
  const localSha = await here.snapshotWorktree(wt);
  expect(await git(repo.path, 'rev-parse', `${remoteSha}^{tree}`)).toBe(await git(repo.path, 'rev-parse', `${localSha}^{tree}`));
  expect(await git(repo.path, 'show', `${remoteSha}:new.txt`)).toBe('new file');
  expect(await git(repo.path, 'rev-parse', `${remoteSha}^`)).toBe(await git(wt, 'rev-parse', 'HEAD'));
  // The worktree itself is untouched, and no scratch index is left in its git directory.
  expect(await git(wt, 'status', '--porcelain')).toBe(' M README.md\n?? new.txt');
  expect(readdirSync(join(repo.path, '.git', 'worktrees', 'wt')).filter((name) => name.includes('muxctl-snapshot'))).toEqual([]);
}, 60_000);
