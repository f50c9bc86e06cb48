/**
 * The task store against real SQLite files shared by real processes: the guarantees the board rests on
 * (one winner per claim, nothing half-written after a kill, other processes' writes seen within a
 * second) only exist between processes, so the other side is test/integration/fixtures-store/storeChild.ts.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, TaskStore } from '../../src/adapters/taskStore.js';
import type { BoardEvent } from '../../src/core/rules/events.js';
import { MuxctlError } from '../../src/core/errors.js';
import type { Actor, Task, TaskResult } from '../../src/core/rules/tasks.js';
import { childMessages, describeChild, StoreChildren } from '../helpers/storeChildren.js';
import { waitFor } from '../helpers/waitFor.js';

const PERSON: Actor = { kind: 'person' };
const worker = (name: string): Actor => ({ kind: 'worker', name });

let dir: string;
let children: StoreChildren;
let stores: TaskStore[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'muxctl-store-'));
  children = new StoreChildren();
  stores = [];
});

afterEach(async () => {
  await children.killAll();
  for (const store of stores) store.close();
  rmSync(dir, { recursive: true, force: true });
});

function openStore(file: string): TaskStore {
  const store = TaskStore.open(file);
  stores.push(store);
  return store;
}

/**
 * Starts one claimer per worker, waits until every one has its connection open, then lets them all go
 * at once and returns each one's result (null: the queue was empty).
 */
async function raceClaimers(args: (name: string) => string[], count: number): Promise<{ name: string; result: TaskResult | null }[]> {
  const names = Array.from({ length: count }, (_, i) => `w${i + 1}`);
  const racers = names.map((name) => children.start(args(name)));
  await waitFor(() => racers.every((racer) => racer.stdout.includes('"ready"')) || racers.some((racer) => racer.exit !== null), {
    what: `${count} claimers to open the store`,
    timeoutMs: 40_000,
  });
  const early = racers.find((racer) => racer.exit !== null);
  if (early !== undefined) throw new Error(`a claimer exited before the race: ${describeChild(early)}`);
  for (const racer of racers) racer.proc.stdin.end('go\n');
  await waitFor(() => racers.every((racer) => racer.exit !== null), { what: `${count} claimers to finish`, timeoutMs: 20_000 });
  return racers.map((racer, i) => {
    // Every claimer must end cleanly: a SQLITE_BUSY or any other throw shows up here, with its stderr.
    expect(racer.exit, describeChild(racer)).toEqual({ code: 0, signal: null });
    expect(racer.stderr).not.toMatch(/SQLITE_BUSY|database is locked/);
    const last = childMessages(racer).at(-1) as { result: TaskResult | null };
    return { name: names[i] ?? '', result: last.result };
  });
}

function taskEvents(store: TaskStore, id: string): BoardEvent[] {
  return store.events({ about: id }).filter((event) => event.kind === 'task' && event.subject === id);
}

describe('claims racing across processes', () => {
  it('50 processes claiming from a queue of 10 get exactly 10 tasks, each once', async () => {
    const file = join(dir, 'state.db');
    const store = openStore(file);
    for (let i = 1; i <= 10; i += 1) store.add({ title: `app task ${i}`, lane: 'app' }, PERSON);
    const otherLane = store.add({ title: 'web task', lane: 'web' }, PERSON);

    const results = await raceClaimers((name) => ['claim-next', file, name], 50);

    const wins = results.filter((entry) => entry.result?.ok === true);
    const empties = results.filter((entry) => entry.result === null);
    const refusals = results.filter((entry) => entry.result?.ok === false);
    expect(refusals).toEqual([]);
    expect(wins).toHaveLength(10);
    expect(empties).toHaveLength(40);
    const wonIds = wins.map((entry) => (entry.result?.ok === true ? entry.result.task.id : ''));
    expect(new Set(wonIds).size).toBe(10);

    const claimed = store.list({ lane: 'app' });
    expect(claimed.map((task) => task.state)).toEqual(Array(10).fill('claimed'));
    expect(new Set(claimed.map((task) => task.assignee)).size).toBe(10);
    for (const task of claimed) {
      // What the winning process was told is what the database says.
      const winner = wins.find((entry) => entry.result?.ok === true && entry.result.task.id === task.id);
      expect(task.assignee).toBe(winner?.name);
      expect(task.lease?.holder).toBe(winner?.name);
      expect(task.attempts).toBe(1);
      const claims = taskEvents(store, task.id).filter((event) => event.action === 'claim');
      expect(claims.map((event) => event.worker)).toEqual([winner?.name]);
    }
    expect(store.get(otherLane.id)?.state).toBe('queued');
    expect(store.integrityCheck()).toBe('ok');
  }, 60_000);

  it('50 processes claiming the same task: one wins, 49 are refused with lease-held', async () => {
    const file = join(dir, 'state.db');
    const store = openStore(file);
    const task = store.add({ title: 'the one task', lane: 'app' }, PERSON);

    const results = await raceClaimers((name) => ['claim-id', file, name, task.id], 50);

    const wins = results.filter((entry) => entry.result?.ok === true);
    expect(wins).toHaveLength(1);
    const losers = results.filter((entry) => entry.result?.ok === false);
    expect(losers).toHaveLength(49);
    for (const { result } of losers) expect(result).toMatchObject({ ok: false, code: 'lease-held' });

    const stored = store.get(task.id);
    expect(stored?.state).toBe('claimed');
    expect(stored?.assignee).toBe(wins[0]?.name);
    expect(stored?.attempts).toBe(1);
    expect(taskEvents(store, task.id).map((event) => event.action)).toEqual(['add', 'claim']);
  }, 60_000);
});

/** What must hold however a writer died: SQLite's own check, and every task agreeing with its history. */
function expectConsistent(file: string): Task[] {
  const raw = new Database(file, { readonly: true });
  try {
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const seqs = (raw.prepare('SELECT seq FROM tasks ORDER BY seq').all() as { seq: number }[]).map((row) => row.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  } finally {
    raw.close();
  }
  const store = openStore(file);
  expect(store.integrityCheck()).toBe('ok');
  const tasks = store.list();
  expect(tasks.map((task) => task.id)).toEqual(tasks.map((_, i) => `T${i + 1}`));

  const history = new Map<string, BoardEvent[]>();
  for (const event of store.events()) {
    if (event.kind !== 'task') continue;
    history.set(event.subject, [...(history.get(event.subject) ?? []), event]);
  }
  // No event about a task that was never written: the task and its event commit together.
  expect([...history.keys()].filter((id) => store.get(id) === null)).toEqual([]);
  const disagreements = tasks.flatMap((task) => {
    const events = history.get(task.id) ?? [];
    const problems: string[] = [];
    const adds = events.filter((event) => event.action === 'add').length;
    if (adds !== 1) problems.push(`${adds} add events`);
    if (events.at(-1)?.to !== task.state) problems.push(`state ${task.state} but last event to ${events.at(-1)?.to}`);
    const checkpoints = events.filter((event) => event.action === 'checkpoint').length;
    if (checkpoints !== task.checkpoints.length) problems.push(`${task.checkpoints.length} checkpoints but ${checkpoints} events`);
    return problems.map((problem) => `${task.id}: ${problem}`);
  });
  expect(disagreements).toEqual([]);
  store.close();
  return tasks;
}

describe('a writer killed mid-transaction', () => {
  it('leaves a consistent database, five kills in a row on the same file', async () => {
    const file = join(dir, 'state.db');
    openStore(file).close();
    const counter = new Database(file, { readonly: true });
    const count = (): number => (counter.prepare('SELECT COUNT(*) AS n FROM tasks').get() as { n: number }).n;
    try {
      let before = 0;
      for (let round = 1; round <= 5; round += 1) {
        const writer = children.start(['churn', file]);
        await waitFor(() => count() >= before + 200 || writer.exit !== null, { what: `round ${round}: 200 more tasks`, timeoutMs: 15_000 });
        expect(writer.exit, describeChild(writer)).toBeNull();
        writer.proc.kill('SIGKILL');
        await waitFor(() => writer.exit !== null, { what: `round ${round}: the writer to die` });
        expect(writer.exit?.signal).toBe('SIGKILL');

        const tasks = expectConsistent(file);
        expect(tasks.length).toBeGreaterThanOrEqual(before + 200);
        before = tasks.length;
      }
    } finally {
      counter.close();
    }
    // Room for each round's own 15 s wait on a loaded machine: the test asserts consistency, not speed.
  }, 90_000);
});

describe('seeing other processes', () => {
  it("the dashboard's store sees a task another process added within a second", async () => {
    const file = join(dir, 'state.db');
    const dashboard = openStore(file);
    const mark = dashboard.changeMark();
    const version = dashboard.dataVersion();

    const cli = children.start(['add', file, 'added by the CLI']);
    await waitFor(() => cli.exit !== null, { what: 'the CLI process to add its task', timeoutMs: 15_000 });
    expect(cli.exit, describeChild(cli)).toEqual({ code: 0, signal: null });
    const { task } = childMessages(cli)[0] as { task: Task };

    // The clock starts once the other process has committed: its own start-up is not the store's delay.
    await waitFor(() => dashboard.changeMark() !== mark && dashboard.list().some((seen) => seen.id === task.id), {
      what: `${task.id} on the dashboard`,
      timeoutMs: 1_000,
    });
    expect(dashboard.list()).toMatchObject([{ id: task.id, title: 'added by the CLI', state: 'queued' }]);
    expect(dashboard.dataVersion()).not.toBe(version);
  }, 20_000);

  it("changeMark moves on the store's own writes, dataVersion only on other connections'", () => {
    const file = join(dir, 'state.db');
    const store = openStore(file);
    const version = store.dataVersion();
    const mark = store.changeMark();
    store.add({ title: 'own write', lane: 'app' }, PERSON);
    expect(store.changeMark()).not.toBe(mark);
    expect(store.dataVersion()).toBe(version);

    openStore(file).add({ title: 'other write', lane: 'app' }, PERSON);
    expect(store.dataVersion()).not.toBe(version);
  });

  // An annotation writes no event: the mark must move anyway, or the bridge files would keep the old branch.
  it('changeMark moves when a task is annotated in the same millisecond as the last write', () => {
    const store = openStore(join(dir, 'state.db'));
    const now = 1_700_000_000_000;
    const task = store.add({ title: 'to annotate', lane: 'app' }, PERSON, now);
    store.apply(task.id, { type: 'claim', worker: 'w1', leaseMs: 60_000 }, worker('w1'), now);
    const mark = store.changeMark();
    store.annotate(task.id, { baseSha: 'abc1234', branch: 'muxctl/t1' }, now);
    expect(store.get(task.id)?.baseSha).toBe('abc1234');
    expect(store.changeMark()).not.toBe(mark);
  });
});

describe('schema', () => {
  it('creates a fresh database (and its directory) at the current version in WAL mode', () => {
    const file = join(dir, 'nested', '.muxctl', 'state.db');
    openStore(file).close();
    const raw = new Database(file, { readonly: true });
    try {
      expect(SCHEMA_VERSION).toBeGreaterThan(0);
      expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
      expect(tables).toEqual(expect.arrayContaining(['events', 'meta', 'tasks']));
    } finally {
      raw.close();
    }
  });

  it('reopens a database without migrating it again, keeping its tasks and settings', () => {
    const file = join(dir, 'state.db');
    const first = openStore(file);
    first.add({ title: 'survives a reopen', lane: 'app' }, PERSON);
    first.setSetting('paused', 'yes', { time: 1, actor: PERSON, kind: 'board', subject: 'board', action: 'pause', reasons: ['lunch'] });
    first.close();

    // A second run of the first migration would fail on CREATE TABLE meta: open would throw.
    const second = openStore(file);
    expect(second.list().map((task) => task.title)).toEqual(['survives a reopen']);
    expect(second.getSetting('paused')).toBe('yes');
  });

  it('refuses a database from a newer muxctl, naming the file and saying to upgrade', () => {
    const file = join(dir, 'state.db');
    const newer = new Database(file);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();

    let thrown: unknown;
    try {
      openStore(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MuxctlError);
    expect((thrown as Error).message).toContain(file);
    expect((thrown as Error).message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect((thrown as Error).message).toMatch(/upgrade muxctl/);

    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
      expect(raw.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 });
    } finally {
      raw.close();
    }
  });
});

describe('events', () => {
  /** A small history at fixed times: T1 and T2 added, both claimed, w1 restarted, T1 failed. */
  function history(store: TaskStore): BoardEvent[] {
    store.add({ title: 'one', lane: 'app' }, PERSON, 1_000);
    store.add({ title: 'two', lane: 'app' }, PERSON, 2_000);
    store.apply('T1', { type: 'claim', worker: 'w1', leaseMs: 60_000 }, worker('w1'), 3_000);
    store.record({ time: 4_000, actor: { kind: 'policy' }, kind: 'worker', subject: 'w1', action: 'restart', worker: 'w1', reasons: ['crashed (exit 1)'] });
    store.apply('T2', { type: 'claim', worker: 'w2', leaseMs: 60_000 }, worker('w2'), 5_000);
    store.apply('T1', { type: 'fail', worker: 'w1', reason: 'tests red' }, worker('w1'), 6_000);
    return store.events();
  }
  const labels = (events: readonly BoardEvent[]): string[] => events.map((event) => `${event.subject} ${event.action}`);

  it('returns everything oldest first, and filters by about, afterId, since and limit', () => {
    const store = openStore(join(dir, 'state.db'));
    const all = history(store);
    expect(labels(all)).toEqual(['T1 add', 'T2 add', 'T1 claim', 'w1 restart', 'T2 claim', 'T1 fail']);
    expect(all.map((event) => event.id)).toEqual([...all.map((event) => event.id)].sort((a, b) => a - b));
    expect(all[2]).toMatchObject({ kind: 'task', from: 'queued', to: 'claimed', worker: 'w1', actor: { kind: 'worker', name: 'w1' }, time: 3_000 });

    expect(labels(store.events({ about: 'T1' }))).toEqual(['T1 add', 'T1 claim', 'T1 fail']);
    // A worker is "about" both as a subject and as the worker a task event concerns.
    expect(labels(store.events({ about: 'w1' }))).toEqual(['T1 claim', 'w1 restart', 'T1 fail']);
    expect(store.events({ about: 'nobody' })).toEqual([]);

    expect(store.events({ afterId: all[2]?.id ?? 0 })).toEqual(all.slice(3));
    expect(store.events({ afterId: all.at(-1)?.id ?? 0 })).toEqual([]);
    expect(labels(store.events({ since: 4_000 }))).toEqual(['w1 restart', 'T2 claim', 'T1 fail']);
    expect(store.events({ limit: 2 })).toEqual(all.slice(4));
    expect(store.events({ limit: 0 })).toEqual([]);
    expect(store.events({ limit: 100 })).toEqual(all);

    // Filters combine, and limit takes the newest of what the others let through.
    expect(labels(store.events({ about: 'w1', limit: 2 }))).toEqual(['w1 restart', 'T1 fail']);
    expect(labels(store.events({ about: 'T1', since: 2_500 }))).toEqual(['T1 claim', 'T1 fail']);
    expect(labels(store.events({ about: 'T1', afterId: all[0]?.id ?? 0, limit: 1 }))).toEqual(['T1 fail']);
  });

  it('masks secrets in reasons before they are written, for task moves, records and settings', () => {
    const store = openStore(join(dir, 'state.db'));
    const key = `sk-ant-api03-${'Ab3'.repeat(12)}`;
    const task = store.add({ title: 'leaky', lane: 'app' }, PERSON);
    store.apply(task.id, { type: 'claim', worker: 'w1', leaseMs: 60_000 }, worker('w1'));
    store.apply(task.id, { type: 'fail', worker: 'w1', reason: `401 from the API with ${key}` }, worker('w1'));
    const recorded = store.record({ time: Date.now(), actor: { kind: 'policy' }, kind: 'worker', subject: 'w1', action: 'restart', reasons: ['env had PASSWORD=hunter2 in it'] });
    store.setSetting('paused', 'yes', { time: Date.now(), actor: PERSON, kind: 'board', subject: 'board', action: 'pause', reasons: [`token ghp_${'x1'.repeat(18)}`] });

    const stored = JSON.stringify(store.events());
    expect(stored).not.toContain(key);
    expect(stored).not.toContain('hunter2');
    expect(stored).not.toContain('x1x1x1');

    const [failed] = store.events({ about: task.id }).filter((event) => event.action === 'fail');
    expect(failed?.reasons).toEqual(['401 from the API with sk-ant-…[redacted]']);
    expect(recorded.reasons).toEqual(['env had PASSWORD=[redacted] in it']);
    expect(store.events({ about: 'board' }).at(-1)?.reasons).toEqual(['token ghp_…[redacted]']);
  });
});
