/**
 * Giving a task to a worker's process. `env` (re)starts the command with MUXCTL_TASK_* (or runs the
 * worker's task command); `paste` types the prompt into the running agent and calls it delivered only
 * once its first line shows on the screen. The waits are injected, so a test of a deaf agent is quick.
 */
import { failpoint } from '../adapters/failpoint.js';
import type { TmuxSessions } from './fleet.js';
import type { WorkerConfig } from '../core/config/config.js';
import { taskCommand, taskEnv, taskPrompt, type DeliveryContext } from '../core/rules/delivery.js';
import type { Actor, Task } from '../core/rules/tasks.js';
import { screenShows, screenText } from './screenWait.js';
import type { Launch, Workers } from './workers.js';

export interface DeliveryTimings {
  /** How long a pasted prompt may take to show on the agent's screen. @default 8000 */
  pasteConfirmMs: number;
  /** A (re)started agent is ready for a paste once its screen held still this long. @default 700 */
  quietMs: number;
  /** The longest the wait for a quiet screen goes on before pasting anyway. @default 15000 */
  quietDeadlineMs: number;
  /** How often the screen is read while waiting. @default 100 */
  pollMs: number;
}

export const DEFAULT_DELIVERY_TIMINGS: DeliveryTimings = { pasteConfirmMs: 8000, quietMs: 700, quietDeadlineMs: 15_000, pollMs: 100 };

export interface DeliveryDeps {
  tmux: TmuxSessions;
  workers: Workers;
  now: () => number;
  timings?: Partial<DeliveryTimings>;
}

export type Delivered = { ok: true; message: string } | { ok: false; message: string };

export class Delivery {
  private readonly timings: DeliveryTimings;

  constructor(private readonly deps: DeliveryDeps) {
    this.timings = { ...DEFAULT_DELIVERY_TIMINGS, ...deps.timings };
  }

  /**
   * Gives the task to the worker's process. A hand-out is a delivery; a restart carrying the task on
   * (the guard's resume) is recorded as a restart.
   */
  async deliver(task: Task, worker: WorkerConfig, context: DeliveryContext, actor: Actor, reason: string, kind: 'deliver' | 'restart' = 'deliver'): Promise<Delivered> {
    if (worker.task.delivery === 'env') {
      const launch: Launch = { env: taskEnv(task, context), delivery: kind === 'deliver', task: task.id, newConversation: kind === 'restart' && !context.resume };
      if (worker.task.command !== undefined) launch.command = taskCommand(worker.task.command, task, context);
      const result = await this.deps.workers.restart(worker.name, actor, reason, launch);
      return { ok: result.ok, message: result.outcome };
    }
    if (!(await this.deps.tmux.hasSession(worker.name))) {
      const [started] = await this.deps.workers.up([worker.name], actor, `to receive ${task.id}`);
      // A worker that could not start (its worktree's setup failed) has no screen to paste into.
      if (started !== undefined && !started.ok) return { ok: false, message: started.outcome };
      await this.waitForQuietScreen(worker.name);
    }
    const prompt = taskPrompt(task, context);
    // Recorded before the paste, as under way: another muxctl looking now must not deliver it again,
    // and one that finds it still under way later (this process was killed) reads the screen to know.
    // Only a paste seen on the screen makes it the process's task, a lease to renew.
    await this.deps.workers.markDelivered(worker.name, task.id, { pending: true });
    failpoint('deliver:pasting');
    await this.deps.tmux.pasteText(worker.name, prompt);
    failpoint('deliver:pasted');
    const firstLine = prompt.split('\n')[0] ?? '';
    if (await this.screenShows(worker.name, firstLine.slice(0, 40))) {
      await this.deps.workers.markDelivered(worker.name, task.id);
      return { ok: true, message: 'pasted' };
    }
    return { ok: false, message: `the prompt did not appear on ${worker.name}'s screen within ${this.timings.pasteConfirmMs / 1000} s` };
  }

  /** A restart that carries the task on: the process comes back, then gets the task as its first input. */
  async restartAndDeliver(task: Task, worker: WorkerConfig, context: DeliveryContext, actor: Actor, reason: string): Promise<Delivered> {
    if (worker.task.delivery === 'env') return this.deliver(task, worker, context, actor, reason, 'restart');
    // A task that starts over starts the agent's conversation over too; one carried on resumes it.
    await this.deps.workers.restart(worker.name, actor, reason, { newConversation: !context.resume });
    failpoint('restart:respawned');
    await this.waitForQuietScreen(worker.name);
    return this.deliver(task, worker, context, actor, reason, 'restart');
  }

  private async waitForQuietScreen(name: string): Promise<void> {
    const { quietMs, quietDeadlineMs } = this.timings;
    let last = '';
    let stableSince = this.deps.now();
    const deadline = this.deps.now() + quietDeadlineMs;
    while (this.deps.now() < deadline) {
      const screen = await this.screen(name, 50);
      if (screen !== last) {
        last = screen;
        stableSince = this.deps.now();
      } else if (screen.trim() !== '' && this.deps.now() - stableSince >= quietMs) {
        return;
      }
      await this.pause();
    }
  }

  private screenShows(name: string, text: string): Promise<boolean> {
    return screenShows(this.deps.tmux, name, text, { withinMs: this.timings.pasteConfirmMs, pollMs: this.timings.pollMs, now: this.deps.now });
  }

  private screen(name: string, lines: number): Promise<string> {
    return screenText(this.deps.tmux, name, lines);
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.timings.pollMs));
  }
}
