/**
 * The task state machine (ARCHITECTURE.md §9). Pure: the store reads a task, applies one command with
 * the actor and the time passed in, and writes the result and its event in the same transaction. Every
 * move not listed in LEGAL is refused with an error that names the task, its state and the move, so the
 * CLI and the dashboard can show it as is.
 */
import {
  HELD_STATES,
  NEEDS_PERSON_STATES,
  OPEN_STATES,
  plural,
  type Actor,
  type Checkpoint,
  type Lease,
  type Task,
  type TaskCommand,
  type TaskCommandType,
  type TaskEvent,
  type TaskRefusal,
  type TaskResult,
  type TaskState,
} from './tasks.js';
import { finishDisagreements } from './treeEvidence.js';

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
  accept: ['proposed'],
  land: ['done'],
  bounce: ['done'],
};

/** Control actions a worker never takes, even on its own task: they belong to the person and the policy. */
const NOT_FOR_WORKERS: ReadonlySet<TaskCommandType> = new Set(['cancel', 'retry', 'expireLease', 'release', 'reassign', 'prioritize', 'accept', 'land', 'bounce']);

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
  accept: 'accept',
  land: 'land',
  bounce: 'send back',
};

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
    case 'accept':
      return done({ ...base, state: 'queued' }, ['proposal accepted into the queue'])
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

function refuse(code: TaskRefusal, error: string, reasons: string[] = [error]): TaskResult {
  return { ok: false, code, error, reasons };
}
