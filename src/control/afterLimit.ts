/**
 * `recover.afterLimit`: a worker that hit its usage limit is sent its agent's "continue" once the reset
 * time it was given has passed, once per limit, unless the person cancelled it (c). Both the sending and
 * the cancelling are board events with their reasons; what was sent or cancelled is kept in the store,
 * so a dashboard opened again after the reset never sends it twice. Off by default.
 */
import type { TmuxSessions } from './fleet.js';
import type { TaskStore } from '../adapters/taskStore.js';
import type { ProjectConfig } from '../core/config/config.js';
import { AGENT_PRESETS } from '../core/rules/agents.js';
import { clockMinutes } from '../core/rules/health.js';
import { continuePlanText, planContinue, type ContinuePlan } from '../core/rules/limits.js';
import type { ActionResult, WorkerSnapshot } from '../core/rules/snapshot.js';
import type { Actor } from '../core/rules/tasks.js';

export interface AfterLimitDeps {
  config: () => ProjectConfig;
  tmux: TmuxSessions;
  store: TaskStore;
  now: () => number;
}

const RECOVER: Actor = { kind: 'policy' };
const sentKey = (worker: string) => `afterLimit.sent:${worker}`;
const cancelledKey = (worker: string) => `afterLimit.cancelled:${worker}`;

/** Live states in which the agent is at its prompt after the reset (a dead one is the restart policy's). */
const AT_PROMPT: ReadonlySet<string> = new Set(['limited', 'idle', 'running']);

export class AfterLimit {
  /**
   * Per worker, the reset time last seen while it was limited: a limit read off the screen leaves no
   * trace in the log, and once its time passed the worker no longer shows as limited.
   */
  private readonly resets = new Map<string, number>();

  constructor(private readonly deps: AfterLimitDeps) {}

  /** What will happen at the reset of the limit the worker is under, in a panel's words; null: nothing to say. */
  planText(worker: string, resetsAt: number | null): string | null {
    // Off (the default): nothing is read from the store.
    if (!this.deps.config().recover.afterLimit) return null;
    return continuePlanText(this.plan(worker, resetsAt));
  }

  /** The leader, once a tick: remembers each limit's reset, and sends "continue" to those whose reset passed. */
  async tick(workers: readonly WorkerSnapshot[]): Promise<ActionResult[]> {
    if (!this.deps.config().recover.afterLimit) return [];
    const results: ActionResult[] = [];
    for (const w of workers) {
      const resetsAt = this.resetOf(w);
      if (resetsAt === null || !AT_PROMPT.has(w.health.state)) continue;
      if (this.plan(w.name, resetsAt).kind !== 'due') continue;
      results.push(await this.send(w.name, resetsAt));
    }
    return results;
  }

  /** c: cancels the "continue" planned for the worker's limit, or plans it again. */
  toggle(worker: WorkerSnapshot, actor: Actor): string {
    const resetsAt = this.resetOf(worker);
    if (!this.deps.config().recover.afterLimit) return `${worker.name}: recover.afterLimit is off: muxctl sends nothing after a limit`;
    if (resetsAt === null) return `${worker.name}: no usage limit with a reset time to continue after`;
    const plan = this.plan(worker.name, resetsAt);
    if (plan.kind === 'sent') return `${worker.name}: "continue" was already sent after the ${clockMinutes(resetsAt)} reset`;
    const cancel = plan.kind !== 'cancelled';
    const now = this.deps.now();
    this.deps.store.setSetting(cancelledKey(worker.name), cancel ? String(resetsAt) : '', {
      time: now,
      actor,
      kind: 'worker',
      subject: worker.name,
      action: cancel ? 'cancel-continue' : 'plan-continue',
      worker: worker.name,
      reasons: [cancel ? `no "continue" after the usage limit resets at ${clockMinutes(resetsAt)}` : `"continue" after the usage limit resets at ${clockMinutes(resetsAt)}`],
    });
    return `${worker.name}: ${continuePlanText(this.plan(worker.name, resetsAt)) ?? ''}`;
  }

  private resetOf(w: WorkerSnapshot): number | null {
    if (w.health.state === 'limited') {
      if (w.health.until !== undefined) this.resets.set(w.name, w.health.until);
      return w.health.until ?? null;
    }
    // At work again (the log's limit is cleared by work; a screen's only by the agent working): over.
    if (w.health.state === 'working' || (w.summary !== null && w.summary.limit === null)) this.resets.delete(w.name);
    return w.summary?.limit?.resetsAt ?? this.resets.get(w.name) ?? null;
  }

  private plan(worker: string, resetsAt: number | null): ContinuePlan {
    const read = (key: string): number | null => {
      const value = this.deps.store.getSetting(key);
      return value === null || value === '' ? null : Number(value);
    };
    return planContinue({ enabled: this.deps.config().recover.afterLimit, resetsAt, sentFor: read(sentKey(worker)), cancelledFor: read(cancelledKey(worker)), now: this.deps.now() });
  }

  private async send(name: string, resetsAt: number): Promise<ActionResult> {
    const worker = this.deps.config().workers.find((w) => w.name === name);
    const text = worker?.agent === undefined ? 'continue' : AGENT_PRESETS[worker.agent].continueText;
    const reason = `usage limit reset at ${clockMinutes(resetsAt)}: sent "${text}" (recover.afterLimit)`;
    const event = { time: this.deps.now(), actor: RECOVER, kind: 'worker' as const, subject: name, action: 'continue', worker: name, reasons: [reason] };
    // Recorded first: a muxctl killed mid-paste must not send it again (at most once, never a loop).
    this.deps.store.setSetting(sentKey(name), String(resetsAt), event);
    try {
      await this.deps.tmux.pasteText(name, text);
      return { worker: name, ok: true, outcome: reason };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.deps.store.record({ ...event, time: this.deps.now(), action: 'continue-failed', reasons: [why] });
      return { worker: name, ok: false, outcome: `"${text}" after the limit could not be sent: ${why}` };
    }
  }
}
