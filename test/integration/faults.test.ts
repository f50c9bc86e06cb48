/**
 * Faults, through the BUILT bin/muxctl against real tmux and real git: how a worker's end is reported
 * (exit status, signal, command not found), and what muxctl says and leaves behind when the config, tmux,
 * the repository or the tmux server is wrong. A fault must start nothing: no tmux server, no worktree.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  escapeRegExp,
  idle,
  panePid,
  projectsCleanedUpAfterEach,
  serverRuns,
  sessions,
  startWorkers,
  statusJson,
  tmux,
  type StatusWorker,
} from '../helpers/cli.js';
import { git } from '../helpers/gitRepo.js';
import { MUXCTL_BIN, type TestProject } from '../helpers/project.js';
import { killTestServer, testSocket } from '../helpers/tmuxSocket.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();
const dirs: string[] = [];
const sockets: string[] = [];

afterAll(async () => {
  await Promise.all(sockets.map((s) => killTestServer(s)));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(label: string): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), `muxctl-faults-${label}-`)));
  dirs.push(dir);
  return dir;
}

/** Runs the built muxctl with exactly these arguments (no --config added), headless, never throwing. */
async function muxctl(args: string[], { cwd, env = {}, node = 'node' }: { cwd: string; env?: Record<string, string | undefined>; node?: string }) {
  const result = await execa(node, [MUXCTL_BIN, ...args], {
    reject: false,
    stdin: 'ignore',
    cwd,
    // MUXCTL_CONFIG too: these tests may themselves run inside a muxctl worker.
    env: { ...env, TMUX: undefined, TMUX_PANE: undefined, MUXCTL_CONFIG: undefined },
    timeout: 30_000,
  });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1 };
}

/** Polls `status --json` until `worker` is in `state`; returns its snapshot. */
async function waitForState(p: TestProject, worker: string, state: string, timeoutMs = 8_000): Promise<StatusWorker> {
  return waitFor(
    async () => {
      const found = (await statusJson(p)).find((w) => w.name === worker);
      return found?.health.state === state ? found : undefined;
    },
    { what: `${worker} to be ${state}`, timeoutMs, intervalMs: 100 },
  );
}

/** Nothing of the project was started: no tmux server on its socket, no worktree directory. */
async function expectNothingStarted(socket: string, worktreeDir: string): Promise<void> {
  expect(await serverRuns(socket), `a tmux server runs on ${socket}`).toBe(false);
  expect(existsSync(worktreeDir), `${worktreeDir} exists`).toBe(false);
}

// ── How a worker's end is reported ──────────────────────────────────────────────────────────────────

describe('exit status', () => {
  it('tells exit 0 (exited), exit 3 (crashed, "exited 3") and a SIGTERM kill (crashed, "crashed (SIGTERM)") apart', async () => {
    const p = await project('exit-status', [
      { name: 'three', command: 'exit 3' },
      { name: 'zero', command: 'exit 0' },
      { name: 'victim', command: ['sleep', '600'] },
    ]);
    await startWorkers(p);

    const three = await waitForState(p, 'three', 'crashed');
    expect(three.health.badge).toBe('exited 3');
    expect(three.health.evidence).toMatch(/^exit 3 at \d\d:\d\d:\d\d$/);

    const zero = await waitForState(p, 'zero', 'exited');
    expect(zero.health.badge).toBe('exited 0');
    expect(zero.health.evidence).toMatch(/^exit 0 at \d\d:\d\d:\d\d$/);

    process.kill(await panePid(p.socket, 'victim'), 'SIGTERM');
    const victim = await waitForState(p, 'victim', 'crashed');
    expect(victim.health.badge).toBe('crashed (SIGTERM)');
    expect(victim.health.evidence).toMatch(/^killed by SIGTERM at \d\d:\d\d:\d\d$/);

    // A dead worker keeps its session (remain-on-exit), so its status is still there to read.
    expect(await sessions(p.socket)).toEqual(['three', 'victim', 'zero']);
  });

  it('a command that does not exist is "exited 127", "command not found", and sh says so in the pane', async () => {
    const p = await project('not-found', [
      { name: 'ghost', command: 'no-such-command-xyz --flag' },
      { name: 'ghost-argv', command: ['no-such-command-abc'] },
    ]);
    expect((await p.run(['up'])).exitCode).toBe(0);

    for (const [name, program] of [['ghost', 'no-such-command-xyz'], ['ghost-argv', 'no-such-command-abc']] as const) {
      const w = await waitForState(p, name, 'crashed');
      expect(w.health.badge).toBe('exited 127');
      expect(w.health.evidence).toMatch(/^exit 127: command not found at \d\d:\d\d:\d\d$/);
      const text = await tmux(p.socket, 'capture-pane', '-p', '-J', '-S', '-', '-t', `=${name}:`);
      expect(text.stdout).toMatch(new RegExp(`${program}: not found`));
    }
    const table = await p.run(['status']);
    expect(table.stdout).toMatch(/ghost\s+app\s+exited 127\s+exit 127: command not found at/);
  });

  it("muxctl's own capture of a dead worker keeps its last output (sh's message), not only blank rows", async () => {
    // A moment before and after the failing command: tmux 3.3a can lose the output of a process that exits
    // before its first read of the pty, which is tmux's race, not what this test is about.
    const p = await project('dead-screen', [{ name: 'ghost', command: 'echo "about to fail"; sleep 0.3; no-such-command-xyz; st=$?; sleep 0.3; exit $st' }]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    const w = await waitForState(p, 'ghost', 'crashed');
    // status --json carries the last 10 screen lines: the lines that say why the worker died must be in them.
    expect(w.screen.join('\n')).toContain('no-such-command-xyz: not found');
    expect(w.screen.join('\n')).toContain('about to fail');
  });
});

// ── Faults before anything starts ───────────────────────────────────────────────────────────────────

describe('an invalid config', () => {
  it('lists every problem with file, field path and what was expected, exits 2 and starts nothing', async () => {
    const p = await project('bad-config', [idle('w1')]);
    await p.writeConfig({
      ...p.config,
      colour: 'blue',
      workers: [
        { name: 'w1', lane: 'nope', command: 'sleep 1' },
        { name: 'w2', lane: 'app', command: 42, stop: { graceSeconds: '5' } },
      ],
    });

    const result = await p.run(['up']);
    expect(result.exitCode).toBe(2);
    const problem = (field: string, expected: string) =>
      new RegExp(`${escapeRegExp(p.configFile)}:\\d+:\\d+: ${escapeRegExp(field)}: .*${escapeRegExp(expected)}`);
    expect(result.stderr).toMatch(problem('(root)', 'unknown field "colour"'));
    expect(result.stderr).toMatch(problem('workers[0].lane', 'expected one of the lanes app, infra; got "nope"'));
    expect(result.stderr).toMatch(problem('workers[1].command', 'expected a string or a non-empty array of strings; got 42'));
    expect(result.stderr).toMatch(problem('workers[1].stop.graceSeconds', 'expected a number; got "5"'));
    expect(result.stderr).toContain('nothing was started');
    expect(result.stdout).toBe('');
    await expectNothingStarted(p.socket, p.worktreeDir);
    expect(existsSync(join(p.repo.path, '.muxctl'))).toBe(false);
  });

  it('a misspelt field gets a "did you mean"', async () => {
    const p = await project('typo', [idle('w1')]);
    await p.writeConfig({ ...p.config, workers: [{ name: 'w1', lane: 'app', comand: 'sleep 1' }] });
    const result = await p.run(['status']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/workers\[0\]: .*unknown field "comand".*did you mean "command"\?/);
    await expectNothingStarted(p.socket, p.worktreeDir);
  });

  it('a config path that does not exist exits 2 and says how to start', async () => {
    const cwd = await tempDir('no-config');
    const missing = join(cwd, 'nowhere.json');
    const given = await muxctl(['--config', missing, 'up'], { cwd });
    expect(given.exitCode).toBe(2);
    expect(given.stderr).toContain(`No config at ${missing}`);
    expect(given.stderr).toContain('sessions.example.json');
    expect(given.stderr).toContain('muxctl demo');

    // Without --config, muxctl looks for ./sessions.json and says that is where it looked.
    const none = await muxctl(['up'], { cwd });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain(`No config at ${join(cwd, 'sessions.json')}`);
    expect(none.stderr).toContain('sessions.example.json');
  });
});

describe('a broken environment', () => {
  it('tmux missing from PATH: says how to install it, exits non-zero, starts nothing', async () => {
    const p = await project('no-tmux', [idle('w1')]);
    const bin = await tempDir('path');
    await symlink(process.execPath, join(bin, 'node'));
    const result = await muxctl(['--config', p.configFile, 'up'], { cwd: p.repo.path, env: { PATH: bin }, node: join(bin, 'node') });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('tmux was not found on PATH');
    expect(result.stderr).toMatch(/apt-get install tmux/);
    expect(result.stderr).toMatch(/brew install tmux/);
    expect(result.stderr).not.toContain('unexpected error');
    await expectNothingStarted(p.socket, p.worktreeDir);
  });

  it('a repo that is not a git repository: says so, exits non-zero, starts nothing', async () => {
    const dir = await tempDir('not-git');
    const socket = testSocket('not-git');
    sockets.push(socket);
    const worktreeDir = join(dir, 'worktrees');
    const configFile = join(dir, 'sessions.json');
    await writeFile(configFile, JSON.stringify({ project: 'not-git', worktreeDir, tmuxSocket: socket, lanes: { app: {} }, workers: [{ name: 'w1', lane: 'app', command: 'sleep 600' }] }));

    const result = await muxctl(['up'], { cwd: dir });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(`${dir} is not a git repository`);
    expect(result.stderr).toContain('git init');
    expect(result.stderr).not.toContain('unexpected error');
    await expectNothingStarted(socket, worktreeDir);
  });

  it('a base branch that does not exist: the message lists the branches there are, nothing starts', async () => {
    const p = await project('no-base', [idle('w1')], { baseBranch: 'develop' });
    await git(p.repo.path, 'branch', 'feature-x');
    const result = await p.run(['up']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('branch "develop" does not exist');
    expect(result.stderr).toMatch(/branches that exist: feature-x, main\b/);
    expect(result.stderr).not.toContain('unexpected error');
    await expectNothingStarted(p.socket, p.worktreeDir);
  });

  it('the base-branch message names the config field to change ("baseBranch")', async () => {
    const p = await project('no-base-hint', [idle('w1')], { baseBranch: 'develop' });
    const result = await p.run(['up']);
    expect(result.exitCode).not.toBe(0);
    // The config field is "baseBranch"; a hint to set "base" sends the person to a field that is rejected.
    expect(result.stderr).toContain('"baseBranch"');
    expect(result.stderr).not.toMatch(/set "base"/);
  });
});

describe('the tmux server killed under the workers', () => {
  it('status shows every worker missing, and up brings them all back', async () => {
    const p = await project('server-killed', [idle('w1'), idle('w2'), idle('w3')]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    expect(await sessions(p.socket)).toEqual(['w1', 'w2', 'w3']);

    expect((await tmux(p.socket, 'kill-server')).exitCode).toBe(0);
    await waitFor(async () => !(await serverRuns(p.socket)), { what: 'the tmux server to be gone' });

    const missing = await statusJson(p);
    expect(missing.map((w) => [w.name, w.health.state, w.health.badge])).toEqual([
      ['w1', 'missing', 'missing'],
      ['w2', 'missing', 'missing'],
      ['w3', 'missing', 'missing'],
    ]);
    expect(missing[0]?.health.evidence).toContain('no tmux session');

    const up = await p.run(['up', '--reason', 'server came back']);
    expect(up.exitCode, up.stderr).toBe(0);
    for (const name of ['w1', 'w2', 'w3']) expect(up.stdout).toContain(`✔ ${name}: started`);
    expect(await sessions(p.socket)).toEqual(['w1', 'w2', 'w3']);
    const back = await statusJson(p);
    for (const w of back) expect(['starting', 'running']).toContain(w.health.state);
  });
});
