/**
 * What a worker is given with a task (issue 4), in both delivery modes: the environment for `env`
 * delivery and the text typed into an interactive agent for `paste`. A resumed task says so in both,
 * with the branch and the last checkpoint, so the agent continues instead of starting over.
 */
import { shellQuote } from './names.js';
import { plural } from './tasks.js';
import type { Checkpoint, Task } from './tasks.js';

export interface DeliveryContext {
  /** The task was worked on before (commits on its branch, a checkpoint, or another worker's WIP). */
  resume: boolean;
  commitsOnBranch: number;
  /** Why it is resumed, for the prompt: "moved from app-1", "restarted after a crash". */
  why?: string;
}

export function lastCheckpoint(task: Task): Checkpoint | null {
  return task.checkpoints[task.checkpoints.length - 1] ?? null;
}

function checkpointWords(point: Checkpoint): string {
  return [point.step, point.sha, point.note].filter((part) => part !== undefined && part !== '').join(', ');
}

/** The text the agent reads. Short: the title, the body, where to work, how to say it is done. */
export function taskPrompt(task: Task, context: DeliveryContext): string {
  const lines: string[] = [];
  if (context.resume) {
    lines.push(`Continue task ${task.id} — do not start over. ${context.why ?? 'It was worked on before.'}`);
    const point = lastCheckpoint(task);
    const done = [`${plural(context.commitsOnBranch, 'commit')} already on branch ${task.branch ?? '(none)'}`];
    if (point !== null) done.push(`last checkpoint: ${checkpointWords(point)}`);
    lines.push(`${done.join('; ')}. Read them first (git log), then carry on from there.`);
    lines.push('');
  }
  lines.push(`Task ${task.id}: ${task.title}`);
  if (task.prompt.trim() !== '' && task.prompt.trim() !== task.title.trim()) lines.push('', task.prompt.trim());
  lines.push('');
  lines.push(`Work on branch ${task.branch ?? '(none)'} (checked out in this worktree) and commit your work there.`);
  if (task.check !== null) lines.push(`It is done when \`${task.check}\` passes and everything is committed.`);
  lines.push('When finished run: muxctl task done   (or: muxctl task fail "why" / muxctl task block "what you need")');
  return lines.join('\n');
}

/** MUXCTL_TASK_* for a worker started with its task (env delivery) or resumed after a restart. */
export function taskEnv(task: Task, context: DeliveryContext): Record<string, string> {
  const point = lastCheckpoint(task);
  const env: Record<string, string> = {
    MUXCTL_TASK_ID: task.id,
    MUXCTL_TASK_TITLE: task.title,
    MUXCTL_TASK_PROMPT: taskPrompt(task, context),
    MUXCTL_TASK_BRANCH: task.branch ?? '',
    MUXCTL_TASK_CHECK: task.check ?? '',
    MUXCTL_TASK_RESUME: context.resume ? '1' : '0',
  };
  if (point !== null) env['MUXCTL_TASK_CHECKPOINT'] = checkpointWords(point);
  return env;
}

const PLACEHOLDER = /\{(id|title|prompt|branch)\}/g;

/**
 * A worker's task command with {id}, {title}, {prompt} and {branch} filled in. In a string command each
 * value is shell-quoted where it stands; in an argv each element gets the plain value.
 */
export function taskCommand(template: string | readonly string[], task: Task, context: DeliveryContext): string | string[] {
  const values: Record<string, string> = { id: task.id, title: task.title, prompt: taskPrompt(task, context), branch: task.branch ?? '' };
  const fill = (text: string, quote: boolean): string => text.replace(PLACEHOLDER, (_, key: string) => (quote ? shellQuote(values[key] ?? '') : (values[key] ?? '')));
  return typeof template === 'string' ? fill(template, true) : template.map((part) => fill(part, false));
}
