/**
 * The bridge files (issue 4): `.muxctl/HANDOFF_LIVE.md` for a person and `.muxctl/task_queue.json` for
 * other tools, kept current while the dashboard runs and written on demand by `muxctl export`. Each is
 * written atomically (temp file + rename) and only when its content changed, so a reader never sees
 * half a file and an idle board does not touch the disk.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskStore } from '../adapters/taskStore.js';
import { formatQueueFile, renderHandoff, renderQueue, type HandoffWorker } from '../core/handoff.js';
import { clockDate, clockMinutes } from '../core/health.js';
import type { WorkerSnapshot } from '../core/snapshot.js';
import type { Task } from '../core/tasks.js';

export const HANDOFF_FILE = 'HANDOFF_LIVE.md';
export const QUEUE_FILE = 'task_queue.json';

const NEEDS_REASON: ReadonlySet<string> = new Set(['failed', 'blocked', 'escalated']);

export function handoffWorkers(snapshots: readonly WorkerSnapshot[], tasks: readonly Task[]): HandoffWorker[] {
  return snapshots.map((snap) => ({
    name: snap.name,
    lane: snap.lane,
    state: snap.health.state,
    evidence: snap.health.evidence,
    taskId: tasks.find((task) => task.assignee === snap.name && (task.state === 'claimed' || task.state === 'running'))?.id ?? null,
  }));
}

/** The latest reason for each task that needs a person, from the event that moved it there. */
export function latestReasons(store: TaskStore, tasks: readonly Task[]): Record<string, string> {
  const reasons: Record<string, string> = {};
  for (const task of tasks) {
    if (!NEEDS_REASON.has(task.state)) continue;
    const moved = store.events({ about: task.id }).filter((event) => event.kind === 'task' && event.to === task.state).at(-1);
    if (moved !== undefined && moved.reasons.length > 0) reasons[task.id] = moved.reasons.join('; ');
  }
  return reasons;
}

export function clockDateTime(ms: number): string {
  return `${clockDate(ms)} ${clockMinutes(ms)}`;
}

/** Writes both files into `stateDir` when their content changed; returns the paths written. */
export function writeBridgeFiles(stateDir: string, store: TaskStore, snapshots: readonly WorkerSnapshot[], now: number, force = false): string[] {
  const tasks = store.list();
  const handoff = renderHandoff({ tasks, workers: handoffWorkers(snapshots, tasks), now, clock: clockDateTime, reasons: latestReasons(store, tasks) });
  const queue = renderQueue(tasks, now);
  const written: string[] = [];
  // The title line holds the time and the queue's generatedAt the instant: neither alone is a change.
  if (writeIfChanged(join(stateDir, HANDOFF_FILE), handoff, (text) => text.split('\n').slice(1).join('\n'), force)) written.push(join(stateDir, HANDOFF_FILE));
  if (writeIfChanged(join(stateDir, QUEUE_FILE), formatQueueFile(queue), (text) => text.replace(/"generatedAt": "[^"]*"/, ''), force)) written.push(join(stateDir, QUEUE_FILE));
  return written;
}

function writeIfChanged(file: string, content: string, meaning: (text: string) => string, force: boolean): boolean {
  let old: string | null = null;
  try {
    old = readFileSync(file, 'utf8');
  } catch {
    old = null;
  }
  if (!force && old !== null && meaning(old) === meaning(content)) return false;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
  return true;
}
