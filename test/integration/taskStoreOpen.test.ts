/**
 * Many processes creating the same task database at once: two `muxctl up` started together did this,
 * and one of them died on "database is locked" while switching the new file to WAL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { TaskStore } from '../../src/adapters/taskStore.js';
import { childMessages, describeChild, StoreChildren } from '../helpers/storeChildren.js';
import { waitFor } from '../helpers/waitFor.js';

const RACERS = 12;
/**
 * Without the retry, about one open in sixty lost this race on this machine: 12 racers on 10 new files
 * make 120 contended opens, so a store that does not retry fails here nearly every run.
 */
const ROUNDS = 10;

let dir: string;
let children: StoreChildren;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'muxctl-open-'));
  children = new StoreChildren();
});

afterEach(async () => {
  await children.killAll();
  rmSync(dir, { recursive: true, force: true });
});

it(`${RACERS} processes creating the same new database at the same moment all open it, ${ROUNDS} times over`, async () => {
  const racers = Array.from({ length: RACERS }, () => children.start(['open-rounds', dir, String(ROUNDS)]));
  await waitFor(() => racers.every((racer) => racer.stdout.includes('"ready"')) || racers.some((racer) => racer.exit !== null), {
    what: `${RACERS} racers to start`,
    timeoutMs: 60_000,
  });
  const startAt = Date.now() + 500;
  for (const racer of racers) racer.proc.stdin.end(`go ${startAt}\n`);
  await waitFor(() => racers.every((racer) => racer.exit !== null), { what: `${RACERS} racers to finish`, timeoutMs: 60_000 });

  for (const racer of racers) {
    expect(racer.exit, describeChild(racer)).toEqual({ code: 0, signal: null });
    expect(childMessages(racer)).toHaveLength(1 + ROUNDS);
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    const store = TaskStore.open(join(dir, `round-${round}.db`));
    try {
      expect(store.list()).toEqual([]);
    } finally {
      store.close();
    }
  }
}, 150_000);
