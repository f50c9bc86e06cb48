/**
 * The task state machine (ARCHITECTURE.md §9, issue 4). Pure: the store reads a task, applies one
 * command with the actor and the time passed in, and writes the result and its event in the same
 * transaction. Every move not listed in LEGAL is refused with an error that names the task, its state
 * and the move, so the CLI and the dashboard can show it as is.
 */

export const TASK_STATES = ['queued', 'claimed', 'running', 'done', 'landed', 'failed', 'blocked', 'escalated', 'canceled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Finished: the work is done (and, for landed, on the base). Never run again. */
export const FINISHED_STATES: readonly TaskState[] = ['done', 'landed'];

/** Where a task can be canceled from: everything but the final states (done, landed, canceled). */
export const OPEN_STATES: readonly TaskState[] = ['queued', 'claimed', 'running', 'failed', 'blocked', 'escalated'];

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

/** The states each command may start from; everything else is an illegal move. */
export const LEGAL: Readonly<Record<TaskCommandType, readonly TaskState[]>> = {
  claim: ['queued'],
  start: ['claimed'],
  renew: HELD_STATES,
  checkpoint: HELD_STATES,
  finish: ['running'],
  fail: HELD_STATES,
  block: HELD_STATES,
  escalate: HELD_STATES,
  cancel: OPEN_STATES,
  retry: NEEDS_PERSON_STATES,
  expireLease: HELD_STATES,
  release: HELD_STATES,
  reassign: HELD_STATES,
  prioritize: OPEN_STATES,
  land: ['done'],
  bounce: ['done'],
};

/** Control actions a worker never takes, even on its own task: they belong to the person and the policy. */
const NOT_FOR_WORKERS: ReadonlySet<TaskCommandType> = new Set(['cancel', 'retry', 'expireLease', 'release', 'reassign', 'prioritize', 'land', 'bounce']);

const VERBS: Record<TaskCommandType, string> = {
  claim: 'claim',
  start: 'start',
  renew: 'renew the lease of',
  checkpoint: 'checkpoint',
  finish: 'finish',
  fail: 'fail',
  block: 'block',
  escalate: 'escalate',
  cancel: 'cancel',
  retry: 'retry',
  expireLease: 'expire the lease of',
  release: 'release',
  reassign: 'reassign',
  prioritize: 'reprioritize',
  land: 'land',
  bounce: 'send back',
};

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
}

export const DEFAULT_PRIORITY = 2;
export const DEFAULT_MAX_ATTEMPTS = 3;

/** A fresh task in the queue; the inbox, the CLI and the dashboard's form all make tasks through this. */
export function newTask(init: NewTask, now: number): Task {
  return {
    id: init.id,
    state: 'queued',
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

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}

/** Apply one command. `now` is the transaction's clock: lease expiries, checkpoints and the event use it. */
export function applyTask(task: Task, command: TaskCommand, actor: Actor, now: number): TaskResult {
  const verb = `cannot ${VERBS[command.type]} ${task.id}`;
  const scope = scopeRefusal(task, command, actor, verb);
  if (scope) return scope;
  if (command.type === 'claim' && task.lease !== null) return claimedAlready(task, task.lease, verb, now);
  if (!LEGAL[command.type].includes(task.state)) return refuse('illegal-move', `${verb}: ${illegalBecause(task.state, command.type)}`);

  const base: Task = { ...task, updatedAt: now };
  const event = (to: TaskState, reasons: string[], worker?: string): TaskEvent => ({
    time: now,
    actor,
    task: task.id,
    action: command.type,
    from: task.state,
    to,
    ...(worker === undefined ? {} : { worker }),
    reasons,
  });
  const done = (next: Task, reasons: string[], worker?: string): TaskResult => ({ ok: true, task: next, event: event(next.state, reasons, worker) });

  switch (command.type) {
    case 'claim': {
      const next = { ...base, state: 'claimed' as const, assignee: command.worker, attempts: task.attempts + 1 };
      next.lease = { holder: command.worker, expiresAt: now + command.leaseMs };
      next.branch = task.branch ?? command.branch ?? null;
      const attempt = `attempt ${next.attempts} of ${task.maxAttempts}`;
      return done(next, [`claimed by ${command.worker} (${attempt})`], command.worker);
    }
    case 'start':
    case 'renew':
    case 'checkpoint':
    case 'finish':
    case 'fail':
    case 'release': {
      const holder = holderRefusal(task, command.worker, verb, now);
      if (holder) return holder;
      return fromHolder(task, base, command, now, done);
    }
    case 'block':
      return done({ ...base, state: 'blocked', lease: null }, [command.reason], task.assignee ?? undefined);
    case 'escalate':
      return done({ ...base, state: 'escalated', lease: null }, [command.reason], task.assignee ?? undefined);
    case 'cancel':
      return done({ ...base, state: 'canceled', lease: null }, [command.reason], task.assignee ?? undefined);
    case 'retry': {
      // A person's retry grants a fresh budget; anyone else retrying a spent budget is the
      // "same bad command forever" loop the issue forbids.
      if (actor.kind !== 'person' && task.attempts >= task.maxAttempts) {
        return refuse('budget-spent', `${verb}: its ${task.maxAttempts} attempts are spent; a person must retry it`);
      }
      const attempts = actor.kind === 'person' ? 0 : task.attempts;
      return done({ ...base, state: 'queued', lease: null, assignee: null, attempts }, [`retried after ${task.state}`]);
    }
    case 'expireLease':
      return expire(task, base, verb, now, done);
    case 'reassign': {
      const holder = holderRefusal(task, command.from, verb, now);
      if (holder) return holder;
      if (command.to === command.from) return refuse('illegal-move', `${verb}: it is already ${command.from}'s`);
      const next: Task = { ...base, state: 'claimed', assignee: command.to, lease: { holder: command.to, expiresAt: now + command.leaseMs } };
      return done(next, [`moved from ${command.from} to ${command.to}, to resume on branch ${task.branch ?? '(none)'}`], command.to);
    }
    case 'prioritize':
      return done({ ...base, priority: command.priority }, [`priority ${task.priority} → ${command.priority}`]);
    case 'land':
      return done({ ...base, state: 'landed' }, [`landed on the base at ${command.sha.slice(0, 12)}`], task.assignee ?? undefined);
    case 'bounce': {
      if (command.worker === null) return done({ ...base, state: 'blocked', lease: null }, [...command.reasons, 'blocked until a person retries it'], task.assignee ?? undefined);
      const next: Task = { ...base, state: 'claimed', assignee: command.worker, lease: { holder: command.worker, expiresAt: now + command.leaseMs } };
      return done(next, [...command.reasons, `back to ${command.worker} to fix`], command.worker);
    }
    default:
      return assertNever(command);
  }
}

type Done = (next: Task, reasons: string[], worker?: string) => TaskResult;
type HolderCommand = Extract<TaskCommand, { type: 'start' | 'renew' | 'checkpoint' | 'finish' | 'fail' | 'release' }>;

/** The moves only the lease holder makes; the holder has been checked. */
function fromHolder(task: Task, base: Task, command: HolderCommand, now: number, done: Done): TaskResult {
  const worker = command.worker;
  switch (command.type) {
    case 'start':
      return done({ ...base, state: 'running' }, [`${worker} started`], worker);
    case 'renew':
      return done({ ...base, lease: { holder: worker, expiresAt: now + command.leaseMs } }, [`lease renewed by ${worker}`], worker);
    case 'checkpoint': {
      const point: Checkpoint = { at: now };
      if (command.sha !== undefined) point.sha = command.sha;
      if (command.step !== undefined) point.step = command.step;
      if (command.note !== undefined) point.note = command.note;
      const said = [command.step, command.sha, command.note].filter((part) => part !== undefined).join(', ');
      return done({ ...base, checkpoints: [...task.checkpoints, point] }, [`checkpoint${said ? `: ${said}` : ''}`], worker);
    }
    case 'finish': {
      const disagreements = finishDisagreements(task, command.evidence);
      if (disagreements.length > 0) {
        return refuse('tree-disagrees', `cannot finish ${task.id}: the tree disagrees: ${disagreements.join('; ')}`, disagreements);
      }
      const check = task.check === null ? 'no acceptance check' : `check \`${task.check}\` passed`;
      return done({ ...base, state: 'done', lease: null }, [check, `${plural(command.evidence.commitsOnBranch, 'commit')} on ${task.branch ?? ''}`], worker);
    }
    case 'fail':
      return done({ ...base, state: 'failed', lease: null }, [command.reason], worker);
    case 'release':
      // Branch and checkpoints stay: whoever claims it next resumes instead of starting over.
      return done({ ...base, state: 'queued', lease: null, assignee: null }, [`released by ${worker}`], worker);
    default:
      return assertNever(command);
  }
}

function expire(task: Task, base: Task, verb: string, now: number, done: Done): TaskResult {
  const lease = task.lease;
  if (lease !== null && now < lease.expiresAt) {
    return refuse('lease-live', `${verb}: ${lease.holder}'s lease is live for ${lease.expiresAt - now} ms more`);
  }
  const who = lease?.holder ?? task.assignee ?? 'nobody';
  const why = `lease held by ${who} expired${lease ? ` at ${new Date(lease.expiresAt).toISOString()}` : ''}`;
  const cleared = { ...base, lease: null, assignee: null };
  if (task.attempts >= task.maxAttempts) {
    return done({ ...cleared, state: 'escalated' }, [why, `attempt ${task.attempts} of ${task.maxAttempts}: budget spent`], who);
  }
  return done({ ...cleared, state: 'queued' }, [why, `attempt ${task.attempts} of ${task.maxAttempts}: back to the queue`], who);
}

/** A worker acts only as itself, only on its own task, and never on the queue or the board's control. */
function scopeRefusal(task: Task, command: TaskCommand, actor: Actor, verb: string): TaskResult | null {
  if (actor.kind !== 'worker') return null;
  const me = actor.name;
  if (me === undefined || me === '') return refuse('out-of-scope', `${verb}: a worker actor must say which worker it is`);
  if (NOT_FOR_WORKERS.has(command.type)) return refuse('out-of-scope', `${verb}: worker ${me} may not ${VERBS[command.type]} tasks; ask a person`);
  if ('worker' in command && command.worker !== me) return refuse('out-of-scope', `${verb}: worker ${me} cannot act as ${command.worker}`);
  if (command.type === 'claim') return null; // claiming for itself; the state check decides the rest
  if (task.assignee !== me) {
    const owner = task.assignee === null ? 'nobody' : task.assignee;
    return refuse('out-of-scope', `${verb}: it is ${owner}'s task, not ${me}'s`);
  }
  return null;
}

/** Two claimers never both win; an expired lease is handed on by expireLease, never taken over silently. */
function claimedAlready(task: Task, lease: Lease, verb: string, now: number): TaskResult {
  const until = new Date(lease.expiresAt).toISOString();
  if (now < lease.expiresAt) return refuse('lease-held', `${verb}: it is ${task.state} and held by ${lease.holder}, whose lease is live until ${until}`);
  return refuse('illegal-move', `${verb}: ${lease.holder}'s lease expired at ${until}; expire it first so its work is handed on`);
}

function holderRefusal(task: Task, worker: string, verb: string, now: number): TaskResult | null {
  const lease = task.lease;
  if (lease === null) return refuse('not-holder', `${verb}: no worker holds it`);
  if (lease.holder === worker) return null;
  const code = now < lease.expiresAt ? 'lease-held' : 'not-holder';
  return refuse(code, `${verb}: it is held by ${lease.holder}, not ${worker}`);
}

function illegalBecause(state: TaskState, move: TaskCommandType): string {
  const allowed = LEGAL[move];
  const list = allowed.length === 1 ? allowed[0] : `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
  const hint = state === 'done' || state === 'landed' ? ` (a ${state} task is never run again)` : state === 'canceled' ? ' (a canceled task stays canceled)' : '';
  return `it is ${state}, not ${list}${hint}`;
}

/** Done means the tree agrees: the check passed, the work is committed on the task branch, nothing is dirty. */
function finishDisagreements(task: Task, evidence: FinishEvidence): string[] {
  const reasons: string[] = [];
  if (task.check !== null && evidence.checkPassed === false) reasons.push(`the acceptance check \`${task.check}\` failed`);
  if (task.check !== null && evidence.checkPassed === null) reasons.push(`the acceptance check \`${task.check}\` was not run`);
  if (evidence.dirtyFiles.length > 0) reasons.push(`${uncommitted(evidence.dirtyFiles)} left in the worktree`);
  if (task.branch === null) reasons.push('the task has no branch to commit its work on');
  else if (evidence.commitsOnBranch <= 0) reasons.push(`no commits on branch ${task.branch}`);
  return reasons;
}

/** What the tree says about a task, gathered by the git adapter for the board's drift column. */
export interface TreeFacts {
  dirtyFiles: string[];
  /** null when the check has not been re-run since. */
  checkPassed: boolean | null;
  commitsOnBranch: number;
  /** The task branch is contained in the base. */
  landed: boolean;
}

/** The board's drift findings: a done task the tree disagrees with, or an open task whose work already landed. */
export function drift(task: Task, tree: TreeFacts): string[] {
  if (task.state === 'canceled') return [];
  // A landed task's work is on the base; a rebased branch is never contained, and that is no drift.
  if (task.state === 'landed') return [];
  if (task.state !== 'done') {
    return tree.landed && task.branch !== null ? [`${task.id} is ${task.state} but its branch ${task.branch} already landed on the base`] : [];
  }
  const reasons: string[] = [];
  if (tree.dirtyFiles.length > 0) reasons.push(`${task.id} is done but ${uncommitted(tree.dirtyFiles)} in the worktree`);
  if (tree.checkPassed === false && task.check !== null) reasons.push(`${task.id} is done but \`${task.check}\` fails now`);
  if (!tree.landed && tree.commitsOnBranch <= 0) reasons.push(`${task.id} is done but its work is neither on ${task.branch ?? 'a branch'} nor landed`);
  return reasons;
}

/** Queue order: priority (lower first), then age (older first), then id so ties never flicker. */
export function compareQueueOrder(a: Task, b: Task): number {
  return a.priority - b.priority || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The tasks `task` still waits on: those of its `after` that are not done or landed (unknown ids wait too). */
export function waitingOn(task: Task, tasks: readonly Task[]): string[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  return task.after.filter((id) => {
    const other = byId.get(id);
    return other === undefined || !FINISHED_STATES.includes(other.state);
  });
}

/** The dispatcher's choice for an idle worker: the first ready queued task of its lane, or null. */
export function pickNext(tasks: readonly Task[], worker: { name: string; lane: string }): Task | null {
  const mine = tasks.filter((task) => task.state === 'queued' && task.lane === worker.lane && waitingOn(task, tasks).length === 0);
  return mine.sort(compareQueueOrder)[0] ?? null;
}

/**
 * Whether making `id` wait on `after` closes a cycle (a task that would wait on itself, through any
 * number of others): the path that would, for the error, or null.
 */
export function dependencyCycle(tasks: readonly Task[], id: string, after: readonly string[]): string[] | null {
  const edges = new Map(tasks.map((t) => [t.id, t.after]));
  edges.set(id, [...after]);
  const walk = (at: string, path: string[]): string[] | null => {
    for (const next of edges.get(at) ?? []) {
      if (next === id) return [...path, next];
      if (path.includes(next)) continue;
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return null;
  };
  return walk(id, [id]);
}

function refuse(code: TaskRefusal, error: string, reasons: string[] = [error]): TaskResult {
  return { ok: false, code, error, reasons };
}

const PATHS_SHOWN = 3;

function uncommitted(files: readonly string[]): string {
  const more = files.length > PATHS_SHOWN ? ` and ${files.length - PATHS_SHOWN} more` : '';
  return `${plural(files.length, 'uncommitted file')} (${files.slice(0, PATHS_SHOWN).join(', ')}${more})`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
