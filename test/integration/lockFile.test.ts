/**
 * The lock between muxctl processes (adapters/lockFile.ts) on real files: what a crash leaves behind is
 * taken over, a live holder is waited for, and two holders never overlap.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { withLockFile } from '../../src/adapters/lockFile.js';

let dir: string;
let lock: string;
const busy = () => new Error('busy');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'muxctl-lock-'));
  lock = join(dir, 'x.lock');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has ended. */
function deadPid(): number {
  const gone = spawnSync('true');
  return gone.pid as number;
}

it('takes over a lock whose holder has died, and removes it when done', async () => {
  writeFileSync(lock, String(deadPid()));
  expect(await withLockFile(lock, async () => 'ran', { waitMs: 1_000, busy })).toBe('ran');
  expect(existsSync(lock)).toBe(false);
});

it('takes over a lock a crash left empty once it is old, and waits for a fresh one', async () => {
  writeFileSync(lock, '');
  await expect(withLockFile(lock, async () => 'ran', { waitMs: 300, busy })).rejects.toThrow('busy');
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  expect(await withLockFile(lock, async () => 'ran', { waitMs: 1_000, busy })).toBe('ran');
});

it('waits for a live holder, and gives up with its own error', async () => {
  writeFileSync(lock, String(process.pid));
  await expect(withLockFile(lock, async () => 'ran', { waitMs: 300, busy })).rejects.toThrow('busy');
  expect(existsSync(lock)).toBe(true);
});

it('never lets two holders in at once', async () => {
  let inside = 0;
  let most = 0;
  const hold = () =>
    withLockFile(
      lock,
      async () => {
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((resolve) => setTimeout(resolve, 30));
        inside -= 1;
      },
      { waitMs: 5_000, busy },
    );
  await Promise.all([hold(), hold(), hold(), hold()]);
  expect(most).toBe(1);
});
