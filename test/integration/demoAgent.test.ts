/**
 * Runs the real demo agent (through tsx, until the lead bundles it) as a child process, at 1/100 speed,
 * and checks what it writes to its event log, its exit codes, and — in a pty — what a person sees.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { git, makeRepo, type TestRepo } from '../helpers/gitRepo.js';
import { disposeAllPtys, keys, spawnInPty } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';

const AGENT = resolve(import.meta.dirname, '../../src/demo/agent.ts');
// --import resolves a bare "tsx" from the child's cwd (a temp dir here), so give it tsx's own URL.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SPEED = '0.01';

const workDir = mkdtempSync(join(tmpdir(), 'muxctl-demo-agent-'));
const children: ChildProcessWithoutNullStreams[] = [];
let runCount = 0;

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  disposeAllPtys();
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface AgentEvent {
  time: string;
  type: string;
  worker?: string;
  text?: string;
  sha?: string;
  step?: string;
  tool?: string;
  input?: Record<string, string>;
  ok?: boolean;
  tokens?: { input: number; output: number };
  costUsd?: number;
  turn?: number;
}

interface RunningAgent {
  child: ChildProcessWithoutNullStreams;
  logPath: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startAgent(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): RunningAgent {
  const logPath = join(workDir, `events-${++runCount}.jsonl`);
  const child = spawn(process.execPath, ['--import', TSX, AGENT, '--speed', SPEED, '--log', logPath, ...args], {
    cwd: opts.cwd ?? workDir,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NO_COLOR: '1', ...opts.env },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit({ code, signal })));
  return { child, logPath, stdout: () => stdout, stderr: () => stderr, exited };
}

function readEvents(logPath: string): AgentEvent[] {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AgentEvent);
}

/** Polls the log until `found` returns something, or fails with the log so far. */
async function waitForEvents<T>(agent: RunningAgent, what: string, found: (events: AgentEvent[]) => T | undefined, timeoutMs = 15_000): Promise<T> {
  const log = () => (existsSync(agent.logPath) ? readFileSync(agent.logPath, 'utf8') : '(none yet)');
  return waitFor(() => found(readEvents(agent.logPath)), {
    what,
    timeoutMs,
    detail: () => `log:\n${log()}\nstdout:\n${agent.stdout()}\nstderr:\n${agent.stderr()}`,
  });
}

describe('demo agent, as a child process', () => {
  it('quick: exits 0, and the last event is a result with tokens and cost', async () => {
    const agent = startAgent(['--profile', 'quick'], { env: { MUXCTL_WORKER: 'app-1' } });
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    const events = readEvents(agent.logPath);
    const last = events.at(-1);
    expect(last?.type).toBe('result');
    expect(last?.tokens?.input).toBeGreaterThan(0);
    expect(last?.tokens?.output).toBeGreaterThan(0);
    expect(last?.costUsd).toBeGreaterThan(0);
    expect(last?.turn).toBe(1);
    for (const event of events) {
      expect(event.worker).toBe('app-1');
      expect(new Date(event.time).toISOString()).toBe(event.time);
    }
    expect(events.filter((e) => e.type === 'tool_start')).toHaveLength(events.filter((e) => e.type === 'tool_end').length);
    expect(agent.stdout()).toMatch(/✓ Done: /);
  });

  it('quick without --log writes .muxctl-agent/events.jsonl in its working directory, or $MUXCTL_AGENT_LOG', async () => {
    const cwd = mkdtempSync(join(workDir, 'cwd-'));
    const child = spawn(process.execPath, ['--import', TSX, AGENT, '--profile', 'quick', '--speed', SPEED], { cwd, env: { PATH: process.env['PATH'] ?? '' } });
    children.push(child);
    expect(await new Promise((r) => child.on('exit', r))).toBe(0);
    expect(readEvents(join(cwd, '.muxctl-agent', 'events.jsonl')).at(-1)?.type).toBe('result');

    const envLog = join(cwd, 'from-env', 'log.jsonl');
    const second = spawn(process.execPath, ['--import', TSX, AGENT, '--profile', 'quick', '--speed', SPEED], {
      cwd, env: { PATH: process.env['PATH'] ?? '', MUXCTL_AGENT_LOG: envLog },
    });
    children.push(second);
    expect(await new Promise((r) => second.on('exit', r))).toBe(0);
    expect(readEvents(envLog).at(-1)?.type).toBe('result');
  });

  it('flaky: prints an error to stderr, logs it, exits 3', async () => {
    const agent = startAgent(['--profile', 'flaky', '--seed', '7']);
    expect((await agent.exited).code).toBe(3);
    expect(agent.stderr()).toMatch(/Error/);
    const last = readEvents(agent.logPath).at(-1);
    expect(last?.type).toBe('error');
    expect(agent.stderr()).toContain(last?.text);
  });

  it('asks: waits for a line on stdin; "y" runs the tool', async () => {
    const agent = startAgent(['--profile', 'asks', '--seed', '11']);
    const question = await waitForEvents(agent, 'a question', (events) => events.find((e) => e.type === 'question'));
    expect(question.text).toMatch(/^Allow Bash\(.+\)\?$/);
    // Waiting, not gone: heartbeats keep coming after the question, and no answer is logged.
    await waitForEvents(agent, 'two heartbeats after the question', (events) => {
      const after = events.slice(events.findIndex((e) => e.type === 'question'));
      return after.filter((e) => e.type === 'heartbeat').length >= 2 ? true : undefined;
    });
    const before = readEvents(agent.logPath);
    expect(before.some((e) => e.type === 'answer')).toBe(false);
    expect(before.filter((e) => e.type !== 'heartbeat').at(-1)?.type).toBe('question');
    expect(agent.stdout()).toMatch(/\? Allow Bash\(.+\)\? \[y\/n\] $/);

    agent.child.stdin.write('y\n');
    const answer = await waitForEvents(agent, 'the answer', (events) => events.find((e) => e.type === 'answer'));
    expect(answer).toMatchObject({ text: 'y', ok: true });
    const ran = await waitForEvents(agent, 'the allowed tool to finish', (events) =>
      events.find((e) => e.type === 'tool_end' && e.input?.['command'] === question.input?.['command']));
    expect(ran.ok).toBe(true);
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(143);
  });

  it('asks: "n" logs the tool as rejected and carries on', async () => {
    const agent = startAgent(['--profile', 'asks', '--seed', '12']);
    const question = await waitForEvents(agent, 'a question', (events) => events.find((e) => e.type === 'question'));
    agent.child.stdin.write('n\n');
    const rejected = await waitForEvents(agent, 'the rejected tool', (events) =>
      events.find((e) => e.type === 'tool_end' && e.input?.['command'] === question.input?.['command']));
    expect(rejected).toMatchObject({ ok: false, text: 'rejected by the user' });
    expect(readEvents(agent.logPath).find((e) => e.type === 'answer')).toMatchObject({ ok: false });
    await waitForEvents(agent, 'work after the rejection', (events) => {
      const rejectedAt = events.findIndex((e) => e.type === 'tool_end' && e.ok === false);
      return events.slice(rejectedAt + 1).find((e) => e.type === 'tool_start');
    });
  });

  it('SIGTERM: prints "interrupted", logs it, exits 143; SIGINT exits 130', async () => {
    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      const agent = startAgent(['--profile', 'steady']);
      await waitForEvents(agent, 'a started tool', (events) => events.find((e) => e.type === 'tool_start'));
      agent.child.kill(signal);
      expect((await agent.exited).code).toBe(code);
      expect(agent.stdout()).toContain('interrupted');
      expect(readEvents(agent.logPath).at(-1)).toMatchObject({ type: 'message', text: `interrupted (${signal})` });
    }
  });

  it('exits 2 with a usable message on a bad flag', async () => {
    const agent = startAgent(['--profile', 'lazy']);
    expect((await agent.exited).code).toBe(2);
    expect(agent.stderr()).toMatch(/unknown profile "lazy"[\s\S]*usage: muxctl-demo-agent/);
  });
});

describe('demo agent, in a terminal', () => {
  it('shows its work and its question on screen; y continues; Ctrl-C interrupts with 130', async () => {
    const logPath = join(workDir, 'pty-events.jsonl');
    const screen = spawnInPty(process.execPath, ['--import', TSX, AGENT, '--profile', 'asks', '--seed', '3', '--speed', SPEED, '--log', logPath], {
      cwd: workDir, cols: 100, rows: 30, env: { MUXCTL_WORKER: 'app-2' },
    });
    await screen.waitForText(/^▶ .+$/m, { what: 'the task title' });
    await screen.waitForText(/^\? Allow Bash\(.+\)\? \[y\/n\]$/m, { what: 'the permission question' });
    // Colours are escapes in the byte stream, not text on the screen.
    expect(screen.output).toContain('\x1b[');
    expect(screen.text()).not.toContain('\x1b');
    screen.write(`y${keys.enter}`);
    // The tty echoes the answer after the prompt.
    await screen.waitForText(/\[y\/n\] y$/m);
    await screen.waitForText(/^\s+⎿ /m);
    screen.write(keys.ctrlC);
    expect((await screen.waitForExit()).exitCode).toBe(130);
    await screen.waitForText('interrupted');
    const events = readEvents(logPath);
    expect(events.find((e) => e.type === 'answer')).toMatchObject({ worker: 'app-2', text: 'y', ok: true });
    expect(events.at(-1)).toMatchObject({ text: 'interrupted (SIGINT)' });
  });
});

describe('demo agent, in task mode (MUXCTL_TASK_ID set)', () => {
  const BRANCH = 'task/T3-add-a-health-endpoint';
  const repos: TestRepo[] = [];
  afterAll(async () => {
    for (const repo of repos) await repo.cleanup();
  });

  /**
   * A repository with the task branch checked out, like a worker's worktree after a claim, and a fake
   * `muxctl` first on PATH that records its argv. HOME is a scratch directory, so neither the machine's
   * git identity nor its signing setup is seen.
   */
  async function taskWorktree(): Promise<{ repo: TestRepo; env: Record<string, string>; muxctlCalls: () => string[] }> {
    const repo = await makeRepo();
    repos.push(repo);
    await repo.commit('README.md', '# demo\n', 'Initial commit');
    await git(repo.path, 'checkout', '-q', '-b', BRANCH);
    const bin = join(repo.scratch, 'bin');
    const calls = join(repo.scratch, 'muxctl-calls.txt');
    mkdirSync(bin);
    writeFileSync(join(bin, 'muxctl'), `#!/bin/sh\necho "$*" >> '${calls}'\necho "fake muxctl: $*"\nexit 0\n`);
    chmodSync(join(bin, 'muxctl'), 0o755);
    const env = {
      PATH: `${bin}:${process.env['PATH'] ?? ''}`,
      HOME: repo.scratch,
      GIT_CONFIG_NOSYSTEM: '1',
      MUXCTL_WORKER: 'app-1',
      MUXCTL_TASK_ID: 'T3',
      MUXCTL_TASK_TITLE: 'Add a health endpoint',
      MUXCTL_TASK_PROMPT: 'Task T3: Add a health endpoint',
      MUXCTL_TASK_BRANCH: BRANCH,
      MUXCTL_TASK_CHECK: '',
      MUXCTL_TASK_RESUME: '0',
    };
    const muxctlCalls = (): string[] => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter((line) => line !== '') : []);
    return { repo, env, muxctlCalls };
  }

  it('commits demo-work/<id>.md on the task branch, runs `muxctl task done`, and stays alive, quiet, for the next task', async () => {
    const { repo, env, muxctlCalls } = await taskWorktree();
    const agent = startAgent(['--profile', 'steady'], { cwd: repo.path, env });
    const finished = await waitForEvents(agent, 'the task to finish', (events) => events.find((e) => e.type === 'status' && e.text === 'task T3 finished; waiting for the next one'));
    expect(muxctlCalls()).toEqual(['task done']);
    // muxctl's answer is on the worker's screen.
    expect(agent.stdout()).toContain('fake muxctl: task done');
    expect(agent.stdout()).toContain('task T3 finished; waiting for the next one');

    expect((await git(repo.path, 'log', '-1', '--format=%s|%ae', BRANCH)).trim()).toBe('T3: Add a health endpoint|demo@muxctl.invalid');
    const committed = await git(repo.path, 'show', `${BRANCH}:demo-work/T3.md`);
    expect(committed.split('\n')[0]).toBe('# T3: Add a health endpoint');
    expect(committed).toMatch(/^- .+/m);
    expect(await git(repo.path, 'status', '--porcelain')).toBe('');
    expect(await git(repo.path, 'ls-tree', '--name-only', 'main')).toBe('README.md');

    const events = readEvents(agent.logPath);
    expect(events.find((e) => e.type === 'prompt')?.text).toBe('T3 Add a health endpoint');
    const head = (await git(repo.path, 'rev-parse', BRANCH)).trim();
    expect(events.find((e) => e.type === 'checkpoint')).toMatchObject({ sha: head, step: 'committed' });
    const resultAt = events.findIndex((e) => e.type === 'result');
    expect(resultAt).toBeGreaterThan(events.findIndex((e) => e.type === 'checkpoint'));
    // After the result only the final status: nothing that reopens a turn, so the worker can look idle.
    expect(events.slice(resultAt + 1).filter((e) => e.type !== 'heartbeat')).toEqual([finished]);

    expect(agent.child.exitCode).toBeNull();
    agent.child.kill('SIGTERM');
    // 143 is the agent's own SIGTERM handler: it was alive and waiting, not gone.
    expect(await agent.exited).toEqual({ code: 143, signal: null });
    const all = readEvents(agent.logPath);
    const afterFinish = all.slice(all.findIndex((e) => e.type === 'status') + 1);
    // Killed between turns: a status, which opens no turn (a message would make it look as if it worked).
    expect(afterFinish.map((e) => [e.type, e.text])).toEqual([['status', 'stopped (SIGTERM)']]);
  });

  it('a resumed task says so first and commits with the repository\'s own identity', async () => {
    const { repo, env, muxctlCalls } = await taskWorktree();
    await git(repo.path, 'config', 'user.name', 'Demo Person');
    await git(repo.path, 'config', 'user.email', 'person@muxctl.invalid');
    const agent = startAgent(['--profile', 'quick'], { cwd: repo.path, env: { ...env, MUXCTL_TASK_RESUME: '1', MUXCTL_TASK_CHECKPOINT: 'committed, abc1234' } });
    await waitForEvents(agent, 'the task to finish', (events) => events.find((e) => e.type === 'status'));
    expect(agent.stdout()).toMatch(/resuming T3 from committed, abc1234[\s\S]*▶ T3 Add a health endpoint/);
    expect((await git(repo.path, 'log', '-1', '--format=%ae', BRANCH)).trim()).toBe('person@muxctl.invalid');
    expect(await git(repo.path, 'show', `${BRANCH}:demo-work/T3.md`)).toContain('Resumed from committed, abc1234.');
    expect(muxctlCalls()).toEqual(['task done']);
    expect(agent.child.exitCode).toBeNull();
  });

  it('flaky crashes with exit 3 before committing and never says it is done', async () => {
    const { repo, env, muxctlCalls } = await taskWorktree();
    const agent = startAgent(['--profile', 'flaky'], { cwd: repo.path, env });
    expect((await agent.exited).code).toBe(3);
    expect(readEvents(agent.logPath).at(-1)?.type).toBe('error');
    expect((await git(repo.path, 'rev-list', '--count', `main..${BRANCH}`)).trim()).toBe('0');
    expect(existsSync(join(repo.path, 'demo-work'))).toBe(false);
    expect(muxctlCalls()).toEqual([]);
  });
});

describe('demo agent, --await-task with no task', () => {
  it('waits quietly: a status event, no turn opened, no heartbeats, alive until signalled', async () => {
    const agent = startAgent(['--profile', 'flaky', '--await-task']);
    const waiting = await waitForEvents(agent, 'the waiting status', (events) => events.find((e) => e.type === 'status'));
    expect(waiting.text).toMatch(/waiting for a task$/);
    await screenShows(agent, 'no task yet; waiting for one from the board');
    expect(agent.child.exitCode).toBeNull();
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toEqual({ code: 143, signal: null });
    expect(readEvents(agent.logPath).map((e) => e.type)).toEqual(['status', 'status']);
    expect(readEvents(agent.logPath).at(-1)?.text).toBe('stopped (SIGTERM)');
  });
});

async function screenShows(agent: RunningAgent, text: string): Promise<void> {
  await waitFor(() => agent.stdout().includes(text), { what: `"${text}" on stdout`, timeoutMs: 15_000, detail: () => `stdout:\n${agent.stdout()}` });
}
