import { describe, expect, it } from 'vitest';
import { parseChainFile } from '../../src/core/rules/chains.js';
import { dependencyCycle, pickNext, waitingOn } from '../../src/core/rules/queue.js';
import { newTask, type Task, type TaskState } from '../../src/core/rules/tasks.js';

const LANES = ['app', 'docs'];
const NOW = Date.UTC(2026, 10, 23, 12);

describe('parseChainFile', () => {
  it('reads a YAML chain: each step a task waiting on the one before, with its own check', () => {
    const parsed = parseChainFile(
      ['name: release-1.2', 'lane: app', 'priority: 1', 'steps:', '  - title: Bump the version', '    check: npm test', '  - Update the changelog', '  - title: Write the notes', '    lane: docs', '    prompt: Summarize the changes.'].join('\n'),
      'release.yaml',
      LANES,
    );
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    expect(parsed.chain.name).toBe('release-1.2');
    expect(parsed.chain.steps).toEqual([
      { title: 'Bump the version', lane: 'app', labels: [], check: 'npm test', priority: 1, after: [], chain: { name: 'release-1.2', step: 1 } },
      { title: 'Update the changelog', lane: 'app', labels: [], check: null, priority: 1, after: ['#0'], chain: { name: 'release-1.2', step: 2 } },
      { title: 'Write the notes', lane: 'docs', labels: [], check: null, priority: 1, prompt: 'Summarize the changes.', after: ['#1'], chain: { name: 'release-1.2', step: 3 } },
    ]);
  });

  it('reads JSON too', () => {
    const parsed = parseChainFile(JSON.stringify({ name: 'c', lane: 'docs', steps: [{ title: 'one' }] }), 'c.json', LANES);
    expect(parsed.ok && parsed.chain.steps[0]).toMatchObject({ title: 'one', lane: 'docs', after: [] });
  });

  it('names every problem with the file and the step, and adds nothing', () => {
    const parsed = parseChainFile(['name: bad name!', 'steps:', '  - title: ""', '  - title: x', '    lane: dcos', '    colour: red', '  - title: y', '    priority: high'].join('\n'), 'bad.yaml', LANES);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      expect.stringMatching(/^bad\.yaml: name: expected a chain name/),
      'bad.yaml: steps[0].title: expected a non-empty string, got ""',
      expect.stringMatching(/^bad\.yaml: steps\[0\]\.lane: missing; expected one of app, docs$/),
      expect.stringMatching(/^bad\.yaml: steps\[1\]\.colour: unknown field .*allowed: title, prompt, lane/),
      expect.stringMatching(/^bad\.yaml: steps\[1\]\.lane: expected one of app, docs, got "dcos"/),
      expect.stringMatching(/^bad\.yaml: steps\[2\]\.lane: missing/),
      'bad.yaml: steps[2].priority: expected an integer 0–9, got "high"',
    ]);
  });

  it('refuses a file that is not a chain, or has no steps', () => {
    expect(parseChainFile('- a\n- b', 'x.yaml', LANES)).toEqual({ ok: false, problems: ['x.yaml: expected a mapping with "name" and "steps", got a list'] });
    expect(parseChainFile('name: c\nsteps: []', 'x.yaml', LANES)).toMatchObject({ ok: false, problems: [expect.stringContaining('steps: expected a list of at least one step')] });
    expect(parseChainFile('name: [unclosed', 'x.yaml', LANES)).toMatchObject({ ok: false, problems: [expect.stringContaining('not valid YAML or JSON')] });
  });
});

function task(id: string, state: TaskState, after: string[] = [], priority = 2): Task {
  return { ...newTask({ id, title: id, lane: 'app', priority, after }, NOW + Number(id.slice(1))), state };
}

describe('tasks that wait on others', () => {
  it('a task waits until everything it is after is done or landed', () => {
    const tasks = [task('T1', 'done'), task('T2', 'running'), task('T3', 'landed'), task('T4', 'queued', ['T1', 'T2', 'T3'])];
    expect(waitingOn(tasks[3] as Task, tasks)).toEqual(['T2']);
    expect(waitingOn(task('T5', 'queued', ['T9']), tasks)).toEqual(['T9']);
  });

  it('the dispatcher picks only ready tasks: a failed step stops the chain there', () => {
    const chain = [task('T1', 'done'), task('T2', 'failed', ['T1']), task('T3', 'queued', ['T2'], 0), task('T4', 'queued', [], 5)];
    expect(pickNext(chain, { name: 'w1', lane: 'app' })?.id).toBe('T4');
    const retried = [chain[0] as Task, { ...(chain[1] as Task), state: 'done' as const }, chain[2] as Task, chain[3] as Task];
    expect(pickNext(retried, { name: 'w1', lane: 'app' })?.id).toBe('T3');
  });

  it('finds the cycle a new wait would close, with its path', () => {
    const tasks = [task('T1', 'queued', ['T3']), task('T2', 'queued', ['T1']), task('T3', 'queued')];
    expect(dependencyCycle(tasks, 'T3', ['T2'])).toEqual(['T3', 'T2', 'T1', 'T3']);
    expect(dependencyCycle(tasks, 'T4', ['T1', 'T2'])).toBeNull();
    expect(dependencyCycle(tasks, 'T5', ['T5'])).toEqual(['T5', 'T5']);
  });
});
