/**
 * The task store's tables: the migrations that build them (`PRAGMA user_version` counts those run), the
 * row shapes, the statements that write a row, and the mapping between a row and a Task or a BoardEvent.
 * The transactions that read, decide and write are in taskStore.ts.
 */
import type Database from 'better-sqlite3';
import { MuxctlError } from '../core/errors.js';
import type { BoardEvent, NewBoardEvent } from '../core/rules/events.js';
import type { Task, TaskOutcome, TaskState } from '../core/rules/tasks.js';

/** Each entry moves the schema one version up; `PRAGMA user_version` says how many have run. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE tasks (
     id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL UNIQUE,
     state TEXT NOT NULL,
     title TEXT NOT NULL,
     prompt TEXT NOT NULL,
     lane TEXT NOT NULL,
     priority INTEGER NOT NULL,
     labels TEXT NOT NULL,
     check_cmd TEXT,
     branch TEXT,
     base_sha TEXT,
     assignee TEXT,
     attempts INTEGER NOT NULL,
     max_attempts INTEGER NOT NULL,
     lease_holder TEXT,
     lease_expires INTEGER,
     checkpoints TEXT NOT NULL,
     outcome TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX tasks_by_state ON tasks (state, lane, priority, created_at);
   CREATE TABLE events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     time INTEGER NOT NULL,
     actor_kind TEXT NOT NULL,
     actor_name TEXT,
     kind TEXT NOT NULL,
     subject TEXT NOT NULL,
     action TEXT NOT NULL,
     from_state TEXT,
     to_state TEXT,
     worker TEXT,
     reasons TEXT NOT NULL
   );
   CREATE INDEX events_by_subject ON events (subject, id);
   CREATE INDEX events_by_worker ON events (worker, id);
   CREATE INDEX events_by_time ON events (time);`,
  // Issue 5: tasks that wait on others, chains of steps, and named locks (one lander at a time).
  `ALTER TABLE tasks ADD COLUMN after_ids TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE tasks ADD COLUMN chain TEXT;
   CREATE TABLE locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, pid INTEGER NOT NULL, since INTEGER NOT NULL);`,
  // Issue 12: messages typed into a worker's agent, waiting until it is at its prompt.
  `CREATE TABLE messages (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     to_worker TEXT NOT NULL,
     text TEXT NOT NULL,
     sender_kind TEXT NOT NULL,
     sender_name TEXT,
     state TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     pending_since INTEGER,
     pending_epoch INTEGER,
     delivered_at INTEGER,
     reason TEXT
   );
   CREATE INDEX messages_by_worker ON messages (to_worker, state, id);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface TaskRow {
  id: string;
  seq: number;
  state: string;
  title: string;
  prompt: string;
  lane: string;
  priority: number;
  labels: string;
  check_cmd: string | null;
  branch: string | null;
  base_sha: string | null;
  assignee: string | null;
  attempts: number;
  max_attempts: number;
  lease_holder: string | null;
  lease_expires: number | null;
  checkpoints: string;
  outcome: string | null;
  after_ids: string;
  chain: string | null;
  created_at: number;
  updated_at: number;
}

export interface EventRow {
  id: number;
  time: number;
  actor_kind: string;
  actor_name: string | null;
  kind: string;
  subject: string;
  action: string;
  from_state: string | null;
  to_state: string | null;
  worker: string | null;
  reasons: string;
}

export function migrate(db: Database.Database, file: string): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new MuxctlError(`${file} has schema version ${version}, newer than this muxctl knows (${MIGRATIONS.length}): upgrade muxctl.`, 1);
    }
    for (let next = version; next < MIGRATIONS.length; next += 1) db.exec(MIGRATIONS[next] ?? '');
    if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

export function insertTaskRow(db: Database.Database, task: Task, seq: number): void {
  db.prepare(
    `INSERT INTO tasks (id, seq, state, title, prompt, lane, priority, labels, check_cmd, branch, base_sha, assignee, attempts,
       max_attempts, lease_holder, lease_expires, checkpoints, outcome, after_ids, chain, created_at, updated_at)
     VALUES (@id, @seq, @state, @title, @prompt, @lane, @priority, @labels, @check_cmd, @branch, @base_sha, @assignee, @attempts,
       @max_attempts, @lease_holder, @lease_expires, @checkpoints, @outcome, @after_ids, @chain, @created_at, @updated_at)`,
  ).run({ ...toRow(task), seq });
}

/** Every column but `seq` and `created_at`, which never change. */
export function updateTaskRow(db: Database.Database, task: Task): void {
  db.prepare(
    `UPDATE tasks SET state = @state, title = @title, prompt = @prompt, lane = @lane, priority = @priority, labels = @labels,
       check_cmd = @check_cmd, branch = @branch, base_sha = @base_sha, assignee = @assignee, attempts = @attempts,
       max_attempts = @max_attempts, lease_holder = @lease_holder, lease_expires = @lease_expires,
       checkpoints = @checkpoints, outcome = @outcome, after_ids = @after_ids, chain = @chain, updated_at = @updated_at
     WHERE id = @id`,
  ).run(toRow(task));
}

/** Writes the event as given (the caller has masked its reasons) and returns its id. */
export function insertEventRow(db: Database.Database, event: NewBoardEvent): number {
  const info = db
    .prepare(
      `INSERT INTO events (time, actor_kind, actor_name, kind, subject, action, from_state, to_state, worker, reasons)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(event.time, event.actor.kind, event.actor.name ?? null, event.kind, event.subject, event.action, event.from ?? null, event.to ?? null, event.worker ?? null, JSON.stringify(event.reasons));
  return Number(info.lastInsertRowid);
}

function toRow(task: Task): Omit<TaskRow, 'seq'> {
  return {
    id: task.id,
    state: task.state,
    title: task.title,
    prompt: task.prompt,
    lane: task.lane,
    priority: task.priority,
    labels: JSON.stringify(task.labels),
    check_cmd: task.check,
    branch: task.branch,
    base_sha: task.baseSha,
    assignee: task.assignee,
    attempts: task.attempts,
    max_attempts: task.maxAttempts,
    lease_holder: task.lease?.holder ?? null,
    lease_expires: task.lease?.expiresAt ?? null,
    checkpoints: JSON.stringify(task.checkpoints),
    outcome: task.outcome === null ? null : JSON.stringify(task.outcome),
    after_ids: JSON.stringify(task.after),
    chain: task.chain === null ? null : JSON.stringify(task.chain),
    created_at: task.createdAt,
    updated_at: task.updatedAt,
  };
}

export function fromRow(row: TaskRow): Task {
  return {
    id: row.id,
    state: row.state as TaskState,
    title: row.title,
    prompt: row.prompt,
    lane: row.lane,
    priority: row.priority,
    labels: JSON.parse(row.labels) as string[],
    check: row.check_cmd,
    branch: row.branch,
    baseSha: row.base_sha,
    assignee: row.assignee,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lease: row.lease_holder === null || row.lease_expires === null ? null : { holder: row.lease_holder, expiresAt: row.lease_expires },
    checkpoints: JSON.parse(row.checkpoints) as Task['checkpoints'],
    outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as TaskOutcome),
    after: JSON.parse(row.after_ids) as string[],
    chain: row.chain === null ? null : (JSON.parse(row.chain) as Task['chain']),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function eventFromRow(row: EventRow): BoardEvent {
  const event: BoardEvent = {
    id: row.id,
    time: row.time,
    actor: row.actor_name === null ? { kind: row.actor_kind as BoardEvent['actor']['kind'] } : { kind: row.actor_kind as BoardEvent['actor']['kind'], name: row.actor_name },
    kind: row.kind as BoardEvent['kind'],
    subject: row.subject,
    action: row.action,
    reasons: JSON.parse(row.reasons) as string[],
  };
  if (row.from_state !== null) event.from = row.from_state;
  if (row.to_state !== null) event.to = row.to_state;
  if (row.worker !== null) event.worker = row.worker;
  return event;
}
