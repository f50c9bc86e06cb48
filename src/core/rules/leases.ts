/**
 * A lease is bound to the delivery: the worker's process that was given the task. Only that process's
 * activity renews it; a later process of the same worker (the tmux server died, a reboot, a person's
 * restart) does not have the task, however alive it looks, and gets it delivered again through the
 * restart guard instead.
 */
import type { HealthState } from './health.js';
import type { Lease } from './tasks.js';

/** What muxctl recorded of a worker: its process's start, and the task that process was given. */
export interface DeliveryRecord {
  startedAt: number | null;
  /**
   * Absent in records from before muxctl kept it: then the live process is taken to have the task.
   * `pending`: a paste of it began then and was not yet seen on the screen.
   */
  delivered?: { task: string; epoch: number | null; pending?: number } | null;
}

/** Whether the worker's current process was given `taskId` (a paste of it seen on its screen). */
export function processHasTask(record: DeliveryRecord | undefined, taskId: string): boolean {
  if (record === undefined || record.delivered === undefined) return true;
  return record.delivered !== null && record.delivered.task === taskId && record.delivered.epoch === record.startedAt && record.delivered.pending === undefined;
}

/** When a paste of `taskId` into the current process began, if it was never seen through (the muxctl pasting it may have died). */
export function pasteUnderWay(record: DeliveryRecord | undefined, taskId: string): number | null {
  const d = record?.delivered;
  if (d === undefined || d === null || d.task !== taskId || d.epoch !== record?.startedAt) return null;
  return d.pending ?? null;
}

/** Whether a worker's screen shows the task's prompt: a paste under way when its muxctl died did arrive. */
export function screenShowsTask(screen: readonly string[], taskId: string): boolean {
  return screen.some((line) => line.includes(`Task ${taskId}:`) || line.includes(`Continue task ${taskId} `));
}

/**
 * States in which a worker is doing or asking something, or holds its work while its usage limit runs
 * out: a limit is not the worker giving up its task, so its lease does not run out for it.
 */
const ACTIVE_STATES: ReadonlySet<HealthState> = new Set(['working', 'waiting', 'starting', 'limited']);

export interface RenewFacts {
  lease: Lease;
  leaseMs: number;
  now: number;
  state: HealthState;
  /** When the live process started; null when no process runs (missing, dead). */
  upSince: number | null;
  /** The worker's last log line, epoch ms. */
  lastActiveAt: number | null;
  hasTask: boolean;
}

/**
 * Renewed in its second half by the process that has the task: working, asking or starting, or a log
 * line it wrote since the lease was set. A dead or missing worker renews nothing, nor does a line from
 * before its process started (the old process's last words after a crash or a killed server).
 */
export function shouldRenew(f: RenewFacts): boolean {
  if (f.lease.expiresAt - f.now > f.leaseMs / 2 || f.upSince === null || !f.hasTask) return false;
  const logged = f.lastActiveAt !== null && f.lastActiveAt >= f.upSince && f.lastActiveAt > f.lease.expiresAt - f.leaseMs;
  return ACTIVE_STATES.has(f.state) || logged;
}

/**
 * Whether a lease has run out for its holder. Never while the holder's host cannot be reached: nobody
 * here knows what it does there, and its work is there. The lease is judged once the host answers
 * again, on what its worker did meanwhile (its log lines count, as for a renewal).
 */
export function leaseRunOut(lease: Lease, now: number, holderState: HealthState | null): boolean {
  return lease.expiresAt <= now && holderState !== 'unreachable';
}
