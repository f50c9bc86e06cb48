/**
 * Bringing a project back (`muxctl up`, `U` in the dashboard, `muxctl demo`): after a reboot or a killed
 * tmux server, every worker that should run is started again, and a task it held is given to its new
 * process through the restart guard at once — done work is never run again, commits or a checkpoint
 * resume, uncommitted work is kept in place, nothing done starts fresh. One line a worker says what it
 * resumed and from what. A worker whose live process already has its task is left alone, so a second
 * `up` changes nothing.
 */
import type { TaskStore } from '../adapters/taskStore.js';
import type { TmuxSessions } from './fleet.js';
import type { ProjectConfig, WorkerConfig } from '../core/config/config.js';
import type { PaneInfo } from '../adapters/tmux.js';
import { clockTime } from '../core/rules/health.js';
import { processHasTask } from '../core/rules/leases.js';
import type { ActionResult } from '../core/rules/snapshot.js';
import type { Actor } from '../core/rules/tasks.js';
import { describeConversation } from '../core/rules/agents.js';
import type { Restarts } from './restarts.js';
import type { Workers } from './workers.js';

export interface RecoveryDeps {
  config: () => ProjectConfig;
  workers: Workers;
  restarts: Restarts;
  store: TaskStore;
  tmux: TmuxSessions;
}

export class Recovery {
  constructor(private readonly deps: RecoveryDeps) {}

  /**
   * The named workers, or with none every worker that should run: a worker the person stopped stays
   * stopped (its line says how to start it), unless every worker was stopped — then the project was
   * brought down as a whole (`muxctl down`), and `up` brings all of it up again.
   */
  async bringBack(names: readonly string[], actor: Actor, reason: string): Promise<ActionResult[]> {
    const { workers } = this.deps;
    const records = workers.records();
    const chosen = workers.select(names);
    const wholeProjectDown = chosen.every((w) => records[w.name]?.desired === 'stopped');
    const panes = new Map((await this.deps.tmux.listPanes()).map((pane) => [pane.session, pane]));
    const run = { names, wholeProjectDown, records, panes, actor, reason };
    // Each host's workers come back one after another, side by side with this machine's and the other
    // hosts': a host's calls are round trips, and one slow host must not hold the others back.
    const byPlace = new Map<string, WorkerConfig[]>();
    for (const worker of chosen) byPlace.set(worker.host ?? '', [...(byPlace.get(worker.host ?? '') ?? []), worker]);
    const done = new Map<string, ActionResult | null>();
    const settled = await Promise.allSettled(
      [...byPlace.values()].map(async (group) => {
        for (const worker of group) done.set(worker.name, await this.bringOne(worker, run));
      }),
    );
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return chosen.flatMap((worker) => done.get(worker.name) ?? []);
  }

  /** One worker brought back, from the records and panes read once for the whole `up`. */
  private async bringOne(
    worker: WorkerConfig,
    run: { names: readonly string[]; wholeProjectDown: boolean; records: ReturnType<Workers['records']>; panes: Map<string, PaneInfo>; actor: Actor; reason: string },
  ): Promise<ActionResult | null> {
    const { workers } = this.deps;
    const { names, wholeProjectDown, records, panes, actor, reason } = run;
    const stoppedByPerson = (name: string): boolean => records[name]?.desired === 'stopped';
    const record = records[worker.name];
    if (names.length === 0 && !wholeProjectDown && stoppedByPerson(worker.name)) {
      const when = record?.stoppedAt ? ` at ${clockTime(record.stoppedAt)}` : '';
      return { worker: worker.name, ok: true, outcome: `left stopped (stopped${when}; \`muxctl up ${worker.name}\` starts it)` };
    }
    const pane = panes.get(worker.name);
    const task = this.deps.store.heldBy(worker.name);
    const running = pane !== undefined && !pane.dead;
    if (task === null && pane?.dead === true) {
      // `up` is asked for a running worker: one whose process ended comes back (on its conversation).
      const restarted = await workers.restart(worker.name, actor, `${reason}: its process had ended`);
      return this.withConversation({ ...restarted, outcome: 'restarted (its process had ended)' });
    }
    if (task === null && running && record?.desired === 'running') {
      // Its session runs and is meant to: nothing to start, so no git or tmux call for it (`up` again is 20 calls cheaper).
      return this.withConversation({ worker: worker.name, ok: true, outcome: 'already running' });
    }
    if (task === null) {
      const [started] = await workers.up([worker.name], actor, reason);
      return started === undefined ? null : this.withConversation(started);
    }
    if (running && processHasTask(record, task.id)) {
      return this.withConversation({ worker: worker.name, ok: true, outcome: `already running · has ${task.id}` });
    }
    const why = pane === undefined ? `${worker.name} had no tmux session (the server died or the machine rebooted)` : `${worker.name}'s process started again without ${task.id}`;
    const outcome = await this.deps.restarts.restart(worker.name, { actor, reason: `${reason}: ${why}` });
    const verb = pane === undefined ? 'started' : 'restarted';
    const kept = outcome.decision.reasons.filter((r) => !/^resuming, not starting over$/.test(r)).join('; ');
    const had = processHasTask(workers.records()[worker.name], task.id);
    return this.withConversation({
      worker: worker.name,
      ok: outcome.acted && (had || outcome.decision.action === 'idle' || outcome.decision.action === 'escalate'),
      outcome: `${verb} · ${task.id} ${outcome.decision.action}: ${kept}${had || outcome.decision.action === 'idle' ? '' : ` (${outcome.message})`}`,
    });
  }

  /** The line ends with the agent's conversation, when the worker has one: which, and whether it was resumed. */
  private withConversation(result: ActionResult): ActionResult {
    const conversation = this.deps.workers.records()[result.worker]?.conversation;
    const text = conversation ? describeConversation(conversation) : null;
    return text === null ? result : { ...result, outcome: `${result.outcome} · ${text}` };
  }
}
