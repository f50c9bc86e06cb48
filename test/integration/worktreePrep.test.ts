/**
 * Preparing a new worktree, with the BUILT muxctl, a real git repository and a real tmux server: the
 * main checkout's ignored files copied in (never over the worktree's own, never a tracked one), the setup
 * run once with its output in the worker's log, a failing setup keeping the worker stopped and saying
 * why, and MUXCTL_PORT: one port a worker, the same after a restart.
 */
import { readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuntimeDir } from '../../src/adapters/runtime.js';
import { BoardFeed, type BoardView } from '../../src/control/boardFeed.js';
import { LogMonitor, watchedWorkers } from '../../src/control/logMonitor.js';
import type { TreeFacts } from '../../src/control/treeFacts.js';
import { parseConfig } from '../../src/core/config/parse.js';
import { events, projectsCleanedUpAfterEach, screenShows, sessions, startWorkers } from '../helpers/cli.js';
import { git } from '../helpers/gitRepo.js';
import type { TestProject } from '../helpers/project.js';
import { waitFor } from '../helpers/waitFor.js';

const makeProject = projectsCleanedUpAfterEach();

/** A worker that writes its MUXCTL_PORT to a file of its own (one line a start) and shows it, then waits. */
function portWorker(name: string, scratch: string): { name: string; command: string } {
  return { name, command: `echo "$MUXCTL_PORT" >> ${join(scratch, `ports-${name}`)}; echo "port=$MUXCTL_PORT"; exec sleep 600` };
}

async function linesOf(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

/** What the worker's log view (`l`, the panel) shows: the lines muxctl's log monitor reads for it. */
async function logView(p: TestProject, worker: string): Promise<string[]> {
  const parsed = parseConfig(await readFile(p.configFile, 'utf8'), p.configFile);
  if (!parsed.ok) throw new Error('the test config is invalid');
  const runtime = new RuntimeDir(p.repo.path);
  const logs = new LogMonitor({ stateDir: runtime.dir, home: homedir(), env: {}, redact: (t) => t, ringSize: 200, onChange: () => {}, now: Date.now });
  try {
    await logs.sync(watchedWorkers(parsed.config, runtime.readWorkers()));
    return logs.state(worker).recent.map((event) => `${event.kind} ${event.text}`);
  } finally {
    await logs.close();
  }
}

/** The board line a worker's panel shows under it ("↻ …"): its last control event worth a line. */
function panelLine(p: TestProject, worker: string): string | undefined {
  const runtime = new RuntimeDir(p.repo.path);
  try {
    let board: BoardView | undefined;
    const tree = { driftFindings: () => Promise.resolve({}) } as unknown as TreeFacts;
    new BoardFeed({ store: runtime.store(), tree, now: Date.now, shown: () => [], onBoard: (b) => (board = b), onDrift: () => {}, onNeedsPerson: () => {} }).refresh();
    return board?.lastEvents[worker];
  } finally {
    runtime.close();
  }
}

describe('a new worktree is prepared before its worker first starts', () => {
  it('copies ignored files, keeps the worktree\'s own and tracked ones, runs setup once, gives each worker its own port', async () => {
    const p = await makeProject('wtprep', []);
    const { path: repo, scratch } = p.repo;
    await p.repo.commit('.gitignore', '.env*\n*.local.json\n', 'ignore local files');
    await p.repo.commit('settings.json', '{"committed": true}\n', 'tracked settings');
    // w1's branch exists already and carries its own .env.local: the worktree has that file from the start.
    await git(repo, 'checkout', '-q', '-b', 'muxctl/w1');
    await writeFile(join(repo, '.env.local'), 'OWN=worktree\n');
    await git(repo, 'add', '-f', '.env.local');
    await git(repo, 'commit', '-q', '-m', 'w1 has its own .env.local');
    await git(repo, 'checkout', '-q', 'main');
    // The main checkout: ignored files, a symlink, a tracked file with an edit not committed.
    await writeFile(join(repo, '.env'), 'API_KEY_NAME=dev\n');
    await chmod(join(repo, '.env'), 0o600);
    await writeFile(join(repo, '.env.local'), 'OWN=main checkout\n');
    await symlink('.env', join(repo, '.env.link'));
    await mkdir(join(repo, 'config'));
    await writeFile(join(repo, 'config', 'app.local.json'), '{"db": "local"}\n');
    await writeFile(join(repo, 'config', 'other.json'), '{"untracked": "but not named"}\n');
    await writeFile(join(repo, 'settings.json'), '{"committed": false, "edited": "in the main checkout"}\n');
    await writeFile(join(repo, '.worktreeinclude'), '# what else a worktree needs\nconfig/*.local.json\n');
    const counter = join(scratch, 'setup-runs');
    await p.writeConfig({
      ...p.config,
      worktree: { copy: ['.env*', 'settings.json'], setup: `echo "$MUXCTL_WORKER" >> ${counter}; echo "setup for $MUXCTL_WORKER on port $MUXCTL_PORT in $PWD"`, portBase: 4300 },
      workers: [portWorker('w1', scratch), portWorker('w2', scratch)].map((w) => ({ lane: 'app', ...w })),
    });

    await startWorkers(p);
    const w1 = join(p.worktreeDir, 'w1');
    expect(await readFile(join(w1, '.env'), 'utf8')).toBe('API_KEY_NAME=dev\n');
    expect((await stat(join(w1, '.env'))).mode & 0o777).toBe(0o600);
    expect((await lstat(join(w1, '.env.link'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(w1, '.env.link'))).toBe('.env');
    expect(await readFile(join(w1, 'config', 'app.local.json'), 'utf8')).toBe('{"db": "local"}\n'); // from .worktreeinclude
    expect(await stat(join(w1, 'config', 'other.json')).catch(() => null)).toBeNull(); // named by nothing
    expect(await readFile(join(w1, '.env.local'), 'utf8')).toBe('OWN=worktree\n'); // the worktree's own, kept
    expect(await readFile(join(w1, 'settings.json'), 'utf8')).toBe('{"committed": true}\n'); // tracked: as committed
    expect(await readFile(join(p.worktreeDir, 'w2', '.env.local'), 'utf8')).toBe('OWN=main checkout\n'); // w2 had none
    expect(await git(w1, 'status', '--porcelain')).toBe(''); // all of it ignored in the worktree too

    // Setup ran once for each, before its worker, in its worktree, with its port; its output is in the log.
    expect((await linesOf(counter)).sort()).toEqual(['w1', 'w2']);
    const log = await logView(p, 'w1');
    expect(log).toContain(`status setup: setup for w1 on port 4300 in ${w1}`);
    expect(log.some((line) => /^status setup: `echo .*` finished in \d+\.\d s$/.test(line))).toBe(true);
    const prepared = events(p).filter((e) => e.action === 'prepare');
    expect(prepared.map((e) => e.worker).sort()).toEqual(['w1', 'w2']);
    expect(prepared.find((e) => e.worker === 'w1')?.reason).toMatch(/^worktree prepared: copied \.env, \.env\.link, config\/app\.local\.json; \.env\.local already there \(not overwritten\); setup `echo .*` ran in/);

    // Each worker its own port, the same at a restart in place and at a new session.
    await screenShows(p.socket, 'w1', 'port=4300');
    await screenShows(p.socket, 'w2', 'port=4301');
    expect(await p.run(['restart', 'w1'])).toMatchObject({ exitCode: 0 });
    await waitFor(async () => ((await linesOf(join(scratch, 'ports-w1'))).length === 2 ? true : undefined), { what: 'w1 to start a second time' });
    expect(await p.run(['down', 'w1'])).toMatchObject({ exitCode: 0 });
    expect(await p.run(['up', 'w1'])).toMatchObject({ exitCode: 0 });
    await waitFor(async () => ((await linesOf(join(scratch, 'ports-w1'))).length === 3 ? true : undefined), { what: 'w1 to start a third time' });
    expect(await linesOf(join(scratch, 'ports-w1'))).toEqual(['4300', '4300', '4300']);
    expect(await linesOf(join(scratch, 'ports-w2'))).toEqual(['4301']);
    // The worktree was prepared once: neither the restart nor the new session ran setup again.
    expect((await linesOf(counter)).sort()).toEqual(['w1', 'w2']);
  });

  it('a failing setup keeps the worker stopped and says why; fixed, it runs again and the worker starts', async () => {
    const p = await makeProject('wtfail', []);
    const failing = 'echo "installing"; echo "error: no lockfile" >&2; exit 3';
    await p.writeConfig({ ...p.config, worktree: { setup: failing }, workers: [{ lane: 'app', ...portWorker('w1', p.repo.scratch) }] });

    const up = await p.run(['up']);
    expect(up.exitCode, up.stdout + up.stderr).toBe(1);
    expect(up.stdout).toContain(`✖ w1: not started: worktree setup \`${failing}\` exited with status 3 after`);
    expect(up.stdout).toContain('    │ installing\n    │ error: no lockfile');
    expect(await sessions(p.socket)).not.toContain('w1');
    const failed = events(p).filter((e) => e.worker === 'w1' && e.action === 'setup-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.reason).toMatch(/^setup `.*` exited with status 3 after \d+\.\d s: error: no lockfile; the worker was not started$/);
    expect(events(p).some((e) => e.worker === 'w1' && e.action === 'start')).toBe(false);
    expect(panelLine(p, 'w1')).toMatch(/^setup-failed \d\d:\d\d: setup `.*` exited with status 3 after/);
    const log = await logView(p, 'w1');
    expect(log).toContain('status setup: installing');
    expect(log.some((line) => line.startsWith('error setup `') && line.includes('exited with status 3'))).toBe(true);

    // A failed setup is tried again at the next start; this time it passes, and the worker starts.
    const counter = join(p.repo.scratch, 'setup-runs');
    await p.writeConfig({ ...p.config, worktree: { setup: `echo again >> ${counter}` } });
    await startWorkers(p);
    await screenShows(p.socket, 'w1', 'port=4100');
    expect(await linesOf(counter)).toEqual(['again']);
    expect(events(p).filter((e) => e.worker === 'w1').map((e) => e.action)).toEqual(['setup-failed', 'prepare', 'start']);
    expect(panelLine(p, 'w1')).toMatch(/^prepare \d\d:\d\d: worktree prepared: setup `echo again >> .*` ran in/);
  });

  it('a setup that outlives its timeout is killed, with its children, and counts as failed', async () => {
    const p = await makeProject('wttimeout', []);
    const pidFile = join(p.repo.scratch, 'child.pid');
    await p.writeConfig({
      ...p.config,
      worktree: { setup: `sleep 600 & echo $! > ${pidFile}; echo begun; wait`, setupTimeoutSeconds: 1 },
      workers: [{ lane: 'app', ...portWorker('w1', p.repo.scratch) }],
    });
    const up = await p.run(['up']);
    expect(up.exitCode, up.stdout + up.stderr).toBe(1);
    expect(up.stdout).toContain('timed out after 1 s (worktree.setupTimeoutSeconds; killed)');
    expect(up.stdout).toContain('    │ begun');
    expect(await sessions(p.socket)).not.toContain('w1');
    const child = Number((await readFile(pidFile, 'utf8')).trim());
    await waitFor(() => (alive(child) ? undefined : true), { what: `the setup's child ${child} to be gone` });
  });
});

/** A process that exists and is not a zombie waiting to be reaped (its group was killed). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, { encoding: 'utf8', flag: 'r' });
  return !/^\d+ \(.*\) Z/.test(stat);
}
