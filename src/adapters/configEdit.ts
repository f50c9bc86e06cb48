/**
 * Writes an edit of the config file in place, atomically: the new text goes to a temp file next to the
 * real file (a symlinked sessions.json is followed, so the link stays a link), with the file's own
 * mode, flushed, then renamed over it. A reader (the dashboard's watcher, an editor) sees the old file
 * or the new one, never half of one. What the edit is, is decided in core (config/workerEdit.ts).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MuxctlError } from '../core/errors.js';

/** How often the file may change under an edit before muxctl gives up: each time the edit is made again on the new text. */
const ATTEMPTS = 3;

/**
 * Reads the file, asks `change` for its new text (null: leave it as it is), and writes that. If the file
 * changed while the new text was being written (a person saved it in an editor), nothing is renamed and
 * `change` is asked again about what is there now, so their edit is never lost under ours.
 */
export async function rewriteConfigFile(file: string, change: (text: string) => string | null): Promise<string | null> {
  const real = await realpath(file);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const text = await readFile(real, 'utf8');
    const next = change(text);
    if (next === null || next === text) return next;
    const tmp = join(dirname(real), `.${basename(real)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const { mode } = await stat(real);
    const handle = await open(tmp, 'wx', mode & 0o7777);
    try {
      await handle.chmod(mode & 0o7777); // open's mode is narrowed by the umask
      await handle.writeFile(next, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if ((await readFile(real, 'utf8')) !== text) {
      await unlink(tmp);
      continue;
    }
    try {
      await rename(tmp, real);
    } catch (error) {
      await unlink(tmp).catch(() => {});
      throw error;
    }
    return next;
  }
  throw new MuxctlError(`${file} kept changing while muxctl edited it (${ATTEMPTS} times); nothing was written. Try again once it is saved.`, 1);
}

/** The config's text as it is now. */
export function readConfigText(file: string): Promise<string> {
  return readFile(file, 'utf8');
}
