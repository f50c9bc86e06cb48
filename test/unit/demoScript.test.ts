import { describe, expect, it } from 'vitest';
import {
  AgentUsageError, DEMO_PROFILES, demoScript, describeCall, hashString, parseAgentOptions, parseAnswer, planTask, planTurn, stepAt,
  workFilePath, type AgentTask, type DemoProfile, type DemoStep,
} from '../../src/demo/script.js';

/** The first `limit` steps (an endless profile never ends on its own). */
function take(profile: DemoProfile, seed: number, limit = 200): DemoStep[] {
  const steps: DemoStep[] = [];
  for (const step of demoScript(profile, seed)) {
    steps.push(step);
    if (steps.length >= limit) break;
  }
  return steps;
}

const SEEDS = Array.from({ length: 50 }, (_, i) => i * 7919 + 1);

describe('demo script', () => {
  it('quick: one task of 2–3 work steps, a result with tokens and cost, then exit 0', () => {
    for (const seed of SEEDS) {
      const steps = take('quick', seed);
      expect(steps.length).toBeLessThan(200);
      const [last, beforeLast] = [steps.at(-1), steps.at(-2)];
      expect(last).toMatchObject({ kind: 'exit', code: 0 });
      expect(last).not.toHaveProperty('error');
      expect(beforeLast?.kind).toBe('result');
      if (beforeLast?.kind !== 'result') throw new Error('unreachable');
      expect(beforeLast.tokens.input).toBeGreaterThan(0);
      expect(beforeLast.tokens.output).toBeGreaterThan(0);
      expect(beforeLast.costUsd).toBeGreaterThan(0);
      const work = steps.filter((step) => step.kind === 'tool' || step.kind === 'message');
      expect(work.length).toBeGreaterThanOrEqual(2);
      expect(work.length).toBeLessThanOrEqual(3);
    }
  });

  it('flaky: does a few steps, then exits 3 with an error and no result', () => {
    for (const seed of SEEDS) {
      const steps = take('flaky', seed);
      const last = steps.at(-1);
      expect(last?.kind).toBe('exit');
      if (last?.kind !== 'exit') throw new Error('unreachable');
      expect(last.code).toBe(3);
      expect(last.error).toMatch(/Error/);
      expect(steps.some((step) => step.kind === 'result')).toBe(false);
      expect(steps.filter((step) => step.kind === 'tool').length).toBeGreaterThanOrEqual(1);
    }
  });

  it('asks: asks a y/n question in the first turn, and again now and then', () => {
    for (const seed of SEEDS) {
      const firstTurn = planTurn('asks', seed, 1);
      const question = firstTurn.find((step) => step.kind === 'question');
      expect(question).toBeDefined();
      if (question?.kind !== 'question') throw new Error('unreachable');
      expect(question.prompt).toMatch(/^Allow Bash\(.+\)\?$/);
      expect(question.call.tool).toBe('Bash');
    }
    const questions = take('asks', 1, 500).filter((step) => step.kind === 'question');
    expect(questions.length).toBeGreaterThan(5);
  });

  it('steady and asks never exit; each turn ends with a result', () => {
    for (const profile of ['steady', 'asks'] as const) {
      const steps = take(profile, 42, 300);
      expect(steps).toHaveLength(300);
      expect(steps.some((step) => step.kind === 'exit')).toBe(false);
      for (let turn = 1; turn <= 5; turn++) expect(planTurn(profile, 42, turn).at(-1)?.kind).toBe('result');
    }
    expect(take('steady', 42).some((step) => step.kind === 'question')).toBe(false);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    for (const profile of DEMO_PROFILES) {
      expect(take(profile, 1234, 60)).toEqual(take(profile, 1234, 60));
    }
    expect(take('steady', 1, 40)).not.toEqual(take('steady', 2, 40));
    const run = take('steady', 99, 30);
    run.forEach((step, index) => expect(stepAt('steady', 99, index)).toEqual(step));
  });

  it('stepAt is undefined past the end of a run that exits', () => {
    const length = take('quick', 5).length;
    expect(stepAt('quick', 5, length - 1)?.kind).toBe('exit');
    expect(stepAt('quick', 5, length)).toBeUndefined();
  });

  it('keeps delays in the believable 0.2–2 s range at speed 1', () => {
    for (const step of take('asks', 8, 300)) {
      expect(step.delayMs).toBeGreaterThanOrEqual(0);
      expect(step.delayMs).toBeLessThanOrEqual(2000);
    }
  });

  it('describes calls the way an agent prints them', () => {
    expect(describeCall({ tool: 'Read', input: { file_path: 'src/auth/login.ts' } })).toBe('Reading src/auth/login.ts');
    expect(describeCall({ tool: 'Edit', input: { file_path: 'a.ts' } })).toBe('Editing a.ts');
    expect(describeCall({ tool: 'Bash', input: { command: 'npm test' } })).toBe('Bash npm test');
    expect(describeCall({ tool: 'Grep', input: { pattern: 'x' } })).toBe('Searching for "x"');
  });

  it('reads y/n answers and asks again on anything else', () => {
    expect(parseAnswer('y')).toBe('yes');
    expect(parseAnswer(' YES ')).toBe('yes');
    expect(parseAnswer('n')).toBe('no');
    expect(parseAnswer('No')).toBe('no');
    expect(parseAnswer('')).toBeUndefined();
    expect(parseAnswer('maybe')).toBeUndefined();
  });
});

const TASK: AgentTask = { id: 'T3', title: 'Add a health endpoint', branch: 'task/T3-add-a-health-endpoint', resume: false };

function commitOf(steps: readonly DemoStep[]): Extract<DemoStep, { kind: 'commit' }> {
  const commit = steps.find((step) => step.kind === 'commit');
  if (commit?.kind !== 'commit') throw new Error(`no commit step in ${steps.map((step) => step.kind).join(', ')}`);
  return commit;
}

describe('demo script, task mode', () => {
  it('works on the task: a "T3 …" prompt, tool steps, a commit of its work file, a result, then finish', () => {
    for (const seed of SEEDS) {
      const steps = planTask('steady', seed, TASK);
      expect(steps[0]).toMatchObject({ kind: 'task', title: 'T3 Add a health endpoint' });
      expect(steps.slice(-3).map((step) => step.kind)).toEqual(['message', 'result', 'finish']);
      expect(steps.at(-1)).toMatchObject({ kind: 'finish', taskId: 'T3' });
      const tools = steps.filter((step) => step.kind === 'tool');
      expect(tools.length).toBeGreaterThanOrEqual(2);
      const commit = commitOf(steps);
      expect(commit).toMatchObject({ file: 'demo-work/T3.md', message: 'T3: Add a health endpoint' });
      const lines = commit.content.split('\n');
      expect(lines[0]).toBe('# T3: Add a health endpoint');
      for (const tool of tools) expect(lines.some((line) => line.startsWith(`- ${describeCall(tool.call)}`))).toBe(true);
      // Every step before the commit is in the file: a line per step.
      const workBefore = steps.slice(0, steps.indexOf(commit)).filter((step) => step.kind === 'tool' || step.kind === 'message').length;
      expect(lines.filter((line) => line.startsWith('- '))).toHaveLength(workBefore - 1); // the opener is talk, not work
    }
  });

  it('never asks in steady and quick; asks asks once, after the commit and before finishing', () => {
    for (const seed of SEEDS) {
      expect(planTask('steady', seed, TASK).some((step) => step.kind === 'question')).toBe(false);
      const quick = planTask('quick', seed, TASK);
      expect(quick.some((step) => step.kind === 'question' || step.kind === 'exit')).toBe(false);
      expect(quick.filter((step) => step.kind === 'tool' || step.kind === 'message').length).toBeLessThanOrEqual(3);
      const asks = planTask('asks', seed, TASK);
      const kinds = asks.map((step) => step.kind);
      expect(kinds.filter((kind) => kind === 'question')).toHaveLength(1);
      expect(kinds.indexOf('question')).toBeGreaterThan(kinds.indexOf('commit'));
      expect(kinds.indexOf('question')).toBeLessThan(kinds.indexOf('finish'));
    }
  });

  it('flaky crashes with exit 3 before committing, the same way on every run of the task', () => {
    for (const seed of SEEDS) {
      const steps = planTask('flaky', seed, TASK);
      expect(steps.at(-1)).toMatchObject({ kind: 'exit', code: 3, error: expect.stringMatching(/Error/) });
      expect(steps.some((step) => step.kind === 'commit' || step.kind === 'finish' || step.kind === 'result')).toBe(false);
      expect(steps.some((step) => step.kind === 'tool')).toBe(true);
      expect(planTask('flaky', seed, TASK)).toEqual(steps);
    }
  });

  it('a resumed task says where it resumes from first, and writes it into the work file', () => {
    const steps = planTask('steady', 5, { ...TASK, resume: true, checkpoint: 'committed, 3f2a9c1d' });
    expect(steps[0]).toMatchObject({ kind: 'message', text: 'resuming T3 from committed, 3f2a9c1d' });
    expect(commitOf(steps).content).toContain('Resumed from committed, 3f2a9c1d.');
    expect(planTask('steady', 5, { ...TASK, resume: true })[0]).toMatchObject({ text: 'resuming T3 from the work on its branch' });
    expect(planTask('steady', 5, TASK)[0]?.kind).toBe('task');
  });

  it('each task has its own random stream; the work file stays inside demo-work/', () => {
    expect(planTask('steady', 1, TASK)).toEqual(planTask('steady', 1, TASK));
    expect(planTask('steady', 1, TASK)).not.toEqual(planTask('steady', 1, { ...TASK, id: 'T4' }));
    expect(workFilePath('T12')).toBe('demo-work/T12.md');
    expect(workFilePath('../../etc/x')).toBe('demo-work/..-..-etc-x.md');
  });
});

describe('demo agent options', () => {
  it('defaults: steady, speed 1, seed from the clock, log in the working directory, no task', () => {
    expect(parseAgentOptions([], {}, 77)).toEqual({
      profile: 'steady', seed: 77, speed: 1, logPath: '.muxctl-agent/events.jsonl', worker: undefined, awaitTask: false,
    });
    expect(parseAgentOptions(['--await-task'], {}, 77)).toMatchObject({ awaitTask: true });
  });

  it('reads the task from MUXCTL_TASK_*; an empty MUXCTL_TASK_ID means no task', () => {
    const env = {
      MUXCTL_TASK_ID: 'T3', MUXCTL_TASK_TITLE: 'Add a health endpoint', MUXCTL_TASK_BRANCH: 'task/T3-x',
      MUXCTL_TASK_RESUME: '1', MUXCTL_TASK_CHECKPOINT: 'committed, abc1234', MUXCTL_TASK_PROMPT: 'ignored', MUXCTL_TASK_CHECK: '',
    };
    expect(parseAgentOptions([], env, 1)).toMatchObject({
      task: { id: 'T3', title: 'Add a health endpoint', branch: 'task/T3-x', resume: true, checkpoint: 'committed, abc1234' },
    });
    const fresh = parseAgentOptions([], { MUXCTL_TASK_ID: 'T4', MUXCTL_TASK_RESUME: '0' }, 1);
    expect(fresh).toMatchObject({ task: { id: 'T4', title: 'T4', branch: '', resume: false } });
    expect(fresh !== 'help' && fresh.task).not.toHaveProperty('checkpoint');
    expect(parseAgentOptions([], { MUXCTL_TASK_ID: '' }, 1)).not.toHaveProperty('task');
  });

  it('takes the seed from MUXCTL_WORKER and the log from MUXCTL_AGENT_LOG; flags win', () => {
    const env = { MUXCTL_WORKER: 'app-1', MUXCTL_AGENT_LOG: '/tmp/x.jsonl' };
    expect(parseAgentOptions([], env, 77)).toMatchObject({ seed: hashString('app-1'), worker: 'app-1', logPath: '/tmp/x.jsonl' });
    expect(parseAgentOptions(['--seed', '5', '--log', 'l.jsonl', '--speed', '0.01', '--profile', 'asks'], env, 77))
      .toMatchObject({ seed: 5, logPath: 'l.jsonl', speed: 0.01, profile: 'asks' });
  });

  it('rejects bad input with a message that names the problem', () => {
    expect(() => parseAgentOptions(['--profile', 'lazy'], {}, 1)).toThrow(/unknown profile "lazy"/);
    expect(() => parseAgentOptions(['--seed', 'abc'], {}, 1)).toThrow(AgentUsageError);
    expect(() => parseAgentOptions(['--speed=-1'], {}, 1)).toThrow(/--speed must be a number/);
    expect(() => parseAgentOptions(['--nope'], {}, 1)).toThrow(AgentUsageError);
    expect(parseAgentOptions(['--help'], {}, 1)).toBe('help');
  });
});
