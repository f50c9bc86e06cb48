/**
 * The board's durable state: tasks and events in SQLite (`.muxctl/state.db`, WAL mode). The dashboard,
 * the CLI and workers running `muxctl task …` write at the same time; every mutation is one IMMEDIATE
 * transaction that reads, decides with the pure state machine, and writes the task and its event
 * together, so no two writers both win and a killed process leaves either all of a change or none.
 */
import type Database from 'better-sqlite3';
import { loadNative } from './nativeModule.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BoardEvent, NewBoardEvent } from '../core/rules/events.js';
import { MuxctlError } from '../core/errors.js';
import { redact } from '../core/rules/redact.js';
import { pidAlive } from './process.js';
import { applyTask } from '../core/rules/taskMachine.js';
import { dependencyCycle, pickNext } from '../core/rules/queue.js';
import { HELD_STATES, newTask } from '../core/rules/tasks.js';
import type { Actor, NewTask, Task, TaskCommand, TaskOutcome, TaskResult, TaskState } from '../core/rules/tasks.js';
import { eventFromRow, fromRow, insertEventRow, insertTaskRow, migrate, updateTaskRow } from './taskStoreSchema.js';
import type { EventRow, TaskRow } from './taskStoreSchema.js';
import { MessageBox } from './messageBox.js';
import { statementCache, type Prepare } from './statements.js';

export { SCHEMA_VERSION } from './taskStoreSchema.js';

/** The core's held states as an SQL list: the states come from a fixed union, never from input. */
const HELD_IN_SQL = HELD_STATES.map((state) => `'${state}'`).join(', ');

/** How long a writer waits for another's transaction before giving up; a transaction takes milliseconds. */
const BUSY_TIMEOUT_MS = 10_000;

export interface TaskFilter {
  states?: readonly TaskState[];
  lane?: string;
  assignee?: string;
}

export interface EventQuery {
  /** Only events after this id (for following). */
  afterId?: number;
  /** Only events at or after this time, epoch ms. */
  since?: number;
  /** Events about this task or worker: as the subject, or as the worker a task event concerns. */
  about?: string;
  /** The newest `limit` events, still returned oldest first. */
  limit?: number;
}

/** Fields the control plane sets beside the state machine's moves (the branch's base, the outcome). */
export interface TaskAnnotation {
  baseSha?: string | null;
  branch?: string | null;
  outcome?: TaskOutcome | null;
  checkpoints?: Task['checkpoints'];
  after?: string[];
}

/**
 * Switches a new database to WAL, once. SQLite answers SQLITE_BUSY to this switch at once, without
 * waiting out busy_timeout, when another process is creating the same file at that moment (two
 * `muxctl up` started together did this), so the switch is retried here until the same deadline.
 */
function enterWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) === 'wal') return;
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      Atomics.wait(RETRY_PAUSE, 0, 0, 5 + Math.random() * 20);
    }
  }
}

/** A cell nothing ever notifies: waiting on it is a synchronous sleep, as SQLite's own busy wait is. */
const RETRY_PAUSE = new Int32Array(new SharedArrayBuffer(4));

export class TaskStore {
  private readonly db: Database.Database;
  private readonly sql: Prepare;
  private ownWrites = 0;
  /** Messages to workers, in the same database: a message and its event are written together. */
  readonly messages: MessageBox;

  private constructor(db: Database.Database) {
    this.db = db;
    this.sql = statementCache(db);
    this.messages = new MessageBox(this.sql, (write) => this.immediate(write), (event) => this.insertEvent(event));
  }

  /** Opens (creating and migrating) the database; a newer schema than this muxctl knows is refused. */
  static open(file: string): TaskStore {
    mkdirSync(dirname(file), { recursive: true });
    const db = new (loadNative<typeof Database>('better-sqlite3'))(file, { timeout: BUSY_TIMEOUT_MS });
    try {
      enterWal(db);
      // NORMAL in WAL mode: a killed process never corrupts the database or splits a transaction;
      // only a power cut can drop the last commits, which a task board can live with.
      db.pragma('synchronous = NORMAL');
      migrate(db, file);
    } catch (error) {
      db.close();
      throw error;
    }
    return new TaskStore(db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Changes when another connection commits: the dashboard polls this (one cheap pragma) to see
   * writes from the CLI and workers within a second without re-reading the board.
   */
  dataVersion(): number {
    return (this.sql('PRAGMA data_version').get() as { data_version: number }).data_version;
  }

  /**
   * Changes whenever anything was written, by this process (counted here) or another (SQLite's
   * data_version moves on another connection's commit): the board's cheap "anything new?".
   */
  changeMark(): string {
    return `${this.dataVersion()}:${this.ownWrites}`;
  }

  add(init: Omit<NewTask, 'id'>, actor: Actor, now = Date.now()): Task {
    return this.addMany([init], actor, now)[0] as Task;
  }

  /**
   * Adds tasks in one transaction (a chain's steps: all or none). `after` may name tasks added earlier in
   * the same call by their position, as `#0`, `#1`…; every other id must exist. A wait that would close
   * a cycle is refused with the path, and nothing is added.
   */
  addMany(inits: readonly Omit<NewTask, 'id'>[], actor: Actor, now = Date.now()): Task[] {
    return this.immediate(() => {
      const added: Task[] = [];
      for (const init of inits) {
        const seq = (this.sql('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM tasks').get() as { next: number }).next;
        const id = `T${seq}`;
        const after = (init.after ?? []).map((ref) => (/^#\d+$/.test(ref) ? (added[Number(ref.slice(1))]?.id ?? ref) : ref.toUpperCase()));
        for (const dep of after) {
          if (this.get(dep) === null) throw new MuxctlError(`cannot add "${init.title}": it waits on ${dep}, which does not exist`, 1);
        }
        const cycle = dependencyCycle(this.list(), id, after);
        if (cycle !== null) throw new MuxctlError(`cannot add "${init.title}": waiting on ${after.join(', ')} would close a cycle (${cycle.join(' → ')})`, 1);
        const task = newTask({ ...init, after, id }, now);
        this.insertTask(task, seq);
        const waits = after.length > 0 ? [`waits on ${after.join(', ')}`] : [];
        const chain = task.chain === null ? [] : [`step ${task.chain.step} of chain ${task.chain.name}`];
        this.insertEvent({ time: now, actor, kind: 'task', subject: task.id, action: task.state === 'proposed' ? 'propose' : 'add', to: task.state, reasons: [`lane ${task.lane}, priority ${task.priority}`, ...chain, ...waits] });
        added.push(task);
      }
      return added;
    });
  }

  /**
   * Changes what a queued task waits on. Every id must exist, and a wait that would close a cycle (the
   * task waiting, through others, on itself) is refused with the path.
   */
  setAfter(id: string, after: readonly string[], actor: Actor, now = Date.now()): Task {
    return this.immediate(() => {
      const task = this.get(id);
      if (task === null) throw new MuxctlError(`no task ${id}`, 1);
      if (task.state !== 'queued') throw new MuxctlError(`cannot change what ${task.id} waits on: it is ${task.state}, not queued`, 1);
      const ids = after.map((ref) => ref.toUpperCase());
      for (const dep of ids) if (this.get(dep) === null) throw new MuxctlError(`cannot make ${task.id} wait on ${dep}: there is no ${dep}`, 1);
      const cycle = dependencyCycle(this.list(), task.id, ids);
      if (cycle !== null) throw new MuxctlError(`cannot make ${task.id} wait on ${ids.join(', ')}: that closes a cycle (${cycle.join(' → ')})`, 1);
      const next: Task = { ...task, after: ids, updatedAt: now };
      this.writeTask(next);
      this.insertEvent({ time: now, actor, kind: 'task', subject: task.id, action: 'after', from: task.state, to: task.state, reasons: [ids.length > 0 ? `waits on ${ids.join(', ')}` : 'waits on nothing'] });
      return next;
    });
  }

  /**
   * Takes a named lock (the lander's) for this process, or says who holds it. A holder whose pid is dead
   * on this machine is stale: its lock is taken over, so a killed lander never wedges the next one.
   */
  tryLock(name: string, holder: string, now = Date.now()): { ok: true } | { ok: false; holder: string; pid: number; since: number } {
    return this.immediate(() => {
      const row = this.sql('SELECT holder, pid, since FROM locks WHERE name = ?').get(name) as { holder: string; pid: number; since: number } | undefined;
      if (row !== undefined && row.pid !== process.pid && pidAlive(row.pid)) return { ok: false, ...row };
      this.sql('INSERT INTO locks (name, holder, pid, since) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, since = excluded.since').run(name, holder, process.pid, now);
      return { ok: true };
    });
  }

  unlock(name: string): void {
    this.immediate(() => this.sql('DELETE FROM locks WHERE name = ? AND pid = ?').run(name, process.pid));
  }

  lockHolder(name: string): { holder: string; pid: number; since: number; alive: boolean } | null {
    const row = this.sql('SELECT holder, pid, since FROM locks WHERE name = ?').get(name) as { holder: string; pid: number; since: number } | undefined;
    return row === undefined ? null : { ...row, alive: pidAlive(row.pid) };
  }

  get(id: string): Task | null {
    const row = this.sql('SELECT * FROM tasks WHERE id = ? COLLATE NOCASE').get(id) as TaskRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  list(filter: TaskFilter = {}): Task[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.states !== undefined) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ') || "''"})`);
      args.push(...filter.states);
    }
    if (filter.lane !== undefined) {
      where.push('lane = ?');
      args.push(filter.lane);
    }
    if (filter.assignee !== undefined) {
      where.push('assignee = ?');
      args.push(filter.assignee);
    }
    const sql = `SELECT * FROM tasks${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    return (this.sql(sql).all(...args) as TaskRow[]).map(fromRow);
  }

  /** The task a worker holds (claimed or running), if any. */
  heldBy(worker: string): Task | null {
    const row = this.sql(`SELECT * FROM tasks WHERE assignee = ? AND state IN (${HELD_IN_SQL}) ORDER BY seq LIMIT 1`).get(worker) as TaskRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  /**
   * Applies one command in one transaction: read, decide with the state machine, write the task and its
   * event. `annotate` adds control-plane fields (the branch's base) to a move that succeeded.
   */
  apply(id: string, command: TaskCommand, actor: Actor, now = Date.now(), annotate?: (task: Task) => TaskAnnotation): TaskResult {
    return this.immediate(() => this.applyInside(id, command, actor, now, annotate));
  }

  /**
   * Claims for a worker the first queued task of its lane, by priority then age; null when there is
   * none. A worker that already holds a task gets that refused, so one worker never holds two.
   */
  claimNext(worker: string, lane: string, leaseMs: number, actor: Actor, now = Date.now(), branchFor?: (task: Task) => string): TaskResult | null {
    return this.immediate(() => {
      const held = this.heldBy(worker);
      if (held !== null) return { ok: false, code: 'lease-held', error: `${worker} already holds ${held.id} (${held.state})`, reasons: [`${worker} already holds ${held.id}`] };
      const next = pickNext(this.list(), { name: worker, lane });
      if (next === null) return null;
      const branch = branchFor?.(next);
      return this.applyInside(next.id, { type: 'claim', worker, leaseMs, ...(branch === undefined ? {} : { branch }) }, actor, now);
    });
  }

  /** Sets control-plane fields without a state move (the outcome after a finish, the base after a branch). */
  annotate(id: string, fields: TaskAnnotation, _now = Date.now()): Task | null {
    return this.immediate(() => {
      const task = this.get(id);
      if (task === null) return null;
      // Not a change of the task's state: updatedAt keeps saying when it last moved (the lander's order).
      const next: Task = { ...task, ...fields } as Task;
      this.writeTask(next);
      return next;
    });
  }

  /** Records an event that is not a task move (a restart, a refusal, a pause of the dispatcher). */
  record(event: NewBoardEvent): BoardEvent {
    return this.immediate(() => this.insertEvent(event));
  }

  events(query: EventQuery = {}): BoardEvent[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.afterId !== undefined) {
      where.push('id > ?');
      args.push(query.afterId);
    }
    if (query.since !== undefined) {
      where.push('time >= ?');
      args.push(query.since);
    }
    if (query.about !== undefined) {
      where.push('(subject = ? OR worker = ?)');
      args.push(query.about, query.about);
    }
    const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const sql =
      query.limit === undefined
        ? `SELECT * FROM events${filter} ORDER BY id`
        : `SELECT * FROM (SELECT * FROM events${filter} ORDER BY id DESC LIMIT ${Number.isFinite(query.limit) ? Math.max(0, Math.floor(query.limit)) : -1}) ORDER BY id`;
    return (this.sql(sql).all(...args) as EventRow[]).map(eventFromRow);
  }

  getSetting(key: string): string | null {
    const row = this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  /** Changes a board setting and records who did it and why, in one transaction. */
  setSetting(key: string, value: string, event: NewBoardEvent): void {
    this.immediate(() => {
      this.sql('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
      this.insertEvent(event);
    });
  }

  /** For tests and the doctor: SQLite's own consistency check. */
  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  private applyInside(id: string, command: TaskCommand, actor: Actor, now: number, annotate?: (task: Task) => TaskAnnotation): TaskResult {
    const task = this.get(id);
    if (task === null) return { ok: false, code: 'not-found', error: `no task ${id}`, reasons: [`no task ${id}`] };
    const result = applyTask(task, command, actor, now);
    if (!result.ok) return result;
    const next = annotate === undefined ? result.task : ({ ...result.task, ...annotate(result.task) } as Task);
    this.writeTask(next);
    const { event } = result;
    this.insertEvent({
      time: event.time,
      actor: event.actor,
      kind: 'task',
      subject: event.task,
      action: event.action,
      from: event.from,
      to: event.to,
      ...(event.worker === undefined ? {} : { worker: event.worker }),
      reasons: event.reasons,
    });
    // The caller prints the event: masked like the stored copy.
    return { ...result, task: next, event: { ...event, reasons: event.reasons.map((reason) => redact(reason)) } };
  }

  private immediate<T>(fn: () => T): T {
    const result = this.db.transaction(fn).immediate();
    this.ownWrites += 1;
    return result;
  }

  private insertTask(task: Task, seq: number): void {
    insertTaskRow(this.db, task, seq);
  }

  private writeTask(task: Task): void {
    updateTaskRow(this.db, task);
  }

  private insertEvent(event: NewBoardEvent): BoardEvent {
    // Reasons quote evidence (screen lines, log text, check output): masked like everything muxctl writes.
    const reasons = event.reasons.map((reason) => redact(reason));
    return { ...event, reasons, id: insertEventRow(this.db, { ...event, reasons }) };
  }
}
