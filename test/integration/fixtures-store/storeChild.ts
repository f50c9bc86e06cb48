/**
 * A second process on the same task database, for test/integration/taskStore.test.ts: SQLite's locking
 * only means something between processes, so the racing claimers, the writer that gets SIGKILLed and
 * the "other process" the dashboard must notice are real Node processes running this script.
 *
 *   claim-next <db> <worker>         open, print "ready", wait for a line on stdin, claimNext in lane app
 *   claim-id   <db> <worker> <task>  the same, but claim one named task with apply
 *   churn      <db>                  add, claim, start and checkpoint tasks until killed
 *   add        <db> <title>          add one task to lane app and print it
 *   open-rounds <dir> <rounds>       print "ready", read "go <epoch ms>"; from that moment, once every
 *                                    ROUND_MS, open and close a new database <dir>/round-<n>.db
 *
 * Results go to stdout as one JSON line each, so the parent can tell a refusal from a crash.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { TaskStore } from '../../../src/adapters/taskStore.js';
import type { Actor } from '../../../src/core/rules/tasks.js';

const LEASE_MS = 60_000;
/** A churn process left behind by a crashed test run stops by itself instead of filling the disk. */
const CHURN_SAFETY_LIMIT_MS = 30_000;

const [mode, file, ...rest] = process.argv.slice(2);
if (mode === undefined || file === undefined) throw new Error('usage: storeChild.ts <mode> <db file> [args…]');

/** Long enough for every racer to finish one round's open before the next round starts. */
const ROUND_MS = 400;

if (mode === 'open-rounds') {
  const startAt = Number((await startTogether()).replace('go ', ''));
  const rounds = Number(rest[0] ?? '1');
  for (let round = 0; round < rounds; round += 1) {
    // Spin to the agreed moment: a timer wakes too loosely to make the processes collide.
    while (Date.now() < startAt + round * ROUND_MS);
    TaskStore.open(`${file}/round-${round}.db`).close();
    print({ opened: round });
  }
  process.exit(0);
}

const store = TaskStore.open(file);
const worker = (name: string): Actor => ({ kind: 'worker', name });

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Every racer gets ready first and then waits for the parent's line, so the race itself starts together. */
async function startTogether(): Promise<string> {
  const lines = createInterface({ input: process.stdin });
  print({ ready: true });
  const [line = ''] = (await once(lines, 'line')) as string[];
  lines.close();
  return line;
}

function churn(): void {
  const started = Date.now();
  while (Date.now() - started < CHURN_SAFETY_LIMIT_MS) {
    const task = store.add({ title: 'churn', lane: 'app' }, { kind: 'person' });
    const name = `w-${task.id}`;
    store.apply(task.id, { type: 'claim', worker: name, leaseMs: LEASE_MS }, worker(name));
    store.apply(task.id, { type: 'start', worker: name }, worker(name));
    store.apply(task.id, { type: 'checkpoint', worker: name, step: 'build' }, worker(name));
    store.apply(task.id, { type: 'checkpoint', worker: name, step: 'test' }, worker(name));
  }
}

switch (mode) {
  case 'claim-next': {
    const [name = 'w?'] = rest;
    await startTogether();
    print({ result: store.claimNext(name, 'app', LEASE_MS, worker(name)) });
    break;
  }
  case 'claim-id': {
    const [name = 'w?', id = 'T1'] = rest;
    await startTogether();
    print({ result: store.apply(id, { type: 'claim', worker: name, leaseMs: LEASE_MS }, worker(name)) });
    break;
  }
  case 'churn':
    churn();
    break;
  case 'add':
    print({ task: store.add({ title: rest[0] ?? 'from another process', lane: 'app' }, { kind: 'person' }) });
    break;
  default:
    throw new Error(`storeChild.ts: unknown mode ${mode}`);
}
store.close();
