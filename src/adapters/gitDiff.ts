/**
 * A worker's diff, read from git without writing anything: what landing would bring (the merge-base
 * with the base branch → the working tree, so commits, staged and unstaged changes alike) plus the
 * untracked files, read from disk and shown as new files. The text formats and the caps are in
 * core/parsers/gitDiff.ts; `diffFigure` is the cheap `+N −M` for a panel (numstat only, no patch).
 */
import { createReadStream } from 'node:fs';
import { lstat, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MuxctlError } from '../core/errors.js';
import { GitCommandError } from '../core/parsers/gitErrors.js';
import {
  capPatches,
  countNewlines,
  DIFF_CAPS,
  diffTotals,
  looksBinary,
  parseDiffZ,
  parseNumstatTotals,
  sectionHeader,
  sectionsByHeader,
  untrackedEntry,
  withSections,
  type DiffCaps,
  type DiffFile,
  type DiffTotals,
  type UntrackedRead,
} from '../core/parsers/gitDiff.js';
import { run, runOk } from './gitRun.js';

/**
 * Every call here runs with GIT_OPTIONAL_LOCKS=0 (gitRun.ts), but that alone does not keep `git diff`
 * off the index: it refreshes stale stat data and rewrites the index (diff.autoRefreshIndex, on by
 * default). Measured on git 2.39.5: `touch` a tracked file, `GIT_OPTIONAL_LOCKS=0 git diff HEAD`, and
 * .git/index had a new mtime; with `-c diff.autoRefreshIndex=false` it kept its old one.
 * core.quotePath=true makes the patch headers predictable, so each section is matched to its file.
 */
const READ_ONLY = ['-c', 'diff.autoRefreshIndex=false', '-c', 'core.quotePath=true'];
/** The person's diff settings must not change what is parsed: no colour, external tool, textconv or prefixes. */
const DIFF = [...READ_ONLY, 'diff', '--no-color', '--no-ext-diff', '--no-textconv', '--submodule=short', '--src-prefix=a/', '--dst-prefix=b/', '-M'];

/** Untracked files read side by side; more would only queue on the disk. */
const READ_PARALLEL = 16;

export interface DiffEntry extends DiffFile {
  /** Absent with `patch: false`. */
  patch?: string;
  truncated?: boolean;
}

export interface WorktreeDiff {
  worktree: string;
  branch: string | null;
  base: string;
  mergeBase: string;
  head: string;
  files: DiffEntry[];
  totals: DiffTotals;
  /** Some patch was cut by the caps. */
  truncated: boolean;
}

export interface DiffOptions {
  /** Also read the patch (false: the file list and counts only). @default true */
  patch?: boolean;
  caps?: Partial<DiffCaps>;
}

/** The worker's work against where it left `base`, untracked files included. */
export async function worktreeDiff(worktree: string, base: string, options: DiffOptions = {}): Promise<WorktreeDiff> {
  const withPatch = options.patch ?? true;
  const caps: DiffCaps = { ...DIFF_CAPS, ...options.caps };
  const [mergeBase, head, branch, untrackedPaths] = await Promise.all([
    mergeBaseOf(worktree, base),
    runOk(worktree, ['rev-parse', '--verify', 'HEAD^{commit}'], `cannot read HEAD of ${worktree}`).then((out) => out.trim()),
    run(worktree, ['symbolic-ref', '--quiet', '--short', 'HEAD']).then((r) => (r.exitCode === 0 ? r.stdout.trim() : null)),
    untrackedFiles(worktree),
  ]);
  const context = `cannot diff ${worktree} against ${base}`;
  const parsed = parseDiffZ(await runOk(worktree, [...DIFF, '--raw', '--numstat', '-z', ...(withPatch ? ['-p'] : []), mergeBase, '--'], context));
  const tracked = withPatch ? withSections(parsed.files, parsed.patch) : await changedOnly(worktree, mergeBase, parsed.files, context);
  const keepBytes = withPatch ? caps.fileLines * (caps.lineChars + 1) : 0;
  const untracked = (await mapLimit(untrackedPaths, READ_PARALLEL, (path) => readUntracked(worktree, path, keepBytes))).filter((u) => u !== null);

  const all = [...tracked.map((t) => ({ ...t, hiddenLines: 0 })), ...untracked];
  const files = all.map((a) => a.file);
  const totals = diffTotals(files);
  if (!withPatch) return { worktree, branch, base, mergeBase, head, files, totals, truncated: false };
  const capped = capPatches(all.map((a) => a.patch), caps, all.map((a) => a.hiddenLines));
  const entries = files.map((file, i): DiffEntry => ({ ...file, patch: capped[i]?.text ?? '', truncated: capped[i]?.truncated ?? false }));
  return { worktree, branch, base, mergeBase, head, files: entries, totals, truncated: capped.some((c) => c.truncated) };
}

/**
 * The panel's `+N −M`: the lines `worktreeDiff` counts, from numstat and the untracked files' line
 * counts, with no patch and no file list. Four git calls and one read of each untracked text file.
 */
export async function diffFigure(worktree: string, base: string): Promise<{ added: number; removed: number }> {
  const [mergeBase, untrackedPaths] = await Promise.all([mergeBaseOf(worktree, base), untrackedFiles(worktree)]);
  const numstat = await runOk(worktree, [...DIFF, '--numstat', '-z', mergeBase, '--'], `cannot diff ${worktree} against ${base}`);
  const totals = parseNumstatTotals(numstat);
  const untracked = (await mapLimit(untrackedPaths, READ_PARALLEL, (path) => readUntracked(worktree, path, 0))).filter((u) => u !== null);
  return { added: totals.added + untracked.reduce((n, u) => n + u.file.added, 0), removed: totals.removed };
}

/**
 * Without a patch, a binary file with stale stat data but unchanged content still looks modified
 * (numstat says `-\t-` without comparing): such files are asked about once more, with `-p`, which does
 * compare; their sections are one line each. Text files' numstat already compared.
 */
async function changedOnly(worktree: string, mergeBase: string, files: DiffFile[], context: string): Promise<Array<{ file: DiffFile; patch: string }>> {
  const doubtful = files.filter((f) => f.binary && f.status === 'modified' && f.mode === undefined);
  let present = new Map<string, string>();
  if (doubtful.length > 0) {
    present = sectionsByHeader(await runOk(worktree, ['--literal-pathspecs', ...DIFF, '-p', mergeBase, '--', ...doubtful.map((f) => f.path)], context));
  }
  return files.filter((f) => !doubtful.includes(f) || present.has(sectionHeader(f))).map((file) => ({ file, patch: '' }));
}

/**
 * Where HEAD left `base`. The worktree must be a checkout of its own: `git -C` on a plain directory
 * inside the repository would quietly answer for the main checkout instead. A checkout of its own has
 * its own `.git` (a file, for a linked worktree), which git finds before looking further up: one stat,
 * where a `git rev-parse --show-toplevel` was a process each panel figure (a quarter of their git calls).
 */
async function mergeBaseOf(worktree: string, base: string): Promise<string> {
  const [here, own] = await Promise.all([isEntry(worktree), isEntry(join(worktree, '.git'))]);
  if (!here) throw new MuxctlError(`there is no worktree at ${worktree} (yet)`, 1);
  if (!own) throw new MuxctlError(`${worktree} is not a git worktree of its own (it has no .git, so git would answer for the repository around it)`, 1);
  const args = ['merge-base', base, 'HEAD'];
  const result = await run(worktree, args);
  if (result.exitCode === 0) return result.stdout.trim();
  if (result.exitCode === 1) throw new MuxctlError(`${worktree} has no history in common with ${base}: nothing to diff against`, 1);
  throw new GitCommandError(args, result.exitCode, result.stderr, `cannot find where ${worktree} left ${base}`);
}

const isEntry = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

async function untrackedFiles(worktree: string): Promise<string[]> {
  const out = await runOk(worktree, [...READ_ONLY, 'ls-files', '--others', '--exclude-standard', '-z'], `cannot list the untracked files of ${worktree}`);
  return out.split('\0').filter((path) => path !== '');
}

type UntrackedEntry = ReturnType<typeof untrackedEntry>;

/**
 * An untracked file as a new file: a regular file is streamed once (its lines counted, its first
 * `keepBytes` kept for the patch, the read stopped early once it looks binary), a symbolic link is its
 * target. A nested repository (`dir/`) is listed without content; a file gone since git listed it, or
 * anything else (a fifo must never be opened), is left out.
 */
async function readUntracked(worktree: string, path: string, keepBytes: number): Promise<UntrackedEntry | null> {
  if (path.endsWith('/')) return { file: { path, status: 'added', added: 0, removed: 0, binary: false, untracked: true }, patch: '', hiddenLines: 0 };
  const full = join(worktree, path);
  const stats = await lstat(full).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (stats === null) return null;
  if (stats.isSymbolicLink()) {
    const head = new TextEncoder().encode(await readlink(full));
    return untrackedEntry({ path, mode: '120000', head, complete: true, lines: head.length > 0 ? 1 : 0, binary: false, endsWithNewline: false });
  }
  if (!stats.isFile()) return null;
  const mode = (stats.mode & 0o100) !== 0 ? '100755' : '100644';
  return untrackedEntry(await streamFile(full, path, mode, keepBytes));
}

async function streamFile(full: string, path: string, mode: string, keepBytes: number): Promise<UntrackedRead> {
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let size = 0;
  let newlines = 0;
  let last = -1;
  for await (const chunk of createReadStream(full) as AsyncIterable<Buffer>) {
    if (size < 8000 && looksBinary(chunk.subarray(0, 8000 - size))) {
      return { path, mode, head: new Uint8Array(), complete: false, lines: 0, binary: true, endsWithNewline: false };
    }
    newlines += countNewlines(chunk);
    size += chunk.length;
    last = chunk[chunk.length - 1] ?? last;
    if (keptBytes < keepBytes) {
      const piece = chunk.subarray(0, keepBytes - keptBytes);
      kept.push(piece);
      keptBytes += piece.length;
    }
  }
  const endsWithNewline = last === 10;
  const head = Buffer.concat(kept);
  return { path, mode, head, complete: head.length === size, lines: newlines + (size > 0 && !endsWithNewline ? 1 : 0), binary: false, endsWithNewline };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
