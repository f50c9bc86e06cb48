/**
 * Integration: real agent logs (test/fixtures/agent-logs, see SOURCES.md there) read by the BUILT muxctl
 * through a worker's `log` config, against real tmux and git. `muxctl status --json` must carry the facts
 * a person reads in each file (last tool, rejected call, tokens, cost, errors), with the log path given
 * each way the config allows (relative to the worktree, absolute, `~/`, `{worktree}`, `{claudeProject}`
 * with a glob) and the format set or detected ("auto"). Then, in a dashboard: a copied log that grows
 * updates the panel live, and a truncated one starts over cleanly.
 *
 * The fixtures are copied, never pointed at: the live tests write to their copy, and nothing here may
 * change a fixture.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { startWorkers } from '../helpers/cli.js';
import { MUXCTL_ROOT, makeProject, type TestProject } from '../helpers/project.js';
import { disposeAllPtys } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';
import { openDashboard, panelOf, waitForGridIntact, waitForPanel } from '../e2e/dashboardScreen.js';

const FIXTURES = join(MUXCTL_ROOT, 'test', 'fixtures', 'agent-logs');
const fixture = {
  claudeDialog: join(FIXTURES, 'claude-code', 'claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl'),
  claudeViewer: join(FIXTURES, 'claude-code', 'claude-code-viewer__5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl'),
  streamJson: join(FIXTURES, 'claude-code-stream-json', 'claude-agent-sdk-gleam__golden-basic_query.ndjson'),
  codexRollout: join(FIXTURES, 'codex', 'localpush__rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl'),
  codexExec: join(FIXTURES, 'codex', 'agentcmd__codex-exec-json__stream-output-5.jsonl'),
  aider: join(FIXTURES, 'aider', 'Monochromatic__.aider.chat.history.md'),
};
/** The names the agents give these files themselves (detection may look at the name, e.g. Aider's). */
const ROLLOUT_NAME = 'rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl';
const CLAUDE_SESSION_NAME = 'f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl';

const IDLE = 'exec sleep 600';

async function statusJson(p: TestProject, env: Record<string, string> = {}): Promise<Record<string, WorkerSnapshot>> {
  const result = await p.run(['status', '--json'], env);
  if (result.exitCode !== 0) throw new Error(`status --json exited ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as { workers: WorkerSnapshot[] };
  return Object.fromEntries(parsed.workers.map((w) => [w.name, w]));
}

async function copyInto(source: string, target: string): Promise<string> {
  await mkdir(dirname(target), { recursive: true });
  await copyFile(source, target);
  return target;
}

describe('muxctl status --json on real agent logs', () => {
  let p: TestProject;
  let home: string;
  let logsDir: string;
  let workers: Record<string, WorkerSnapshot>;

  beforeAll(async () => {
    p = await makeProject('real-logs', []);
    home = join(p.repo.scratch, 'home');
    logsDir = join(p.repo.scratch, 'agent-logs');
    const worktree = (name: string) => join(p.worktreeDir, name);
    await p.writeConfig({
      ...p.config,
      workers: [
        // Where Claude Code keeps it: ~/.claude/projects/<the worktree's path, dashed>/<session>.jsonl, newest wins.
        { name: 'claude', lane: 'app', command: IDLE, log: { path: '~/.claude/projects/{claudeProject}/*.jsonl', format: 'auto' } },
        { name: 'viewer', lane: 'app', command: IDLE, log: { path: join(logsDir, basename(fixture.claudeViewer)), format: 'claude-code' } },
        { name: 'stream', lane: 'app', command: IDLE, log: { path: 'logs/claude.ndjson', format: 'auto' } },
        { name: 'rollout', lane: 'infra', command: IDLE, log: { path: `{worktree}/.codex/${ROLLOUT_NAME}`, format: 'auto' } },
        { name: 'exec', lane: 'infra', command: IDLE, log: { path: join(logsDir, 'codex-exec.jsonl'), format: 'codex-exec-json' } },
        { name: 'aider', lane: 'infra', command: IDLE, log: { path: '.aider.chat.history.md', format: 'auto' } },
      ],
    });
    await startWorkers(p);
    // The worktrees exist now (git made them); the logs go where each config says.
    await copyInto(fixture.claudeDialog, join(home, '.claude', 'projects', worktree('claude').replace(/[^A-Za-z0-9]/g, '-'), CLAUDE_SESSION_NAME));
    await copyInto(fixture.claudeViewer, join(logsDir, basename(fixture.claudeViewer)));
    await copyInto(fixture.streamJson, join(worktree('stream'), 'logs', 'claude.ndjson'));
    await copyInto(fixture.codexRollout, join(worktree('rollout'), '.codex', ROLLOUT_NAME));
    await copyInto(fixture.codexExec, join(logsDir, 'codex-exec.jsonl'));
    await copyInto(fixture.aider, join(worktree('aider'), '.aider.chat.history.md'));
    workers = await statusJson(p, { HOME: home });
  });
  afterAll(async () => {
    await p?.cleanup();
  });

  const summary = (name: string) => {
    const s = workers[name]?.summary;
    if (!s) throw new Error(`no log summary for ${name}: ${JSON.stringify(workers[name])}`);
    return s;
  };

  it('reads every log without an unreadable line, and still sees each worker\'s live pane', () => {
    for (const name of ['claude', 'viewer', 'stream', 'rollout', 'exec', 'aider']) {
      expect(summary(name).malformed, name).toBe(0);
      expect(['exited', 'crashed', 'missing', 'stopped'], name).not.toContain(workers[name]?.health.state);
    }
  });

  it('Claude Code 2.1.29 (found by glob under ~/.claude/projects/{claudeProject}, format detected): the last tool is Bash, and it was rejected', () => {
    const s = summary('claude');
    expect(s.tool).toMatchObject({ name: 'Bash', open: false });
    expect(s.tool?.text).toContain('touch /tmp/test_file.txt');
    expect(s.tokens).toEqual({ input: 10, output: 8 });
    // The transcript's outcome: the person rejected the Bash call in the permission dialog, and the turn
    // ended "interrupted by the user". A summary that leaves this out reads as a Bash call that ran fine.
    expect(JSON.stringify(s), 'the rejected call or the interrupted turn, somewhere in the summary').toMatch(/rejected|interrupted/);
  });

  it('Claude Code 1.0.108 (absolute path, format set): last tool TodoWrite, tokens per API message counted once, subagent included', () => {
    const s = summary('viewer');
    expect(s.tool).toMatchObject({ name: 'TodoWrite', open: false });
    expect(s.prompt).toContain('CLAUDE.md');
    expect(s.message).toContain('CLAUDE.md');
    // From the file (jq): the last usage of each message.id, main chain 64 in / 2003 out, sidechain 65 / 1626.
    expect(s.tokens).toEqual({ input: 129, output: 3629 });
    expect(s.costUsd).toBeNull();
  });

  it('claude -p stream-json (relative to the worktree, format detected): the cost is the result line\'s total_cost_usd', async () => {
    const s = summary('stream');
    const result = (await readFile(fixture.streamJson, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o['type'] === 'result');
    expect(result?.['total_cost_usd']).toBe(0.1354875);
    expect(s.costUsd).toBe(0.1354875);
    expect(s.message).toBe('4');
    expect(s.errors).toBe(0);
  });

  it('Codex rollout ({worktree} placeholder, format detected): tokens are the last running total, cached input left out', async () => {
    const lines = (await readFile(fixture.codexRollout, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; payload?: { type?: string; info?: { total_token_usage?: Record<string, number> } | null } });
    const total = lines.filter((l) => l.payload?.type === 'token_count' && l.payload.info).at(-1)?.payload?.info?.total_token_usage;
    // 298 373 input of which 238 848 cached; 1 123 output.
    expect(total).toMatchObject({ input_tokens: 298_373, cached_input_tokens: 238_848, output_tokens: 1_123 });
    expect(summary('rollout').tokens).toEqual({ input: 298_373 - 238_848, output: 1_123 });
    expect(summary('rollout').tool?.name).toBe('mcp__cloud-associates__execute_workflow');
  });

  it('codex exec --json (absolute, format set): the shell command, the answer and turn.completed usage', () => {
    const s = summary('exec');
    expect(s.tool).toMatchObject({ name: 'shell', open: false });
    expect(s.tool?.text).toContain('ls');
    expect(s.message).toMatch(/^Found 1 text file `hello\.txt`/);
    // turn.completed: 6 086 input of which 2 944 cached; 223 output.
    expect(s.tokens).toEqual({ input: 6_086 - 2_944, output: 223 });
  });

  it('Aider chat history (Aider\'s own file name in the worktree, format detected): errors counted, cost summed', () => {
    const s = summary('aider');
    expect(s.errors).toBeGreaterThan(0);
    expect(s.lastError).toMatch(/SEARCH\/REPLACE block failed to match/);
    // The file's 39 "Cost: $X message, $Y session" lines: the messages add up to $1.0084 over its sessions.
    expect(s.costUsd).toBeCloseTo(1.0084, 6);
    expect(s.checkpoint).toMatch(/^commit [0-9a-f]{7}/);
  });

  it('a live worker whose log was last written months ago is not "working · log active" just because muxctl read it now', async () => {
    // The rollout's last line is from 2026-02-23T19:36:02Z; the worker has run past idleAfterSeconds.
    await p.writeConfig({ ...p.config, health: { idleAfterSeconds: 1, stuckAfterSeconds: 86_400, settleMs: 0 } });
    let last: WorkerSnapshot | undefined;
    await waitFor(
      async () => {
        last = (await statusJson(p, { HOME: home }))['rollout'];
        return last?.health.state === 'idle';
      },
      { what: 'rollout to be idle', timeoutMs: 6_000, intervalMs: 300 },
    ).catch(() => undefined);
    // What it said instead, with its evidence, when it never said idle.
    const said = `${last?.health.state} · ${last?.health.evidence} · lastActiveAt ${new Date(last?.summary?.lastActiveAt ?? 0).toISOString()}`;
    expect(said).toMatch(/^idle · /);
  });
});

describe('a copied log that grows and is truncated, in a running dashboard', () => {
  let scratch: string;
  let p: TestProject | undefined;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'muxctl-test-reallogs-'));
  });
  afterEach(async () => {
    disposeAllPtys();
    await p?.cleanup();
    p = undefined;
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('appended lines reach the panel within a deadline; a truncated file starts over with no crash and its new lines shown', async () => {
    const log = join(scratch, 'codex-exec.jsonl');
    const lines = (await readFile(fixture.codexExec, 'utf8')).split('\n').filter(Boolean);
    p = await makeProject('tail-live', [{ name: 'codex', lane: 'app', command: IDLE, log: { path: log, format: 'auto' } }]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    // Written by the running worker (a log from before its process started would be an older run's):
    // up to the command starting, the shell tool open, no answer yet.
    await writeFile(log, lines.slice(0, 4).join('\n') + '\n');
    const screen = openDashboard(p, 140, 30);
    await waitForPanel(screen, 'codex', /^▸ shell ls\s*$/m, 15_000);
    expect(panelOf(screen, 'codex')?.text).not.toContain('Found 1 text file');

    // The rest of the run arrives, as codex writes it.
    await appendFile(log, lines.slice(4).join('\n') + '\n');
    await waitForPanel(screen, 'codex', /^“Found 1 text file `hello\.txt`/m, 3_000);
    await waitForPanel(screen, 'codex', /^✓ shell ls\s*$/m, 1_000);
    await waitForPanel(screen, 'codex', /^3\.4k tok · active/m, 1_000);

    // Truncated and rewritten shorter (a new run into the same file): read from its start, once.
    const rerun = [
      '{"type":"thread.started","thread_id":"t-2"}',
      '{"type":"turn.started"}',
      '{"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":"second run after truncation"}}',
    ];
    await writeFile(log, rerun.join('\n') + '\n');
    await waitForPanel(screen, 'codex', /^“second run after truncation”/m, 3_000);
    await waitForGridIntact(screen);
    expect(panelOf(screen, 'codex')?.text).not.toMatch(/unreadable/);
  });
});
