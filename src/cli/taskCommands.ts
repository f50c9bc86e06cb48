/**
 * `muxctl task …`, `muxctl events`, `muxctl report`, `muxctl export` and `muxctl dispatch` (issue 4).
 * Inside a worker (MUXCTL_WORKER set) the commands act as that worker and only on its own task: a
 * confused agent cannot take over the board.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Services } from '../app/services.js';
import type { Outcome } from '../control/moves.js';
import { writeBridgeFiles } from '../control/bridge.js';
import { MuxctlError } from '../core/errors.js';
import { formatEvent, type BoardEvent } from '../core/rules/events.js';
import { clockDate, clockTime } from '../core/rules/health.js';
import { buildReport, formatReport, parseSince } from '../core/views/report.js';
import { parseChainFile } from '../core/rules/chains.js';
import { CLI_PERSON, TASK_STATES, type Actor, type Task, type TaskState } from '../core/rules/tasks.js';
import { waitingOn } from '../core/rules/queue.js';

export interface TaskFlags {
  json: boolean;
  lane?: string | undefined;
  priority?: string | undefined;
  label?: string[] | undefined;
  check?: string | undefined;
  prompt?: string | undefined;
  'prompt-file'?: string | undefined;
  'max-attempts'?: string | undefined;
  after?: string | undefined;
  state?: string | undefined;
  reason?: string | undefined;
  sha?: string | undefined;
  step?: string | undefined;
  yes: boolean;
  'refuse-dirty': boolean;
}

/** Exit codes: 0 done, 1 refused (an illegal move, the tree disagrees), 2 usage, 4 out of a worker's scope. */
const REFUSED = 1;
export const OUT_OF_SCOPE = 4;

/** What a worker may do from inside its worktree; the rest belongs to the person. */
const WORKER_COMMANDS = new Set(['list', 'show', 'claim', 'start', 'checkpoint', 'renew', 'done', 'fail', 'block', 'propose']);

export class TaskUsageError extends MuxctlError {
  constructor(message: string) {
    super(`${message}\nRun muxctl --help for usage.`, 2);
  }
}

/** Who is acting: the worker muxctl started this process in, or the person at the command line. */
export function cliActor(ctx: Services, env: NodeJS.ProcessEnv = process.env): Actor {
  const me = env['MUXCTL_WORKER'];
  if (me === undefined || me === '') return CLI_PERSON;
  if (!ctx.config().workers.some((worker) => worker.name === me)) {
    throw new MuxctlError(`MUXCTL_WORKER=${me} names no worker of ${ctx.config().file}; muxctl task acts only as a configured worker.`, OUT_OF_SCOPE);
  }
  return { kind: 'worker', name: me };
}

export async function taskCommand(ctx: Services, args: string[], flags: TaskFlags): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) throw new TaskUsageError('muxctl task needs a subcommand: add, propose, accept, chain add, after, list, show, assign, reassign, retry, cancel, done, fail, block, claim, start, checkpoint, renew, priority.');
  const actor = cliActor(ctx);
  if (actor.kind === 'worker' && !WORKER_COMMANDS.has(sub)) {
    process.stderr.write(`muxctl: worker ${actor.name} may not run \`task ${sub}\`: that belongs to the person at the board. A worker may ${[...WORKER_COMMANDS].join(', ')}.\n`);
    return OUT_OF_SCOPE;
  }
  const control = ctx.tasks;
  const store = control.store;
  const idOrOwn = (): string | null => rest[0] ?? null;
  const reasonFrom = (words: string[], fallback: string): string => flags.reason ?? (words.join(' ').trim() || fallback);
  // A worker names its task or none; a lone word after fail/block is the reason, not a task id.
  const splitId = (): { id: string | null; words: string[] } => (rest[0] !== undefined && /^T\d+$/i.test(rest[0]) ? { id: rest[0], words: rest.slice(1) } : { id: null, words: rest });

  switch (sub) {
    case 'accept':
      return report(control.move(one(rest, 'accept'), () => ({ type: 'accept' }), actor), flags.json);
    case 'add':
    case 'propose': {
      const title = rest.join(' ').trim();
      if (title === '') throw new TaskUsageError(`muxctl task ${sub} needs a title, e.g. muxctl task ${sub} "fix the login form" --lane app`);
      const prompt = flags['prompt-file'] !== undefined ? readFileSync(flags['prompt-file'], 'utf8') : flags.prompt;
      return report(
        control.add(
          {
            title,
            ...(prompt === undefined ? {} : { prompt }),
            ...(flags.lane === undefined ? {} : { lane: flags.lane }),
            ...(flags.priority === undefined ? {} : { priority: intFlag('--priority', flags.priority, 0, 9) }),
            ...(flags.label === undefined ? {} : { labels: flags.label.flatMap((l) => l.split(',')).map((l) => l.trim()).filter(Boolean) }),
            ...(flags.check === undefined ? {} : { check: flags.check }),
            ...(flags['max-attempts'] === undefined ? {} : { maxAttempts: intFlag('--max-attempts', flags['max-attempts'], 1, 20) }),
            ...(flags.after === undefined ? {} : { after: parseIds('--after', flags.after) }),
            // A worker's task is always a proposal; a person proposing (to try the flow) may too.
            ...(sub === 'propose' ? { propose: true } : {}),
          },
          actor,
        ),
        flags.json,
      );
    }
    case 'chain': {
      const [verb, file] = rest;
      if (verb !== 'add' || file === undefined) throw new TaskUsageError('muxctl task chain add FILE (a YAML or JSON file: name, steps).');
      const parsed = parseChainFile(readFileSync(file, 'utf8'), file, Object.keys(ctx.config().lanes));
      if (!parsed.ok) {
        for (const problem of parsed.problems) process.stderr.write(`✖ ${problem}\n`);
        process.stderr.write('Nothing was added.\n');
        return REFUSED;
      }
      const added = store.addMany(parsed.chain.steps, actor);
      if (flags.json) process.stdout.write(`${JSON.stringify(added)}\n`);
      else for (const task of added) process.stdout.write(`✔ ${task.id} step ${task.chain?.step ?? '?'} of ${parsed.chain.name}: ${task.title}${task.after.length > 0 ? ` (after ${task.after.join(', ')})` : ''}\n`);
      return 0;
    }
    case 'after': {
      const id = one(rest.slice(0, 1), 'after');
      const task = store.setAfter(id, rest[1] === undefined || rest[1] === '-' ? [] : parseIds('after', rest[1]), actor);
      return report({ ok: true, message: `${task.id} waits on ${task.after.length > 0 ? task.after.join(', ') : 'nothing'}`, task }, flags.json);
    }
    case 'list': {
      const states = flags.state === undefined ? undefined : parseStates(flags.state);
      const tasks = store.list({ ...(states === undefined ? {} : { states }), ...(flags.lane === undefined ? {} : { lane: flags.lane }) });
      if (flags.json) process.stdout.write(`${JSON.stringify(tasks)}\n`);
      else process.stdout.write(tasks.length === 0 ? 'No tasks. Add one: muxctl task add "title" --lane <lane>\n' : `${taskTable(tasks, Date.now())}\n`);
      return 0;
    }
    case 'show': {
      const task = store.get(one(rest, 'show'));
      if (task === null) return report({ ok: false, message: `no task ${rest[0] ?? ''}`, reasons: [] }, flags.json);
      const events = store.events({ about: task.id });
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...task, events })}\n`);
      else process.stdout.write(`${showTask(task, events)}\n`);
      return 0;
    }
    case 'assign':
      return report(await control.assign(one(rest.slice(0, 1), 'assign'), two(rest, 'assign'), actor), flags.json);
    case 'reassign': {
      const outcome = await control.reassign(one(rest.slice(0, 1), 'reassign'), two(rest, 'reassign'), actor, {
        onDirty: flags['refuse-dirty'] ? 'refuse' : 'commit-wip',
        laneConfirmed: flags.yes,
      });
      if (!outcome.ok && outcome.askLane === true) {
        process.stderr.write(`muxctl: ${outcome.message}\nAdd --yes to move it to the other lane.\n`);
        return REFUSED;
      }
      return report(outcome, flags.json);
    }
    case 'retry':
      return report(control.move(one(rest, 'retry'), () => ({ type: 'retry' }), actor), flags.json);
    case 'cancel':
      return report(control.move(one(rest.slice(0, 1), 'cancel'), () => ({ type: 'cancel', reason: reasonFrom(rest.slice(1), 'canceled from the command line') }), actor), flags.json);
    case 'priority':
      return report(control.move(one(rest.slice(0, 1), 'priority'), () => ({ type: 'prioritize', priority: intFlag('priority', two(rest, 'priority'), 0, 9) }), actor), flags.json);
    case 'done': {
      const outcome = await control.finish(idOrOwn(), actor);
      if (!flags.json && outcome.check !== undefined) process.stderr.write(`the acceptance check ${outcome.check.passed ? 'passed' : 'failed'} (exit ${outcome.check.exitCode ?? '?'})\n`);
      return report(outcome, flags.json);
    }
    case 'fail':
    case 'block': {
      const { id, words } = splitId();
      const reason = reasonFrom(words, sub === 'fail' ? 'failed (no reason given)' : 'blocked (no reason given)');
      return report(
        control.move(id, (task) => (sub === 'fail' ? { type: 'fail', worker: task.assignee ?? '', reason } : { type: 'block', reason }), actor),
        flags.json,
      );
    }
    case 'claim': {
      const me = actor.kind === 'worker' ? actor.name : undefined;
      if (me === undefined) throw new TaskUsageError('muxctl task claim runs inside a worker (MUXCTL_WORKER); a person assigns: muxctl task assign T3 app-1');
      return report(await control.claim(rest[0] ?? null, me, actor), flags.json);
    }
    case 'start':
      return report(control.move(idOrOwn(), (task) => ({ type: 'start', worker: task.assignee ?? '' }), actor), flags.json);
    case 'renew':
      return report(control.move(idOrOwn(), (task) => ({ type: 'renew', worker: task.assignee ?? '', leaseMs: control.leaseMs() }), actor), flags.json);
    case 'checkpoint': {
      const { id, words } = splitId();
      const note = words.join(' ').trim();
      return report(
        control.move(
          id,
          (task) => ({
            type: 'checkpoint',
            worker: task.assignee ?? '',
            ...(flags.sha === undefined ? {} : { sha: flags.sha }),
            ...(flags.step === undefined ? {} : { step: flags.step }),
            ...(note === '' ? {} : { note }),
          }),
          actor,
        ),
        flags.json,
      );
    }
    default:
      throw new TaskUsageError(`Unknown task subcommand "${sub}".`);
  }
}

export async function eventsCommand(ctx: Services, flags: { json: boolean; follow: boolean; since?: string | undefined; about?: string | undefined }): Promise<number> {
  const store = ctx.store;
  const since = flags.since === undefined ? undefined : sinceFlag(flags.since);
  const query = { ...(since === undefined ? {} : { since }), ...(flags.about === undefined ? {} : { about: flags.about }) };
  let last = 0;
  const print = (events: BoardEvent[]): void => {
    for (const event of events) {
      process.stdout.write(flags.json ? `${JSON.stringify({ ...event, time: new Date(event.time).toISOString() })}\n` : `${formatEvent(event, dateTime)}\n`);
      last = event.id;
    }
  };
  print(store.events(query));
  if (!flags.follow) return 0;
  // Polled: one indexed query each half second costs nothing next to a person reading.
  for (;;) {
    await sleep(500);
    print(store.events({ ...query, afterId: last }));
  }
}

export function reportCommand(ctx: Services, flags: { json: boolean; since?: string | undefined }): number {
  const now = Date.now();
  const since = sinceFlag(flags.since ?? '24h');
  const store = ctx.store;
  // A week before the window too: the first claim of a task done in it may be older.
  const report = buildReport({ tasks: store.list(), events: store.events({ since: since - 7 * 86_400_000 }), since, now });
  process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${formatReport(report, dateTime)}\n`);
  return 0;
}

export async function exportCommand(ctx: Services): Promise<number> {
  const snapshots = await ctx.observer.observe(20);
  const written = writeBridgeFiles(ctx.runtime, ctx.store, snapshots, Date.now(), true);
  for (const file of written) process.stdout.write(`wrote ${file}\n`);
  return 0;
}

export function dispatchCommand(ctx: Services, args: string[]): number {
  const [what] = args;
  if (what !== 'pause' && what !== 'resume') throw new TaskUsageError('muxctl dispatch takes pause or resume.');
  ctx.dispatcher.setPaused(what === 'pause', CLI_PERSON, what === 'pause' ? 'automatic dispatch paused from the command line' : 'automatic dispatch resumed from the command line');
  process.stdout.write(`automatic dispatch ${what === 'pause' ? 'paused' : 'resumed'}\n`);
  return 0;
}

function report(outcome: Outcome, json: boolean): number {
  if (json) {
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  } else if (outcome.ok) {
    process.stdout.write(`✔ ${outcome.message}\n`);
  } else {
    process.stderr.write(`✖ ${outcome.message}\n`);
    for (const reason of outcome.reasons) if (reason !== outcome.message) process.stderr.write(`  · ${reason}\n`);
  }
  if (outcome.ok) return 0;
  return outcome.code === 'out-of-scope' ? OUT_OF_SCOPE : REFUSED;
}

function one(rest: readonly string[], what: string): string {
  const id = rest[0];
  if (id === undefined || id === '') throw new TaskUsageError(`muxctl task ${what} needs a task id, e.g. T3.`);
  return id;
}

function two(rest: readonly string[], what: string): string {
  const second = rest[1];
  if (second === undefined || second === '') throw new TaskUsageError(`muxctl task ${what} needs a task id and ${what === 'priority' ? 'a priority (0–9)' : 'a worker'}.`);
  return second;
}

function intFlag(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new TaskUsageError(`${name} expects a whole number ${min}–${max}; got ${JSON.stringify(text)}.`);
  return value;
}

function parseIds(flag: string, text: string): string[] {
  const ids = text.split(',').map((id) => id.trim().toUpperCase()).filter(Boolean);
  const bad = ids.find((id) => !/^T\d+$/.test(id));
  if (bad !== undefined) throw new TaskUsageError(`${flag} expects task ids such as T3,T7; got ${JSON.stringify(bad)}.`);
  return ids;
}

function parseStates(text: string): TaskState[] {
  const states = text.split(',').map((s) => s.trim());
  for (const state of states) {
    if (!(TASK_STATES as readonly string[]).includes(state)) throw new TaskUsageError(`--state expects one of ${TASK_STATES.join(', ')}; got ${JSON.stringify(state)}.`);
  }
  return states as TaskState[];
}

function sinceFlag(text: string): number {
  const since = parseSince(text, Date.now());
  if (typeof since === 'number') return since;
  throw new TaskUsageError(since.error);
}

function dateTime(ms: number): string {
  return `${clockDate(ms)} ${clockTime(ms)}`;
}

function taskTable(tasks: readonly Task[], now: number): string {
  const rows = tasks.map((t) => {
    const waits = t.state === 'queued' ? waitingOn(t, tasks) : [];
    const title = `${t.title}${t.chain ? ` [${t.chain.name} ${t.chain.step}]` : ''}${waits.length > 0 ? ` (waits on ${waits.join(', ')})` : ''}`;
    return [t.id, t.state, `P${t.priority}`, t.lane, t.assignee ?? '', t.lease ? leaseLeft(t.lease.expiresAt, now) : '', title];
  });
  const header = ['ID', 'STATE', 'PRI', 'LANE', 'WORKER', 'LEASE', 'TITLE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

function leaseLeft(expiresAt: number, now: number): string {
  const left = Math.round((expiresAt - now) / 1000);
  if (left <= 0) return 'expired';
  return left >= 120 ? `${Math.round(left / 60)}m` : `${left}s`;
}

function showTask(task: Task, events: readonly BoardEvent[]): string {
  const lines = [
    `${task.id}  ${task.title}`,
    `  state     ${task.state}${task.assignee ? ` (${task.assignee})` : ''}`,
    `  lane      ${task.lane}, priority ${task.priority}${task.labels.length > 0 ? `, labels ${task.labels.join(', ')}` : ''}`,
    `  check     ${task.check ?? '(none)'}`,
    `  branch    ${task.branch ?? '(none yet)'}`,
    `  attempts  ${task.attempts} of ${task.maxAttempts}`,
  ];
  if (task.lease) lines.push(`  lease     ${task.lease.holder} until ${dateTime(task.lease.expiresAt)}`);
  const point = task.checkpoints[task.checkpoints.length - 1];
  if (point) lines.push(`  checkpoint ${[point.step, point.sha, point.note].filter(Boolean).join(', ')} (${task.checkpoints.length} in all)`);
  if (task.outcome) {
    const o = task.outcome;
    const spent = [o.tokens === undefined ? '' : `${o.tokens} tokens`, o.costUsd === undefined ? '' : `$${o.costUsd.toFixed(2)}`].filter(Boolean).join(', ');
    lines.push(`  outcome   ${o.commits} commit${o.commits === 1 ? '' : 's'}${spent ? `, ${spent}` : ''}${o.message ? ` — “${o.message}”` : ''}`);
  }
  if (task.prompt.trim() !== task.title.trim()) lines.push('', ...task.prompt.split('\n').map((l) => `  ${l}`));
  lines.push('', 'History:', ...events.map((e) => `  ${formatEvent(e, dateTime)}`));
  return lines.join('\n');
}
