/**
 * When the dashboard sends a desktop notification (`alerts.desktop`): a worker's new alert state (the
 * loop's onAlert: waiting, crashed, stuck, limited) and a task of the board that finished. Only the
 * leading dashboard sends, so two open dashboards do not notify twice. At most one a worker per
 * `alerts.minIntervalSeconds`: later ones in the interval are dropped, not held back and sent late, since
 * by then the worker's state may be another (the panel, the bell and the hook still show every one).
 */
import type { ProjectConfig } from '../core/config/types.js';
import { mayNotify, newlyFinished, stateNotification, taskDoneNotification, type NotificationText } from '../core/rules/notify.js';
import type { Task, TaskState } from '../core/rules/tasks.js';
import type { StateChange } from './loop.js';

export interface NotificationsDeps {
  config: () => ProjectConfig;
  leader: () => boolean;
  send: (text: NotificationText) => void;
  now: () => number;
}

export class Notifications {
  private readonly lastSent = new Map<string, number>();
  /** The board's task states as last seen; null until the first read, which is the baseline (not news). */
  private taskStates: Map<string, TaskState> | null = null;

  constructor(private readonly deps: NotificationsDeps) {}

  /** A worker became waiting, crashed, stuck or limited. */
  alert(change: StateChange): void {
    this.offer(change.worker, stateNotification(this.deps.config().project, change.worker, change.to, change.evidence));
  }

  /** The board as read now: a task that became done (or landed) since the last read is news. */
  board(tasks: readonly Task[]): void {
    const before = this.taskStates;
    this.taskStates = new Map(tasks.map((task) => [task.id, task.state]));
    if (before === null) return;
    for (const task of newlyFinished(before, tasks)) this.offer(task.assignee ?? `task ${task.id}`, taskDoneNotification(this.deps.config().project, task));
  }

  private offer(key: string, text: NotificationText): void {
    const { alerts } = this.deps.config();
    if (!alerts.desktop || !this.deps.leader()) return;
    const now = this.deps.now();
    if (!mayNotify(this.lastSent, key, now, alerts.minIntervalSeconds * 1000)) return;
    this.lastSent.set(key, now);
    this.deps.send(text);
  }
}
