import { describe, expect, it } from 'vitest';
import { taskCommand, taskEnv, taskPrompt } from '../../src/core/rules/delivery.js';
import { taskBranchName } from '../../src/core/rules/names.js';
import { routeLane } from '../../src/core/rules/routing.js';
import { newTask, type Task } from '../../src/core/rules/tasks.js';

const NOW = Date.UTC(2026, 10, 23, 14, 0, 0);

function task(over: Partial<Task> = {}): Task {
  return { ...newTask({ id: 'T3', title: 'fix the login form', prompt: 'The submit button does nothing.', lane: 'app', check: 'npm test' }, NOW), branch: 'task/T3-fix-the-login-form', ...over };
}

describe('taskPrompt', () => {
  it('a fresh task: the title, the body, where to work, when it is done and how to say so', () => {
    expect(taskPrompt(task(), { resume: false, commitsOnBranch: 0 }).split('\n')).toEqual([
      'Task T3: fix the login form',
      '',
      'The submit button does nothing.',
      '',
      'Work on branch task/T3-fix-the-login-form (checked out in this worktree) and commit your work there.',
      'It is done when `npm test` passes and everything is committed.',
      'When finished run: muxctl task done   (or: muxctl task fail "why" / muxctl task block "what you need")',
    ]);
  });

  it('a resumed task says first not to start over, with the commits and the last checkpoint', () => {
    const resumed = task({ checkpoints: [{ at: NOW, sha: 'a1b2c3', step: 'parser tests' }] });
    const lines = taskPrompt(resumed, { resume: true, commitsOnBranch: 2, why: 'moved from app-1.' }).split('\n');
    expect(lines[0]).toBe('Continue task T3 — do not start over. moved from app-1.');
    expect(lines[1]).toBe('2 commits already on branch task/T3-fix-the-login-form; last checkpoint: parser tests, a1b2c3. Read them first (git log), then carry on from there.');
    expect(lines).toContain('Task T3: fix the login form');
  });

  it('leaves out a body that only repeats the title, and the check line when there is no check', () => {
    const plain = task({ prompt: 'fix the login form', check: null });
    const text = taskPrompt(plain, { resume: false, commitsOnBranch: 0 });
    expect(text.match(/fix the login form/g)).toHaveLength(1);
    expect(text).not.toContain('It is done when');
  });
});

describe('taskEnv and taskCommand', () => {
  it('puts the task, its branch, its check and the resume flag in MUXCTL_TASK_*', () => {
    const env = taskEnv(task({ checkpoints: [{ at: NOW, step: 'half' }] }), { resume: true, commitsOnBranch: 1 });
    expect(env).toMatchObject({
      MUXCTL_TASK_ID: 'T3',
      MUXCTL_TASK_TITLE: 'fix the login form',
      MUXCTL_TASK_BRANCH: 'task/T3-fix-the-login-form',
      MUXCTL_TASK_CHECK: 'npm test',
      MUXCTL_TASK_RESUME: '1',
      MUXCTL_TASK_CHECKPOINT: 'half',
    });
    expect(env['MUXCTL_TASK_PROMPT']).toContain('Continue task T3');
    expect(taskEnv(task(), { resume: false, commitsOnBranch: 0 })).not.toHaveProperty('MUXCTL_TASK_CHECKPOINT');
  });

  it('fills a string command shell-quoted and an argv plainly', () => {
    const t = task({ title: "it's \"quoted\"; rm -rf /" });
    expect(taskCommand('aider --message {title} --branch {branch}', t, { resume: false, commitsOnBranch: 0 })).toBe(
      `aider --message 'it'\\''s "quoted"; rm -rf /' --branch 'task/T3-fix-the-login-form'`,
    );
    expect(taskCommand(['agent', '--id', '{id}', '--title={title}'], t, { resume: false, commitsOnBranch: 0 })).toEqual(['agent', '--id', 'T3', `--title=it's "quoted"; rm -rf /`]);
  });
});

describe('taskBranchName', () => {
  it('is task/<id>-<slug>, the slug short and plain', () => {
    expect(taskBranchName('T12', 'Fix the login form (again!)')).toBe('task/T12-fix-the-login-form-again');
    expect(taskBranchName('T1', 'Ünïcödé café résumé with a very long title that goes on')).toBe('task/T1-unicode-cafe-resume-with-a-very');
    expect(taskBranchName('T2', '日本語')).toBe('task/T2');
  });
});

describe('routeLane', () => {
  const rules = [
    { lane: 'infra', labels: ['ci'], words: ['docker', 'deploy'] },
    { lane: 'docs', labels: [], words: ['readme'] },
  ];
  it('the first rule matching a label or a whole title word wins, case-insensitively', () => {
    expect(routeLane({ title: 'Speed up the build', labels: ['ci'] }, rules, ['app', 'infra', 'docs'])).toBe('infra');
    expect(routeLane({ title: 'Update the README and Docker notes', labels: [] }, rules, ['app', 'infra', 'docs'])).toBe('infra');
    expect(routeLane({ title: 'Fix readme typos', labels: [] }, rules, ['app', 'infra', 'docs'])).toBe('docs');
  });
  it('no match: the only lane if there is one, else null (the person must say)', () => {
    expect(routeLane({ title: 'dockerize', labels: [] }, rules, ['app', 'infra'])).toBeNull();
    expect(routeLane({ title: 'anything', labels: [] }, [], ['app'])).toBe('app');
  });
});
