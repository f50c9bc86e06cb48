/**
 * A lock between processes: a file created with O_EXCL that holds its holder's pid. A lock whose holder
 * is no longer alive is taken over, so a crash never leaves it held for good. Used where two muxctl
 * processes must not do one thing at once: adding a worktree (git registers one path twice), starting
 * a host's ssh master (the second would stay up as a connection nobody can close).
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidAlive } from './process.js';

export interface LockOptions {
  /** How long to wait for a live holder before giving up. */
  waitMs: number;
  /** What is thrown when a live holder kept it past `waitMs`. */
  busy: () => Error;
}

/** Holds the lock `file` while `work` runs. */
export async function withLockFile<T>(file: string, work: () => Promise<T>, { waitMs, busy }: LockOptions): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stale = await staleLockOwner(file);
      if (stale !== null) {
        // Re-read just before unlinking: if another process took the stale lock over in between, the
        // pid inside has changed and its fresh lock must be left alone.
        if ((await readFile(file, 'utf8').catch(() => null)) === stale) await unlink(file).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw busy();
      await sleep(50);
    }
  }
  try {
    return await work();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

/** The lock file's content if its holder is gone (so it may be taken over), else null. */
async function staleLockOwner(file: string): Promise<string | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null; // gone already: the next attempt will simply take it
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) {
    // Created but the pid not written yet, or written by a crashed process: stale only once old.
    const age = await stat(file).then((s) => Date.now() - s.mtimeMs, () => 0);
    return age > 10_000 ? text : null;
  }
  return pidAlive(pid) ? null : text;
}
