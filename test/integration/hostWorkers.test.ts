/**
 * Workers on another machine, through the built CLI and a real OpenSSH server on loopback: the "host"
 * is this machine reached over ssh, with its own clone of the repository and its own tmux server, so
 * the test can look at both directly and see that every step happened there and nothing here.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { events, projectsCleanedUpAfterEach, screenShows, sessions, statusJson, type StatusWorker } from '../helpers/cli.js';
import { git } from '../helpers/gitRepo.js';
import { MUXCTL_ROOT, type TestProject } from '../helpers/project.js';
import { useLoopbackHost } from '../helpers/hosts.js';
import { freePort } from '../helpers/sshd.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();
const host = useLoopbackHost();

/** A project whose worker `gpu-1` runs on host box1: a second clone of the repository, reached over ssh. */
async function withHost(label: string, command: string, port?: number): Promise<{ p: TestProject; clone: string; hostSocket: string }> {
  const p = await project(label, [{ name: 'w1', command: 'exec sleep 600' }]);
  return { p, ...(await host.add(p, [{ name: 'gpu-1', command }], port === undefined ? {} : { port })) };
}

it('starts a worker on its host, in a worktree of the clone there, shows it, and stops and removes it there', async () => {
  const { p, clone, hostSocket } = await withHost('onhost', 'echo "on $MUXCTL_HOST in $PWD"; exec sleep 600');
  const up = await p.run(['up']);
  expect(up.exitCode, up.stderr).toBe(0);

  // The host's own tmux server runs it; this machine's runs only the local worker.
  expect(await sessions(hostSocket)).toEqual(['gpu-1']);
  expect(await sessions(p.socket)).toEqual(['w1']);
  const hostWorktree = join(p.repo.scratch, 'box1-worktrees', 'gpu-1');
  await screenShows(hostSocket, 'gpu-1', `on box1 in ${hostWorktree}`);
  // Its worktree and branch are the clone's, not this repository's.
  expect(await git(clone, 'worktree', 'list', '--porcelain')).toContain(`worktree ${hostWorktree}`);
  expect(await git(clone, 'branch', '--list', 'muxctl/gpu-1')).toContain('muxctl/gpu-1');
  expect(await git(p.repo.path, 'branch', '--list', 'muxctl/gpu-1')).toBe('');

  // status says what runs there, as it says it of a worker here: its screen (read over ssh) just moved.
  let last: unknown;
  const shown = await waitFor(
    async () => {
      const seen = (await statusJson(p)).find((w) => w.name === 'gpu-1');
      last = seen?.health;
      return seen?.health.state === 'working' ? seen : undefined;
    },
    { what: 'gpu-1 working in status', timeoutMs: 10_000, detail: () => JSON.stringify(last) },
  );
  expect(shown.health.evidence).toBe('screen active <1m ago');
  expect(shown.screen.join('\n')).toContain(`on box1 in ${hostWorktree}`);

  const down = await p.run(['down', 'gpu-1', '--remove', '--reason', 'done with the box']);
  expect(down.exitCode, down.stderr).toBe(0);
  expect(down.stdout).toContain(`removed ${hostWorktree}`);
  expect(await sessions(hostSocket)).toEqual([]);
  expect(existsSync(hostWorktree)).toBe(false);
  expect(events(p).filter((e) => e.worker === 'gpu-1').map((e) => [e.action, e.reason])).toEqual([
    ['start', 'started from the command line'],
    ['stop', 'done with the box'],
    ['remove', 'clean worktree'],
  ]);
}, 90_000);

it('refuses to remove a host worktree with uncommitted work, and keeps it', async () => {
  const { p, clone, hostSocket } = await withHost('dirtyhost', 'echo draft > notes.txt; exec sleep 600');
  expect((await p.run(['up', 'gpu-1'])).exitCode).toBe(0);
  const hostWorktree = join(p.repo.scratch, 'box1-worktrees', 'gpu-1');
  await waitFor(() => existsSync(join(hostWorktree, 'notes.txt')) || undefined, { what: 'the worker to write notes.txt on the host' });

  const down = await p.run(['down', 'gpu-1', '--remove']);
  expect(down.exitCode).not.toBe(0);
  expect(`${down.stdout}${down.stderr}`).toContain(`kept ${hostWorktree}: 1 file with uncommitted changes (notes.txt)`);
  expect(existsSync(join(hostWorktree, 'notes.txt'))).toBe(true);
  expect(await sessions(hostSocket)).toEqual([]);

  // Forced, it goes, and its work is kept in a backup ref in the host's clone.
  const forced = await p.run(['down', 'gpu-1', '--remove', '--force']);
  expect(forced.exitCode, forced.stderr).toBe(0);
  const ref = /backup at (refs\/muxctl\/backup\/gpu-1\/\S+) in the clone on box1/.exec(forced.stdout)?.[1];
  expect(ref, forced.stdout).toBeDefined();
  expect(existsSync(hostWorktree)).toBe(false);
  expect(await git(clone, 'show', `${ref}:notes.txt`)).toBe('draft');
}, 90_000);

it('says a host that cannot be reached is unreachable, with what ssh said, and starts nothing there', async () => {
  const { p } = await withHost('downhost', 'exec sleep 600', await freePort());
  const up = await p.run(['up']);
  expect(up.exitCode).not.toBe(0);
  expect(`${up.stdout}${up.stderr}`).toMatch(/gpu-1.*host box1: ssh failed: .*Connection refused/s);
  // The worker here started all the same.
  expect(await sessions(p.socket)).toEqual(['w1']);

  const status = await statusJson(p);
  const remote = status.find((w) => w.name === 'gpu-1');
  expect(remote?.health.state).toBe('unreachable');
  expect(remote?.health.evidence).toMatch(/^host box1 unreachable since \d\d:\d\d:\d\d · retrying · ssh: .*Connection refused/);
}, 60_000);

it("follows a host worker's event log over ssh: working in its turn, idle once the turn ended", async () => {
  const { p } = await withHost('hostlogs', `printf '%s\\n' '{"type":"prompt","text":"train the model"}' '{"type":"tool_start","tool":"Bash","text":"python train.py"}' >> "$MUXCTL_AGENT_LOG"; exec sleep 600`);
  expect((await p.run(['up', 'gpu-1'])).exitCode).toBe(0);
  const events = join(p.repo.scratch, 'box1-worktrees', '.muxctl', 'logs', 'gpu-1.events.jsonl');
  await waitFor(() => existsSync(events) || undefined, { what: 'the event log on the host' });
  const gpu = async () => (await statusJson(p)).find((w) => w.name === 'gpu-1') as (StatusWorker & { summary: { prompt: string | null; tool: { text: string } | null; turnOpen: boolean } | null }) | undefined;
  const health = async () => (await gpu())?.health;
  // Its log, read on the host, says what it does: the prompt and the tool call under way.
  const working = await waitFor(async () => {
    const w = await gpu();
    return w?.health.state === 'working' && w.summary?.tool?.text === 'python train.py' ? w : undefined;
  }, { what: "gpu-1 working on its log's tool call", timeoutMs: 10_000 });
  expect(working.health.evidence).toMatch(/^(running Bash|log active) <1m ago$/);
  expect(working.summary).toMatchObject({ prompt: 'train the model', tool: { text: 'python train.py' } });

  appendFileSync(events, '{"type":"result","text":"trained","tokens":{"input":10,"output":5}}\n');
  const idle = await waitFor(async () => {
    const h = await health();
    return h?.state === 'idle' ? h : undefined;
  }, { what: 'gpu-1 idle after its turn', timeoutMs: 10_000 });
  expect(idle.evidence).toBe('turn done · quiet for <1m');
}, 90_000);

it("follows a Claude Code transcript on the host by its glob: the newest file of the worktree's project folder there", async () => {
  const transcript = join(MUXCTL_ROOT, 'test', 'fixtures', 'agent-logs', 'claude-code', 'claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl');
  const p = await project('hostclaude', [{ name: 'w1', command: 'exec sleep 600' }]);
  const claudeDir = join(p.repo.scratch, 'claude-on-host');
  // Claude Code names the folder after the worktree's path, every other character a "-": the worker does it there.
  const command = `d="$CLAUDE_CONFIG_DIR/projects/$(printf %s "$PWD" | tr -c 'A-Za-z0-9' '-')"; mkdir -p "$d"; cp '${transcript}' "$d/f3ba0bdb.jsonl"; exec sleep 600`;
  await host.add(p, [{ name: 'gpu-1', command, env: { CLAUDE_CONFIG_DIR: claudeDir }, log: { path: '{claudeConfigDir}/projects/{claudeProject}/*.jsonl', format: 'auto' } }]);
  expect((await p.run(['up', 'gpu-1'])).exitCode).toBe(0);
  const summary = await waitFor(
    async () => {
      const w = (await statusJson(p)).find((x) => x.name === 'gpu-1') as (StatusWorker & { summary: { tool: { name: string; text: string } | null; tokens: unknown } | null }) | undefined;
      return w?.summary?.tool ? w.summary : undefined;
    },
    { what: "gpu-1's transcript read on the host", timeoutMs: 15_000 },
  );
  expect(summary.tool).toMatchObject({ name: 'Bash' });
  expect(summary.tool?.text).toContain('touch /tmp/test_file.txt');
  expect(summary.tokens).toEqual({ input: 10, output: 8 });
}, 60_000);

it("prepares a new worktree on its host as here: the main checkout's files named by worktree.copy copied there, then worktree.setup run there", async () => {
  const p = await project('hostprep', [{ name: 'w1', command: 'exec sleep 600' }], {
    worktree: { copy: ['.env', 'config/*.local.json'], setup: 'echo "set up on $MUXCTL_HOST in $PWD"; cat .env > setup.out' },
  });
  const { clone, hostSocket } = await host.add(p, [{ name: 'gpu-1', command: 'exec sleep 600' }]);
  // Untracked in the host's main checkout (its clone): what a person keeps there and not in git.
  writeFileSync(join(clone, '.env'), 'TOKEN=on-the-host\n');
  mkdirSync(join(clone, 'config'));
  writeFileSync(join(clone, 'config', 'db.local.json'), '{"db":"box1"}\n');
  const up = await p.run(['up', 'gpu-1']);
  expect(up.exitCode, `${up.stdout}${up.stderr}`).toBe(0);
  expect(await sessions(hostSocket)).toEqual(['gpu-1']);
  const hostWorktree = join(p.repo.scratch, 'box1-worktrees', 'gpu-1');
  expect(readFileSync(join(hostWorktree, '.env'), 'utf8')).toBe('TOKEN=on-the-host\n');
  expect(readFileSync(join(hostWorktree, 'config', 'db.local.json'), 'utf8')).toBe('{"db":"box1"}\n');
  // The setup ran there, in the worktree, with the worker's environment; its lines are in its log there.
  expect(readFileSync(join(hostWorktree, 'setup.out'), 'utf8')).toBe('TOKEN=on-the-host\n');
  const log = readFileSync(join(p.repo.scratch, 'box1-worktrees', '.muxctl', 'logs', 'gpu-1.events.jsonl'), 'utf8');
  expect(log).toContain(`setup: set up on box1 in ${hostWorktree}`);
  expect(log).toContain('worktree: copied .env, config/db.local.json from');
  // Nothing of it here.
  expect(existsSync(join(p.repo.scratch, 'worktrees', 'gpu-1'))).toBe(false);
  expect(events(p).find((e) => e.worker === 'gpu-1' && e.action === 'prepare')?.reason).toMatch(/copied \.env, config\/db\.local\.json/);
}, 60_000);

it('keeps a worker on a host stopped when its worktree setup fails there, and says why from its output', async () => {
  const p = await project('hostprepfail', [{ name: 'w1', command: 'exec sleep 600' }], { worktree: { setup: 'echo "no GPU driver on $MUXCTL_HOST"; exit 3' } });
  const { hostSocket } = await host.add(p, [{ name: 'gpu-1', command: 'exec sleep 600' }]);
  const up = await p.run(['up', 'gpu-1']);
  expect(up.exitCode).not.toBe(0);
  expect(`${up.stdout}${up.stderr}`).toContain('not started: worktree setup `echo "no GPU driver on $MUXCTL_HOST"; exit 3` exited with status 3');
  expect(`${up.stdout}${up.stderr}`).toContain('no GPU driver on box1');
  expect(await sessions(hostSocket)).toEqual([]);
}, 60_000);
