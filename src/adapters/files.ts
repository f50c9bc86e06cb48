/** Plain file-system questions and moves for the control layer, which touches no file itself. */
import { cp, mkdtemp, readdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { globMatcher } from '../core/config/glob.js';

/** The path with its links resolved, or the path as given (absolute) when it does not exist. */
export async function canonicalPath(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

export async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/** The names in a directory; none when it cannot be read. */
export async function listNames(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** Moves a directory to `target`; across file systems it is copied whole first and only then removed. */
export async function moveDirectory(path: string, target: string): Promise<void> {
  try {
    await rename(path, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await cp(path, target, { recursive: true, errorOnExist: true, force: false });
    await rm(path, { recursive: true, force: true });
  }
}

/**
 * The file a log pattern names now: the path itself, or (a glob in its file name) the most recently
 * modified match, as the tailer follows it. Null when nothing matches.
 */
export async function currentLogFile(pattern: string): Promise<string | null> {
  const dir = dirname(pattern);
  const name = basename(pattern);
  if (!/[*?[{]/.test(name)) return (await stat(pattern).catch(() => null))?.isFile() ? pattern : null;
  const matches = globMatcher(name);
  let newest: { file: string; mtimeMs: number } | null = null;
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (!matches(entry)) continue;
    const st = await stat(join(dir, entry)).catch(() => null);
    if (st?.isFile() && (newest === null || st.mtimeMs > newest.mtimeMs)) newest = { file: join(dir, entry), mtimeMs: st.mtimeMs };
  }
  return newest?.file ?? null;
}

/** A log's lines as they are now, a last line without its newline included (Gemini's chat ends so). */
export async function logLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/**
 * A file path in a new private temporary directory, for `use`; what `use` left in it is returned, and the
 * directory removed, whatever happened.
 */
export async function withScratchFile<T>(prefix: string, use: (file: string) => Promise<T>): Promise<{ result: T; written: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    const file = join(dir, 'scratch');
    const result = await use(file);
    return { result, written: await readFile(file, 'utf8').catch(() => '') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
