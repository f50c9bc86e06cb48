/**
 * Paste delivery (issue 4): a task typed into an interactive agent that is already running, through
 * tmux's paste buffer and Enter, and confirmed on its screen before the task counts as started. A
 * real tmux server, a real git repository, the built CLI.
 */
import { describe, expect, it } from 'vitest';
import { openProject } from '../../src/app/services.js';
import { projectsCleanedUpAfterEach, screenShows } from '../helpers/cli.js';
import type { WorkerJson } from '../helpers/project.js';

const project = projectsCleanedUpAfterEach();

/** A stand-in for an interactive agent: reads lines and answers each, like a chat prompt. */
const LISTENER: WorkerJson = {
  name: 'w1',
  command: `echo agent-ready; while IFS= read -r line; do echo "heard: $line"; done`,
  task: { delivery: 'paste' },
};

/** An agent that shows nothing of what is typed: the delivery cannot be confirmed. */
const DEAF: WorkerJson = { name: 'w1', command: 'stty -echo; echo agent-ready; exec sleep 600', task: { delivery: 'paste' } };

interface TaskJson {
  id: string;
  state: string;
  assignee: string | null;
  branch: string | null;
}

describe('paste delivery', () => {
  it('types the prompt into the running agent, sees it arrive, and starts the task', async () => {
    const p = await project('paste', [LISTENER]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    await screenShows(p.socket, 'w1', 'agent-ready');
    expect((await p.run(['task', 'add', 'say hello', '--lane', 'app', '--prompt', 'Print hello in the README.'])).exitCode).toBe(0);

    const assigned = await p.run(['task', 'assign', 'T1', 'w1']);
    expect(assigned.exitCode, assigned.stderr).toBe(0);
    // Every line of the prompt reached the agent's input, in order, the first one naming the task.
    const shown = await screenShows(p.socket, 'w1', 'heard: Task T1: say hello');
    expect(shown).toContain('heard: Print hello in the README.');
    expect(shown).toMatch(/heard: When finished run: muxctl task done/);

    const [task] = JSON.parse((await p.run(['task', 'list', '--json'])).stdout) as TaskJson[];
    expect(task).toMatchObject({ id: 'T1', state: 'running', assignee: 'w1', branch: 'task/T1-say-hello' });
  });

  it('hands the task back to the queue when the prompt never shows on the screen', async () => {
    const p = await project('pastedeaf', [DEAF]);
    expect((await p.run(['up'])).exitCode).toBe(0);
    await screenShows(p.socket, 'w1', 'agent-ready');
    expect((await p.run(['task', 'add', 'say hello', '--lane', 'app'])).exitCode).toBe(0);

    const assigned = await p.run(['task', 'assign', 'T1', 'w1']);
    expect(assigned.exitCode).toBe(1);
    expect(assigned.stderr).toMatch(/did not appear on w1's screen within \d+ s; T1 is back in the queue/);
    const [task] = JSON.parse((await p.run(['task', 'list', '--json'])).stdout) as TaskJson[];
    expect(task).toMatchObject({ id: 'T1', state: 'queued', assignee: null });
    const history = JSON.parse((await p.run(['task', 'show', 'T1', '--json'])).stdout) as { events: Array<{ action: string }> };
    expect(history.events.map((e) => e.action)).toEqual(['add', 'claim', 'release']);
  }, 30_000);

  it('gives up on a deaf agent after the confirmation time it was built with, not a fixed 8 s', async () => {
    const p = await project('pastedeaf-quick', [DEAF]);
    const services = await openProject(p.configFile, { deliveryTimings: { pasteConfirmMs: 300, pollMs: 20 } });
    try {
      const person = { kind: 'person', name: 'test' } as const;
      await services.workers.up(['w1'], person, 'start');
      await screenShows(p.socket, 'w1', 'agent-ready');
      expect(services.tasks.add({ title: 'say hello', lane: 'app' }, person).ok).toBe(true);
      const assigned = await services.tasks.assign('T1', 'w1', person);
      expect(assigned.ok).toBe(false);
      // The wait given, not the default 8 s, is the one the refusal names.
      expect(assigned.message).toMatch(/did not appear on w1's screen within 0\.3 s; T1 is back in the queue/);
      expect(services.store.get('T1')).toMatchObject({ state: 'queued', assignee: null });
    } finally {
      services.runtime.close();
    }
  });
});
