/**
 * `muxctl down` through the BUILT bin/muxctl against real tmux and real git: the graceful stop (signal,
 * keys, the grace period, then kill), and `--remove`'s guard, which must never lose uncommitted work or
 * unmerged commits without `--force`, and even then keeps a backup ref and the unmerged branch.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { events, idle, panePid, processAlive, screenShows, sessions, startWorkers, statusJson } from '../helpers/cli.js';
import { git } from '../helpers/gitRepo.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { waitFor } from '../helpers/waitFor.js';

/** Each worker's health from `muxctl status --json`, by name. */
async function statusOf(p: TestProject): Promise<Map<string, { state: string; badge: string; evidence: string }>> {
  return new Map((await statusJson(p)).map((w) => [w.name, w.health]));
}

// ── Graceful stop ───────────────────────────────────────────────────────────────────────────────────

describe('muxctl down', () => {
  let p: TestProject;
  /** Processes a test saw survive `down`: killed by pid afterwards so nothing outlives the test. */
  const strays: number[] = [];

  afterEach(async () => {
    for (const pid of strays.splice(0)) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    await p.cleanup();
  });

  /** A shell loop that prints "ready" once its traps are in place; `trap` lines come first. */
  const looping = (...traps: string[]) => [...traps, 'echo ready', 'while :; do sleep 0.1; done'].join('; ');

  it('signals, sends keys, kills after the grace period; keeps worktrees; records the stop with actor cli and reason', async () => {
    p = await makeProject('down-graceful', []);
    const mark = (file: string) => join(p.repo.scratch, file);
    await p.writeConfig({
      ...p.config,
      workers: [
        // Grace periods of 10 s: if these two stop fast, they were stopped by what they were sent, not killed.
        { name: 'polite', lane: 'app', command: looping(`trap 'echo bye; echo bye > ${mark('polite.out')}; exit 0' TERM`), stop: { graceSeconds: 10 } },
        {
          name: 'keyed',
          lane: 'app',
          command: looping(`trap 'echo int > ${mark('keyed.int')}; exit 0' INT`, `trap 'echo term > ${mark('keyed.term')}; exit 0' TERM`),
          stop: { keys: ['C-c'], graceSeconds: 10 },
        },
        { name: 'stubborn', lane: 'app', command: looping("trap '' TERM"), stop: { graceSeconds: 1 } },
      ],
    });
    expect((await p.run(['up'])).exitCode).toBe(0);
    for (const name of ['polite', 'keyed', 'stubborn']) await screenShows(p.socket, name, 'ready');
    const stubbornPid = await panePid(p.socket, 'stubborn');

    const politeStart = Date.now();
    const polite = await p.run(['down', 'polite', '--reason', 'polite end']);
    expect(polite.exitCode, polite.stderr).toBe(0);
    expect(polite.stdout).toContain('✔ polite: stopped');
    expect(Date.now() - politeStart).toBeLessThan(5_000);
    expect(readFileSync(mark('polite.out'), 'utf8')).toBe('bye\n');

    const keyedStart = Date.now();
    const keyed = await p.run(['down', 'keyed', '--reason', 'keyed end']);
    expect(keyed.exitCode, keyed.stderr).toBe(0);
    expect(Date.now() - keyedStart).toBeLessThan(5_000);
    expect(existsSync(mark('keyed.int')), 'keyed got C-c').toBe(true);
    expect(existsSync(mark('keyed.term')), 'keyed got no SIGTERM').toBe(false);

    const stubbornStart = Date.now();
    const stubborn = await p.run(['down', 'stubborn', '--reason', 'stubborn end']);
    const stubbornMs = Date.now() - stubbornStart;
    expect(stubborn.exitCode, stubborn.stderr).toBe(0);
    expect(stubbornMs).toBeGreaterThanOrEqual(1_000);
    expect(stubbornMs).toBeLessThan(6_000);
    await waitFor(() => !processAlive(stubbornPid), { what: 'the stubborn worker process to be gone' });

    expect(await sessions(p.socket)).toEqual([]);
    const status = await statusOf(p);
    for (const name of ['polite', 'keyed', 'stubborn']) {
      expect(existsSync(join(p.worktreeDir, name, 'README.md')), `${name}'s worktree kept`).toBe(true);
      expect(status.get(name)?.state).toBe('stopped');
      expect(status.get(name)?.badge).toBe('stopped');
    }
    const stops = events(p).filter((e) => e.action === 'stop');
    expect(stops.map(({ actor, worker, reason }) => ({ actor, worker, reason }))).toEqual([
      { actor: 'cli', worker: 'polite', reason: 'polite end' },
      { actor: 'cli', worker: 'keyed', reason: 'keyed end' },
      { actor: 'cli', worker: 'stubborn', reason: 'stubborn end' },
    ]);
  });

  it('a worker that ignores SIGTERM and SIGHUP is still ended once its grace period is over', async () => {
    p = await makeProject('down-deaf', [{ name: 'deaf', command: looping("trap '' TERM HUP"), stop: { graceSeconds: 1 } }]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    await screenShows(p.socket, 'deaf', 'ready');
    const pid = await panePid(p.socket, 'deaf');
    strays.push(pid);

    const result = await p.run(['down', 'deaf']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await sessions(p.socket)).toEqual([]);
    // The config promises "keys, then the signal, then SIGKILL": no process may outlive `down`.
    await waitFor(() => !processAlive(pid), { what: `the deaf worker (pid ${pid}) to be gone after down`, timeoutMs: 3_000 });
  });

  it('a worker that ignores its stop keys gets its stop signal after the grace period', async () => {
    p = await makeProject('down-keys-ignored', []);
    const termMark = join(p.repo.scratch, 'keys-ignored.term');
    await p.writeConfig({
      ...p.config,
      workers: [
        {
          name: 'unmoved',
          lane: 'app',
          command: looping("trap '' INT", `trap 'echo term > ${termMark}; exit 0' TERM`),
          stop: { keys: ['C-c'], signal: 'SIGTERM', graceSeconds: 1 },
        },
      ],
    });
    expect((await p.run(['up'])).exitCode).toBe(0);
    await screenShows(p.socket, 'unmoved', 'ready');
    strays.push(await panePid(p.socket, 'unmoved'));

    const result = await p.run(['down', 'unmoved']);
    expect(result.exitCode, result.stderr).toBe(0);
    // The config's own description of `stop`: "keys, then the signal, then SIGKILL".
    expect(existsSync(termMark), 'the worker got SIGTERM after ignoring C-c').toBe(true);
  });

  it('--force without --remove is a usage error that stops nothing', async () => {
    p = await makeProject('down-usage', [idle('w1')]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    const result = await p.run(['down', '--force']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--force only goes with down --remove');
    expect(await sessions(p.socket)).toEqual(['w1']);
  });
});

// ── down --remove ───────────────────────────────────────────────────────────────────────────────────

describe('muxctl down --remove', () => {
  let p: TestProject;
  const tree = (name: string) => join(p.worktreeDir, name);
  const branchSha = async (name: string): Promise<string | null> => {
    const refs = await git(p.repo.path, 'for-each-ref', '--format=%(objectname)', `refs/heads/muxctl/${name}`);
    return refs.trim() || null;
  };

  beforeAll(async () => {
    p = await makeProject('down-remove', [idle('clean'), idle('dirty'), idle('ahead'), idle('forced')]);
    await startWorkers(p);
  });

  afterAll(async () => {
    await p.cleanup();
  });

  it('removes a clean worktree and its branch, which has nothing unmerged', async () => {
    const result = await p.run(['down', 'clean', '--remove']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`✔ clean: removed ${tree('clean')}`);
    expect(existsSync(tree('clean'))).toBe(false);
    expect(await git(p.repo.path, 'worktree', 'list', '--porcelain')).not.toContain(`worktree ${tree('clean')}\n`);
    expect(await branchSha('clean')).toBeNull();
    expect(await sessions(p.socket)).not.toContain('clean');
    expect(events(p).filter((e) => e.action === 'remove').map((e) => [e.actor, e.worker])).toEqual([['cli', 'clean']]);
  });

  it('refuses a worktree with an uncommitted file: exit non-zero, names the file, keeps it', async () => {
    await writeFile(join(tree('dirty'), 'notes.txt'), 'work in progress\n');
    const result = await p.run(['down', 'dirty', '--remove']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toMatch(/✖ dirty: kept .*notes\.txt/);
    expect(result.stdout).toContain('--force');
    expect(readFileSync(join(tree('dirty'), 'notes.txt'), 'utf8')).toBe('work in progress\n');
    expect(await git(p.repo.path, 'worktree', 'list', '--porcelain')).toContain(`worktree ${tree('dirty')}\n`);
    expect(await branchSha('dirty')).not.toBeNull();
    expect(events(p).some((e) => e.action === 'refuse' && e.worker === 'dirty' && e.actor === 'cli')).toBe(true);
  });

  it('refuses a worktree with a commit that is not on main, and the commit is kept', async () => {
    const sha = await p.repo.commit('feature.txt', 'new feature\n', 'a commit only on the worker branch', tree('ahead'));
    const result = await p.run(['down', 'ahead', '--remove']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toMatch(/✖ ahead: kept .*1 commit not on the base branch/);
    expect(existsSync(join(tree('ahead'), 'feature.txt'))).toBe(true);
    expect(await branchSha('ahead')).toBe(sha);
    expect((await git(tree('ahead'), 'rev-parse', 'HEAD')).trim()).toBe(sha);
  });

  it('--force removes it, after a backup ref holding the uncommitted file; the unmerged branch is kept', async () => {
    const sha = await p.repo.commit('committed.txt', 'committed work\n', 'unmerged work', tree('forced'));
    await writeFile(join(tree('forced'), 'unsaved.txt'), 'not committed yet\n');

    const result = await p.run(['down', 'forced', '--remove', '--force', '--reason', 'clearing out']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(existsSync(tree('forced'))).toBe(false);
    expect(await git(p.repo.path, 'worktree', 'list', '--porcelain')).not.toContain(`worktree ${tree('forced')}\n`);

    const refs = (await git(p.repo.path, 'for-each-ref', '--format=%(refname)', 'refs/muxctl/backup/forced/')).split('\n').filter(Boolean);
    expect(refs).toHaveLength(1);
    const backup = refs[0] ?? '';
    expect(backup).toMatch(/^refs\/muxctl\/backup\/forced\/\S+$/);
    expect(result.stdout).toContain(backup);
    expect(await git(p.repo.path, 'show', `${backup}:unsaved.txt`)).toBe('not committed yet');
    expect(await git(p.repo.path, 'show', `${backup}:committed.txt`)).toBe('committed work');
    // The snapshot sits on top of the branch tip, so `git diff <ref>^ <ref>` is exactly the unsaved work.
    expect((await git(p.repo.path, 'rev-parse', `${backup}^`)).trim()).toBe(sha);

    expect(await branchSha('forced')).toBe(sha);
    expect(result.stdout).toContain('branch muxctl/forced kept');
    const mine = events(p).filter((e) => e.worker === 'forced').map((e) => e.action);
    expect(mine).toEqual(['start', 'stop', 'backup', 'remove']);
  });
});
