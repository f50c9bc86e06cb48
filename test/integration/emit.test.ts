/** `muxctl emit` from inside a real worker, on a real tmux server: the events land where muxctl tails them. */
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TaskStore } from '../../src/adapters/taskStore.js';
import { startWorkers, tmux } from '../helpers/cli.js';
import { makeProject, MUXCTL_BIN, type TestProject } from '../helpers/project.js';
import { waitFor } from '../helpers/waitFor.js';

let project: TestProject;

beforeAll(async () => {
  project = await makeProject('emit', [
    { name: 'w1', command: 'muxctl emit status running the migrations && muxctl emit checkpoint --sha abc1234 --step build tests green; echo emitted-$?; sleep 30' },
    { name: 'w2', command: 'muxctl emit checkpoint --sha nope; echo exit-$?; sleep 30' },
  ]);
  await startWorkers(project);
});

afterAll(async () => {
  await project.cleanup();
});

it('appends status and checkpoint events to the worker\'s event log', async () => {
  const file = join(project.repo.path, '.muxctl', 'logs', 'w1.events.jsonl');
  const lines = await waitFor(async () => {
    const text = await readFile(file, 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    return lines.length >= 2 ? lines : undefined;
  }, { what: 'two events in w1.events.jsonl', timeoutMs: 10_000 });
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(events[0]).toMatchObject({ type: 'status', worker: 'w1', text: 'running the migrations' });
  expect(events[1]).toMatchObject({ type: 'checkpoint', worker: 'w1', sha: 'abc1234', step: 'build', text: 'tests green' });
  expect(Number.isNaN(Date.parse(String(events[0]?.time)))).toBe(false);
});

it('refuses a bad checkpoint inside the worker with exit 2 and writes nothing', async () => {
  await waitFor(async () => {
    const { stdout } = await tmux(project.socket, 'capture-pane', '-p', '-t', '=w2:');
    return stdout.includes('exit-2') ? true : undefined;
  }, { what: 'w2 to print exit-2', timeoutMs: 10_000 });
  const text = await readFile(join(project.repo.path, '.muxctl', 'logs', 'w2.events.jsonl'), 'utf8').catch(() => '');
  expect(text).toBe('');
});

it('says it runs inside a worker when run outside one', async () => {
  const result = await execa('node', [MUXCTL_BIN, 'emit', 'heartbeat'], { reject: false, env: { MUXCTL_WORKER: undefined, MUXCTL_AGENT_LOG: undefined } });
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toContain('muxctl emit runs inside a worker');
});

it('masks a secret in what it writes', async () => {
  const file = join(project.repo.path, '.muxctl', 'logs', 'w3.events.jsonl');
  const key = `sk-ant-api03-${'x9'.repeat(20)}`;
  const result = await execa('node', [MUXCTL_BIN, 'emit', 'status', 'using', key], { reject: false, env: { MUXCTL_WORKER: 'w3', MUXCTL_AGENT_LOG: file } });
  expect(result.exitCode, result.stderr).toBe(0);
  const text = await readFile(file, 'utf8');
  expect(text).toContain('[redacted]');
  expect(text).not.toContain(key);
});

it('records a checkpoint on the task the worker holds, so a restart resumes from it', async () => {
  const stateDir = join(project.repo.path, '.muxctl');
  const store = TaskStore.open(join(stateDir, 'state.db'));
  try {
    const task = store.add({ title: 'migrate the schema', lane: 'app' }, { kind: 'person', name: 'test' });
    store.apply(task.id, { type: 'claim', worker: 'w3', leaseMs: 60_000 }, { kind: 'person', name: 'test' });
    const env = { MUXCTL_WORKER: 'w3', MUXCTL_AGENT_LOG: join(stateDir, 'logs', 'w3.events.jsonl'), MUXCTL_STATE_DIR: stateDir };
    const result = await execa('node', [MUXCTL_BIN, 'emit', 'checkpoint', '--sha', 'def5678', '--step', 'migrations', 'half way'], { reject: false, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(store.get(task.id)?.checkpoints).toEqual([{ at: expect.any(Number), sha: 'def5678', step: 'migrations', note: 'half way' }]);
    // A worker holding no task: the log has the checkpoint, the board is not touched, nothing fails.
    const idle = await execa('node', [MUXCTL_BIN, 'emit', 'checkpoint', '--step', 'x'], { reject: false, env: { ...env, MUXCTL_WORKER: 'w4', MUXCTL_AGENT_LOG: join(stateDir, 'logs', 'w4.events.jsonl') } });
    expect(idle.exitCode, idle.stderr).toBe(0);
    expect(idle.stderr).toBe('');
  } finally {
    store.close();
  }
});
