/**
 * Every decision once, in the core: the next-task choice, the held and needs-a-person predicates and
 * the dispatch-pause setting are each written in one place, and every other module asks it. A copy
 * that drifts from the rule is how the board and the dispatcher came to disagree; this test finds one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newTask, type Task, type TaskState } from '../../src/core/rules/tasks.js';
import { pickNext } from '../../src/core/rules/queue.js';

const ROOT = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const FILES = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'components'))].map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

function writtenIn(pattern: RegExp): string[] {
  return FILES.filter((file) => pattern.test(file.text)).map((file) => file.path);
}

describe('each rule is written once', () => {
  it('"held" (claimed or running) is a core predicate, not restated', () => {
    // (Not the report's display order of every open state, `'queued', 'claimed', 'running'`.)
    expect(writtenIn(/(?<!'queued', )'claimed',\s*'running'|=== 'claimed' \|\||'running' \|\| \w+\.state === 'claimed'|state IN \('claimed'/)).toEqual(['src/core/rules/tasks.ts']);
  });

  it('"needs a person" (failed, blocked, escalated) is a core predicate, not restated', () => {
    // (Not the report's list of counted moves, which has 'done' and 'canceled' around them.)
    expect(writtenIn(/(?<!'done', )'failed',\s*'blocked',\s*'escalated'(?!, 'canceled')|'escalated',\s*'blocked',\s*'failed'|=== 'failed' \|\| \w+\.state === 'blocked'/)).toEqual(['src/core/rules/tasks.ts']);
  });

  it('the next task is chosen by the core only: the queue order is used nowhere else to pick', () => {
    expect(writtenIn(/\.sort\(compareQueueOrder\)\[0\]/)).toEqual(['src/core/rules/queue.ts']);
  });

  it('the dispatch pause is one setting, named in one place', () => {
    expect(writtenIn(/'dispatch\.paused'/)).toEqual(['src/core/rules/dispatch.ts']);
  });

  it('the restart backoff is computed by the core only', () => {
    expect(writtenIn(/\* 2 \*\* /)).toEqual(['src/core/rules/guards.ts']);
  });
});

describe('the store claims what the core picks', () => {
  const task = (id: number, over: Partial<Task>): Task => ({ ...newTask({ id: `T${id}`, title: `t${id}`, lane: 'app' }, 1000 + id), ...over });
  it('by priority, then age, within the lane, ready ones only', () => {
    const states: TaskState[] = ['queued', 'queued', 'queued', 'running', 'queued'];
    const tasks = states.map((state, i) => task(i + 1, { state, priority: i === 2 ? 1 : 2, after: i === 4 ? ['T4'] : [] }));
    expect(pickNext(tasks, { name: 'w1', lane: 'app' })?.id).toBe('T3');
    expect(pickNext(tasks.filter((t) => t.id !== 'T3'), { name: 'w1', lane: 'app' })?.id).toBe('T1');
    expect(pickNext(tasks, { name: 'w1', lane: 'infra' })).toBeNull();
  });
});
