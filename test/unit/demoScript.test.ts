import { describe, expect, it } from 'vitest';
import {
  AgentUsageError, DEMO_PROFILES, demoScript, describeCall, hashString, parseAgentOptions, parseAnswer, planTurn, stepAt,
  type DemoProfile, type DemoStep,
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

describe('demo agent options', () => {
  it('defaults: steady, speed 1, seed from the clock, log in the working directory', () => {
    expect(parseAgentOptions([], {}, 77)).toEqual({
      profile: 'steady', seed: 77, speed: 1, logPath: '.muxctl-agent/events.jsonl', worker: undefined,
    });
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
