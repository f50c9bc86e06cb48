/**
 * The values a config gets for what it leaves out. The schema shows them to editors (`.meta({ default })`)
 * and resolve.ts fills them in; both read them here, so the two cannot disagree.
 */
import type { LogFormat, WorkerConfig } from './types.js';

export const PROJECT_DEFAULTS = {
  health: { idleAfterSeconds: 30, stuckAfterSeconds: 600, settleMs: 1500, waitingPatterns: [] as string[] },
  alerts: { bell: true, desktop: false, minIntervalSeconds: 60 },
  recover: { afterLimit: false },
  logs: { ringSize: 500 },
  tasks: { leaseSeconds: 600, autoDispatch: true },
  land: { check: null, strategy: 'merge', push: null, auto: false, batch: 1 },
  worktree: { setupTimeoutSeconds: 300, portBase: 4100 },
} as const;

/**
 * What a host gets when its entry leaves it out. `requestWaitSeconds`: how long a worker's own `muxctl
 * task|emit` there waits for a dashboard to take it, longer than a dashboard takes to reach a host again
 * after a drop (its retries back off to 30 s).
 */
export const HOST_DEFAULTS = { requestWaitSeconds: 60 } as const;

/** What a worker gets when neither it nor `defaults` says otherwise. */
export const WORKER_DEFAULTS = {
  logFormat: 'auto',
  restart: { policy: 'never', maxRestarts: 3, backoffSeconds: 5 },
  stop: { keys: [] as string[], signal: 'SIGTERM', graceSeconds: 5 },
  task: { delivery: 'paste' },
} as const satisfies { logFormat: LogFormat; restart: WorkerConfig['restart']; stop: WorkerConfig['stop']; task: WorkerConfig['task'] };
