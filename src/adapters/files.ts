/** Plain file-system questions and moves for the control layer, which touches no file itself. */
import { cp, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

/** The path with its links resolved, or the path as given (absolute) when it does not exist. */
export async function canonicalPath(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
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
