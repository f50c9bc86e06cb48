/**
 * What a task is: its states and the predicates every module asks of them (held, needs a person), who
 * acts on it, the commands it takes and what they return. The moves themselves are in taskMachine.ts,
 * the queue's order and choice in queue.ts.
 */

/** `proposed`: a worker suggested it (`muxctl task propose`); it waits for a person to accept it into the queue. */
export const TASK_STATES = ['proposed', 'queued', 'claimed', 'running', 'done', 'landed', 'failed', 'blocked', 'escalated', 'canceled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Finished: the work is done (and, for landed, on the base). Never run again. */
export const FINISHED_STATES: readonly TaskState[] = ['done', 'landed'];

/** Where a task can be canceled from: everything but the final states (done, landed, canceled). */
export const OPEN_STATES: readonly TaskState[] = ['proposed', 'queued', 'claimed', 'running', 'failed', 'blocked', 'escalated'];

/** Held: a worker has the task (claimed it, or works on it) under a lease. */
export const HELD_STATES: readonly TaskState[] = ['claimed', 'running'];

/** Handed to a person: the task stopped and only a person moves it on (retry, cancel, reassign). */
export const NEEDS_PERSON_STATES: readonly TaskState[] = ['failed', 'blocked', 'escalated'];

export function isHeld(state: TaskState): boolean {
  return HELD_STATES.includes(state);
}

export function needsPerson(state: TaskState): boolean {
  return NEEDS_PERSON_STATES.includes(state);
}

/** The task `worker` holds now, if any: one worker never holds two. */
export function heldBy(tasks: readonly Task[], worker: string): Task | undefined {
  return tasks.find((task) => task.assignee === worker && isHeld(task.state));
}

export interface Lease {
  holder: string;
  /** Epoch ms; the lease is live while now < expiresAt. */
  expiresAt: number;
}

export interface Checkpoint {
  at: number;
  sha?: string;
  step?: string;
  note?: string;
}

export interface Task {
  id: string;
  state: TaskState;
  title: string;
  prompt: string;
  lane: string;
  /** Lower runs first: priority 1 before priority 2 (like P1/P2). */
  priority: number;
  labels: string[];
  /** The acceptance command run in the worktree (e.g. `npm test`), or null when the task has none. */
  check: string | null;
  branch: string | null;
  /** The base commit the task branch was made from: "landed" means the tip moved past it and is in the base. */
  baseSha: string | null;
  assignee: string | null;
  /** How many times the task has been claimed; the budget for lease expiries. */
  attempts: number;
  maxAttempts: number;
  lease: Lease | null;
  checkpoints: Checkpoint[];
  /** Tasks that must be done (or landed) before this one is ready: `task add --after T3,T7`, a chain's steps. */
  after: string[];
  /** The chain this task is a step of, when it is one. */
  chain: { name: string; step: number } | null;
  /** What came back when the task finished: filled in by the dispatcher from the worker's log and tree. */
  outcome: TaskOutcome | null;
  createdAt: number;
  updatedAt: number;
}

export interface TaskOutcome {
  /** The agent's last message, as its log gave it. */
  message?: string;
  commits: number;
  tokens?: number;
  costUsd?: number;
  /** The last lines of the acceptance check's output, when it ran and failed. */
  checkTail?: string;
}

/** Who acts: every move, control action and event names one (the one Actor type of muxctl). */
export interface Actor {
  kind: 'person' | 'dispatcher' | 'policy' | 'worker' | 'inbox' | 'config';
  name?: string;
}

/** The person at the command line, and at the dashboard's keys. */
export const CLI_PERSON: Actor = { kind: 'person', name: 'cli' };
export const DASHBOARD_PERSON: Actor = { kind: 'person', name: 'dashboard' };
/** An edit of the config file (a worker added or removed) acting through the leading dashboard. */
export const CONFIG_EDIT: Actor = { kind: 'config' };

/** What the tree says when a worker reports a task finished; gathered by the git adapter. */
export interface FinishEvidence {
  /** null when the acceptance check was not run. */
  checkPassed: boolean | null;
  dirtyFiles: string[];
  commitsOnBranch: number;
}

export type TaskCommand =
  | { type: 'claim'; worker: string; leaseMs: number; branch?: string }
  | { type: 'start'; worker: string }
  | { type: 'renew'; worker: string; leaseMs: number }
  | { type: 'checkpoint'; worker: string; sha?: string; step?: string; note?: string }
  | { type: 'finish'; worker: string; evidence: FinishEvidence }
  | { type: 'fail'; worker: string; reason: string }
  | { type: 'block'; reason: string }
  | { type: 'escalate'; reason: string }
  | { type: 'cancel'; reason: string }
  | { type: 'retry' }
  | { type: 'expireLease' }
  | { type: 'release'; worker: string }
  | { type: 'reassign'; from: string; to: string; leaseMs: number }
  | { type: 'prioritize'; priority: number }
  /** A person takes a worker's proposal into the queue. */
  | { type: 'accept' }
  /** The lander put the task's work on the base at `sha`. */
  | { type: 'land'; sha: string }
  /**
   * The lander could not land it (a conflict, a failing check): back to its worker to fix, with a
   * fresh lease, or to blocked when the worker is gone.
   */
  | { type: 'bounce'; reasons: string[]; worker: string | null; leaseMs: number };

export type TaskCommandType = TaskCommand['type'];

export interface TaskEvent {
  time: number;
  actor: Actor;
  task: string;
  action: TaskCommandType;
  from: TaskState;
  to: TaskState;
  /** The worker the event concerns (claimer, holder, new holder), when there is one. */
  worker?: string;
  reasons: string[];
}

/** Why a command was refused, for the CLI's exit code and the dashboard's wording. */
export type TaskRefusal = 'not-found' | 'illegal-move' | 'out-of-scope' | 'not-holder' | 'lease-held' | 'lease-live' | 'tree-disagrees' | 'budget-spent';

export type TaskResult =
  | { ok: true; task: Task; event: TaskEvent }
  | { ok: false; code: TaskRefusal; error: string; reasons: string[] };

export interface NewTask {
  id: string;
  title: string;
  prompt?: string;
  lane: string;
  priority?: number;
  labels?: string[];
  check?: string | null;
  branch?: string | null;
  maxAttempts?: number;
  after?: string[];
  chain?: { name: string; step: number } | null;
  /** A worker's proposal waits for a person to accept it (`proposed`); everything else is queued at once. */
  proposed?: boolean;
}

export const DEFAULT_PRIORITY = 2;
export const DEFAULT_MAX_ATTEMPTS = 3;

/** A fresh task in the queue; the inbox, the CLI and the dashboard's form all make tasks through this. */
export function newTask(init: NewTask, now: number): Task {
  return {
    id: init.id,
    state: init.proposed === true ? 'proposed' : 'queued',
    title: init.title,
    prompt: init.prompt ?? init.title,
    lane: init.lane,
    priority: init.priority ?? DEFAULT_PRIORITY,
    labels: init.labels ?? [],
    check: init.check ?? null,
    branch: init.branch ?? null,
    baseSha: null,
    assignee: null,
    attempts: 0,
    maxAttempts: Math.max(1, init.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    lease: null,
    checkpoints: [],
    after: [...(init.after ?? [])],
    chain: init.chain ?? null,
    outcome: null,
    createdAt: now,
    updatedAt: now,
  };
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
