/**
 * The dashboard's diff feeds (control/diffFeed.ts, control/diffFigures.ts) on a real git worktree: the
 * view's lines and the panel's figure as read, redaction, a worker with no worktree (no git run at
 * all), and a read that comes back after the view closed. Timers are injected: the reads run when the
 * test says, never after a sleep.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiffFeed } from '../../src/control/diffFeed.js';
import { DiffFigures, type Figure } from '../../src/control/diffFigures.js';
import type { Timers } from '../../src/control/movedReads.js';
import type { ProjectConfig } from '../../src/core/config/config.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import type { DiffScreen } from '../../src/core/views/diffLines.js';
import { diffFigure } from '../../src/adapters/gitDiff.js';
import { git, makeRepo, type TestRepo } from '../helpers/gitRepo.js';
import { waitFor } from '../helpers/waitFor.js';

let repo: TestRepo | undefined;
afterEach(async () => repo?.cleanup());

/** Timers run the moment the test calls `fire()`, whatever their delay. */
function manualTimers(): Timers & { fire(): void; count(): number } {
  const pending = new Set<() => void>();
  const handles = new Map<number, () => void>();
  let next = 0;
  return {
    set: (run) => {
      const id = ++next;
      handles.set(id, run);
      pending.add(run);
      return id;
    },
    clear: (id) => {
      const run = handles.get(id as number);
      if (run) pending.delete(run);
    },
    fire: () => {
      const runs = [...pending];
      pending.clear();
      for (const run of runs) run();
    },
    count: () => pending.size,
  };
}

const snapshot = (name: string, screenActiveAt: number): WorkerSnapshot =>
  ({ name, lane: 'app', screenActiveAt, upSince: 1, summary: null, health: { state: 'idle', badge: 'idle', evidence: '', since: null }, screen: [], worktree: '', command: null, restarts: null }) as WorkerSnapshot;

/** A main branch with one commit, and w1's worktree with a commit of its own and an untracked file. */
async function project(): Promise<{ config: ProjectConfig; wt: string }> {
  repo = await makeRepo();
  await repo.commit('README.md', 'hello\n', 'base');
  const worktreeDir = join(repo.scratch, 'worktrees');
  await mkdir(worktreeDir);
  const wt = join(worktreeDir, 'w1');
  await git(repo.path, 'worktree', 'add', '-q', '--no-track', '-b', 'muxctl/w1', wt, 'main');
  await repo.commit('a.txt', 'a\n', 'a', wt);
  await writeFile(join(wt, 'notes.txt'), 'token=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789\n');
  return { config: { worktreeDir, baseBranch: 'main', workers: [], hosts: {} } as unknown as ProjectConfig, wt };
}

describe('the diff feeds on a real worktree', () => {
  it('the open view gets the file list and the patch once, redacted; a still worker is not read again', async () => {
    const { config } = await project();
    const timers = manualTimers();
    const shown: DiffScreen[] = [];
    const feed = new DiffFeed({ config: () => config, redact: (t) => t.replace(/sk-ant-[\w-]+/g, '[redacted]'), now: () => 100_000, timers, onDiff: (_w, s) => void shown.push(s) });
    feed.watch('w1', [snapshot('w1', 1_000)]);
    timers.fire();
    const screen = await waitFor(() => shown[0], { what: 'the first read' });
    expect(screen.summary).toBe('2 files · +2 −0');
    expect(screen.against).toMatch(/^muxctl\/w1 against main \(merge-base [0-9a-f]{7}\)$/);
    const texts = screen.lines.map((l) => l.text);
    expect(texts.slice(0, 2)).toEqual(['  +1 −0  a.txt      added', '  +1 −0  notes.txt  untracked']);
    expect(texts).toContain('+a');
    expect(texts).toContain('+token=[redacted]');
    expect(texts.join('\n')).not.toContain('sk-ant');
    // The same activity in the next snapshot: no timer, no read.
    feed.observe([snapshot('w1', 1_000)]);
    expect(timers.count()).toBe(0);
    feed.close();
  });

  it('says the worker has no worktree yet, without asking git; a read that ends after close is dropped', async () => {
    const { config } = await project();
    const timers = manualTimers();
    const shown: DiffScreen[] = [];
    let asked = 0;
    const feed = new DiffFeed({
      config: () => config,
      redact: (t) => t,
      now: () => 100_000,
      timers,
      onDiff: (_w, s) => void shown.push(s),
      diff: async () => {
        asked++;
        throw new Error('must not be asked');
      },
    });
    feed.watch('w9', []);
    timers.fire();
    const screen = await waitFor(() => shown[0], { what: 'the problem' });
    expect(screen.problem).toMatch(/^w9 has no worktree yet \(.*worktrees\/w9\): u starts the worker/);
    expect(asked).toBe(0);

    let finish: (() => void) | undefined;
    const slow = new DiffFeed({
      config: () => config,
      redact: (t) => t,
      now: () => 100_000,
      timers,
      onDiff: (_w, s) => void shown.push(s),
      diff: () => new Promise((_resolve, reject) => (finish = () => reject(new Error('late')))),
    });
    slow.watch('w1', []);
    timers.fire();
    const late = await waitFor(() => finish, { what: 'the read under way' });
    slow.close();
    late();
    await new Promise((resolve) => setImmediate(resolve));
    expect(shown).toHaveLength(1);
  });

  it("gives each panel its figure from git, and none to a worker without a worktree", async () => {
    const { config, wt } = await project();
    const timers = manualTimers();
    const figures: Array<[string, Figure | null]> = [];
    const feed = new DiffFigures({ config: () => config, now: () => 100_000, timers, onFigure: (w, f) => void figures.push([w, f]) });
    feed.observe([snapshot('w1', 1_000), snapshot('w2', 1_000)]);
    for (let i = 0; i < 2; i++) {
      timers.fire();
      await waitFor(() => figures.length > i, { what: `figure ${i + 1}` });
    }
    expect(figures).toEqual([
      ['w1', { added: 2, removed: 0 }],
      ['w2', null],
    ]);
    expect(feed.busy()).toBe(false);
    expect(timers.count()).toBe(0);
    // Read-only: the worktree's status is what the worker left.
    expect(await git(wt, 'status', '--porcelain')).toBe('?? notes.txt');
    feed.close();
  });

  it('refuses a plain directory inside the repository, which git would answer for as the main checkout', async () => {
    const { wt } = await project();
    const plain = join(repo!.path, 'not-a-worktree');
    await mkdir(plain);
    await expect(diffFigure(plain, 'main')).rejects.toThrow(`${plain} is not a git worktree of its own`);
    await expect(diffFigure(join(repo!.path, 'absent'), 'main')).rejects.toThrow('there is no worktree at');
    // A linked worktree (its .git is a file) and the main checkout itself are their own.
    expect(await diffFigure(wt, 'main')).toEqual({ added: 2, removed: 0 });
    expect(await diffFigure(repo!.path, 'main')).toEqual({ added: 0, removed: 0 });
  });
});
