/**
 * The bridge files (issue 4): `.muxctl/HANDOFF_LIVE.md` for a person and `.muxctl/task_queue.json` for
 * other tools, kept current while the dashboard runs and written on demand by `muxctl export`. Each is
 * written atomically (temp file + rename) and only when its content changed, so a reader never sees
 * half a file and an idle board does not touch the disk.
 */
import type { RuntimeDir } from '../adapters/runtime.js';
import type { TaskStore } from '../adapters/taskStore.js';
import { formatQueueFile, renderHandoff, renderQueue, type HandoffWorker } from '../core/views/handoff.js';
import { clockDate, clockMinutes } from '../core/rules/health.js';
import type { WorkerSnapshot } from '../core/rules/snapshot.js';
import { heldBy, needsPerson, type Task } from '../core/rules/tasks.js';

export const HANDOFF_FILE = 'HANDOFF_LIVE.md';
export const QUEUE_FILE = 'task_queue.json';

export function handoffWorkers(snapshots: readonly WorkerSnapshot[], tasks: readonly Task[]): HandoffWorker[] {
  return snapshots.map((snap) => ({
    name: snap.name,
    lane: snap.lane,
    state: snap.health.state,
    evidence: snap.health.evidence,
    taskId: heldBy(tasks, snap.name)?.id ?? null,
  }));
}

/** The latest reason for each task that needs a person, from the event that moved it there. */
export function latestReasons(store: TaskStore, tasks: readonly Task[]): Record<string, string> {
  const reasons: Record<string, string> = {};
  for (const task of tasks) {
    if (!needsPerson(task.state)) continue;
    const moved = store.events({ about: task.id }).filter((event) => event.kind === 'task' && event.to === task.state).at(-1);
    if (moved !== undefined && moved.reasons.length > 0) reasons[task.id] = moved.reasons.join('; ');
  }
  return reasons;
}

export function clockDateTime(ms: number): string {
  return `${clockDate(ms)} ${clockMinutes(ms)}`;
}

/** Writes both files into `.muxctl/` when their content changed; returns the paths written. */
export function writeBridgeFiles(runtime: RuntimeDir, store: TaskStore, snapshots: readonly WorkerSnapshot[], now: number, force = false): string[] {
  const tasks = store.list();
  const handoff = renderHandoff({ tasks, workers: handoffWorkers(snapshots, tasks), now, clock: clockDateTime, reasons: latestReasons(store, tasks) });
  const queue = renderQueue(tasks, now);
  // The title line holds the time and the queue's generatedAt the instant: neither alone is a change.
  const written = [
    runtime.writeIfChanged(HANDOFF_FILE, handoff, (text) => text.split('\n').slice(1).join('\n'), force),
    runtime.writeIfChanged(QUEUE_FILE, formatQueueFile(queue), (text) => text.replace(/"generatedAt": "[^"]*"/, ''), force),
  ];
  return written.filter((file): file is string => file !== null);
}
