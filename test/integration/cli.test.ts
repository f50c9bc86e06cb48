/**
 * The headless CLI (the BUILT bin/muxctl, run as a person or a script would) against a real tmux server
 * on a private socket and a real git repository: start, idempotence, races, restart, the table without
 * a terminal, help and version, and muxctl run from inside a worker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  escapeRegExp,
  events,
  idle,
  processAlive,
  projectsCleanedUpAfterEach,
  screenShows,
  sessions,
  statusJson,
  tmux,
} from '../helpers/cli.js';
import { git } from '../helpers/gitRepo.js';
import { MUXCTL_BIN, MUXCTL_ROOT } from '../helpers/project.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();

// ── Looking at tmux directly ────────────────────────────────────────────────────────────────────────

/** `<session> <session_id> <pane_pid>` per pane, sorted. */
async function paneTable(socket: string): Promise<Map<string, { sessionId: string; pid: number }>> {
  const result = await tmux(socket, 'list-panes', '-a', '-F', '#{session_name} #{session_id} #{pane_pid}');
  const table = new Map<string, { sessionId: string; pid: number }>();
  for (const line of result.stdout.split('\n').filter(Boolean)) {
    const [name = '', sessionId = '', pid = ''] = line.split(' ');
    table.set(name, { sessionId, pid: Number(pid) });
  }
  return table;
}

// ── up ──────────────────────────────────────────────────────────────────────────────────────────────

describe('muxctl up', () => {
  it('starts every worker in its own session and worktree, with its environment and muxctl first on PATH', async () => {
    const report = [
      'echo "W=$MUXCTL_WORKER"',
      'echo "P=$MUXCTL_PROJECT"',
      'echo "D=$(pwd)"',
      'echo "PATH1=${PATH%%:*}"',
      'echo "AGENT=$(command -v muxctl-demo-agent)"',
      'exec sleep 600',
    ].join('; ');
    const names = ['alpha', 'beta', 'infra-1'];
    const p = await project('up-all', names.map((name) => ({ name, lane: name === 'infra-1' ? 'infra' : 'app', command: report })));

    const result = await p.run(['up']);
    expect(result.exitCode, result.stderr).toBe(0);
    for (const name of names) expect(result.stdout).toContain(`✔ ${name}: started`);

    expect(await sessions(p.socket)).toEqual([...names].sort());

    const listed = await git(p.repo.path, 'worktree', 'list', '--porcelain');
    for (const name of names) {
      const worktree = join(p.worktreeDir, name);
      expect(listed).toContain(`worktree ${worktree}\n`);
      expect((await git(worktree, 'rev-parse', '--abbrev-ref', 'HEAD')).trim()).toBe(`muxctl/${name}`);

      const shown = await screenShows(p.socket, name, /AGENT=\S/);
      expect(shown).toContain(`W=${name}\n`);
      expect(shown).toContain(`P=up-all\n`);
      expect(shown).toContain(`D=${worktree}\n`);
      expect(shown).toContain(`PATH1=${join(MUXCTL_ROOT, 'bin')}\n`);
      expect(shown).toContain(`AGENT=${join(MUXCTL_ROOT, 'bin', 'muxctl-demo-agent')}\n`);
    }
  });

  it('is idempotent: a second up leaves every running worker as it is', async () => {
    const p = await project('up-twice', [idle('w1'), idle('w2')]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    const before = await paneTable(p.socket);
    expect([...before.keys()].sort()).toEqual(['w1', 'w2']);

    const again = await p.run(['up']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('✔ w1: already running');
    expect(again.stdout).toContain('✔ w2: already running');
    expect(again.stdout).not.toContain('started');

    const after = await paneTable(p.socket);
    expect(after).toEqual(before);
    expect(await sessions(p.socket)).toEqual(['w1', 'w2']);
    // Only the first up started anything, so only it is on record.
    expect(events(p).filter((e) => e.action === 'start').map((e) => e.worker).sort()).toEqual(['w1', 'w2']);
  });

  it('two ups at the same time make one session and one worktree per worker, and both succeed', async () => {
    const names = ['r1', 'r2', 'r3', 'r4'];
    const p = await project('up-race', names.map((name) => idle(name)));

    const [first, second] = await Promise.all([p.run(['up']), p.run(['up'])]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(second.exitCode, second.stderr).toBe(0);

    expect(await sessions(p.socket)).toEqual(names);
    const panes = await tmux(p.socket, 'list-panes', '-a', '-F', '#{session_name}');
    expect(panes.stdout.split('\n').filter(Boolean).sort()).toEqual(names);

    const worktrees = (await git(p.repo.path, 'worktree', 'list', '--porcelain')).split('\n').filter((l) => l.startsWith('worktree '));
    expect(worktrees.sort()).toEqual([`worktree ${p.repo.path}`, ...names.map((n) => `worktree ${join(p.worktreeDir, n)}`)].sort());

    // Each worker was started by exactly one of the two; the other found it running.
    const both = first.stdout + second.stdout;
    for (const name of names) {
      expect(both.split(`✔ ${name}: started`).length - 1, `${name} started once`).toBe(1);
      expect(both.split(`✔ ${name}: already running`).length - 1, `${name} found running once`).toBe(1);
    }
    expect(events(p).filter((e) => e.action === 'start')).toHaveLength(names.length);
  });
});

// ── restart ─────────────────────────────────────────────────────────────────────────────────────────

describe('muxctl restart', () => {
  it('respawns the command in place: a new process in the same session, recorded with actor cli', async () => {
    const p = await project('restart', [{ name: 'w1', command: 'echo "run $$"; exec sleep 600' }, idle('w2')]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    const before = await paneTable(p.socket);
    const old = before.get('w1');
    expect(old).toBeDefined();

    const result = await p.run(['restart', 'w1', '--reason', 'fresh start please']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('✔ w1: restarted');

    const after = await paneTable(p.socket);
    const now = after.get('w1');
    expect(now?.sessionId).toBe(old?.sessionId);
    expect(now?.pid).not.toBe(old?.pid);
    // The other worker is untouched.
    expect(after.get('w2')).toEqual(before.get('w2'));
    // The old process is gone, the new one is running the command again.
    await waitFor(() => !processAlive(old?.pid ?? 0), { what: 'the old w1 process to end' });
    await screenShows(p.socket, 'w1', `run ${now?.pid}`);

    const restarts = events(p).filter((e) => e.action === 'restart');
    // The person's reason first, then the checkpoint guard's decision on it.
    expect(restarts).toEqual([expect.objectContaining({ actor: 'cli', worker: 'w1', reason: 'fresh start please: the worker has no task; the worker comes back idle' })]);
  });

  it('takes exactly one worker name: none is a usage error', async () => {
    const p = await project('restart-usage', [idle('w1')]);
    const result = await p.run(['restart']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('restart takes exactly one worker name');
    const unknown = await p.run(['restart', 'nobody']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no worker named "nobody".*workers: w1/);
    expect(await sessions(p.socket)).toEqual([]);
  });
});

// ── without a terminal; help and version ────────────────────────────────────────────────────────────

describe('without a terminal', () => {
  const HINT = '(no terminal here, so no dashboard: run muxctl in a terminal to open it)';

  it('status prints the table of every worker and its state', async () => {
    const p = await project('status-table', [idle('w1'), { name: 'done', lane: 'infra', command: 'exit 0' }]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    await waitFor(async () => (await statusJson(p)).find((w) => w.name === 'done')?.health.state === 'exited', { what: 'done to exit' });

    const result = await p.run(['status']);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^WORKER\s+LANE\s+STATE\s+EVIDENCE\s+WORKTREE$/);
    // Just started: starting for 2 s, then working while its first output is recent (a loaded machine gets there).
    expect(lines[1]).toMatch(new RegExp(`^w1\\s+app\\s+(starting|running|working)\\s+.*${escapeRegExp(join(p.worktreeDir, 'w1'))}$`));
    expect(lines[2]).toMatch(new RegExp(`^done\\s+infra\\s+exited 0\\s+exit 0 at \\d\\d:\\d\\d:\\d\\d\\s+${escapeRegExp(join(p.worktreeDir, 'done'))}$`));
    expect(lines).toHaveLength(3);
    expect(result.stdout).not.toContain(HINT);
  });

  it('muxctl with no command prints the table and a hint instead of the dashboard, exit 0', async () => {
    const p = await project('no-command', [idle('w1')]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    const result = await p.run([]);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^WORKER\s+LANE\s+STATE/);
    expect(lines[1]).toMatch(/^w1\s+app\s+(starting|running|working)\s/);
    expect(lines.at(-1)).toBe(HINT);
  });
});

describe('help, version and usage errors', () => {
  it('--help prints the usage and exits 0', async () => {
    const p = await project('help', [idle('w1')]);
    for (const flag of ['--help', '-h']) {
      const result = await p.run([flag]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^muxctl — /);
      for (const command of ['muxctl up', 'muxctl down', 'muxctl status', 'muxctl attach', 'muxctl restart', '--config PATH']) {
        expect(result.stdout).toContain(command);
      }
    }
    expect(await sessions(p.socket)).toEqual([]);
  });

  it('--version prints the package version and exits 0', async () => {
    const p = await project('version', [idle('w1')]);
    const { version } = JSON.parse(readFileSync(join(MUXCTL_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      // Among other flags the bundle answers; alone, the bin answers from package.json without loading it.
      const result = await p.run([flag]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout.trim()).toBe(version);
      const alone = await execa('node', [MUXCTL_BIN, flag], { reject: false, stdin: 'ignore' });
      expect({ exitCode: alone.exitCode, stdout: alone.stdout, stderr: alone.stderr }).toEqual({ exitCode: 0, stdout: version, stderr: '' });
    }
  });

  it('an unknown command or option exits 2 with a pointer to --help and starts nothing', async () => {
    const p = await project('unknown', [idle('w1')]);
    const command = await p.run(['frobnicate']);
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toContain('Unknown command "frobnicate"');
    expect(command.stderr).toContain('muxctl --help');
    const option = await p.run(['up', '--frobnicate']);
    expect(option.exitCode).toBe(2);
    expect(option.stderr).toContain('--frobnicate');
    expect(await sessions(p.socket)).toEqual([]);
  });
});

// ── muxctl inside a worker ──────────────────────────────────────────────────────────────────────────

describe('muxctl inside a worker', () => {
  it('finds its project through MUXCTL_CONFIG and prints the table into the pane', async () => {
    const p = await project('inside', [{ name: 'inner', command: 'muxctl status; echo "status exit $?"; exec sleep 600' }, idle('other', 'infra')]);
    expect((await p.run(['up'])).exitCode).toBe(0);

    // The worktree holds no sessions.json (it is not committed): only MUXCTL_CONFIG can lead muxctl to it.
    const shown = await screenShows(p.socket, 'inner', 'status exit ', 10_000);
    expect(shown).toContain('status exit 0');
    expect(shown).toMatch(/WORKER\s+LANE\s+STATE\s+EVIDENCE\s+WORKTREE/);
    expect(shown).toMatch(new RegExp(`inner\\s+app\\s+(starting|running|working)\\s+.*${escapeRegExp(join(p.worktreeDir, 'inner'))}`));
    expect(shown).toMatch(/other\s+infra\s+/);
  });
});
