/**
 * Preparing a new worktree, the world's side: copying files from the main checkout (never over a file
 * the worktree has, never through a symlink, modes kept, links copied as links), running the setup
 * command with a timeout, the marker that says how far preparation got, and the lines it writes to the
 * worker's event log. What to copy and when is decided in src/core/rules/worktreePrep.ts.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { appendFile, chmod, copyFile, lstat, mkdir, readFile, readlink, realpath, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { PrepMarker, SetupRun } from '../core/rules/worktreePrep.js';

const MARKER = 'muxctl-prepared.json';

/** The worktree's preparation marker, from its git directory; null when there is none (or it cannot be read). */
export async function readPrepMarker(gitDir: string): Promise<PrepMarker | null> {
  try {
    const value = JSON.parse(await readFile(join(gitDir, MARKER), 'utf8')) as Partial<PrepMarker>;
    return value.state === 'pending' || value.state === 'done' || value.state === 'failed' ? (value as PrepMarker) : null;
  } catch {
    return null;
  }
}

/** Written whole (a temp file, then renamed): a reader never sees half of it. */
export async function writePrepMarker(gitDir: string, marker: PrepMarker): Promise<void> {
  const file = join(gitDir, MARKER);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(marker) + '\n');
  await rename(tmp, file);
}

/** The text of a file, or null when it is not there. */
export async function readTextIfAny(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'EISDIR') return null;
    throw error;
  });
}

export interface CopyReport {
  copied: string[];
  /** Already in the worktree: left as they are. */
  kept: string[];
  /** Not copied, each with why. */
  skipped: Array<{ path: string; why: string }>;
}

/**
 * Copies each relative path from `from` (the main checkout) to the same place under `to` (the new
 * worktree). A regular file keeps its mode; a symlink is copied as the link it is (never followed); a
 * file the worktree has is never overwritten (created exclusively). A path whose directory, in either
 * tree, is reached through a symlink or lies outside its tree is skipped with the reason.
 */
export async function copyIntoWorktree(from: string, to: string, paths: readonly string[]): Promise<CopyReport> {
  const report: CopyReport = { copied: [], kept: [], skipped: [] };
  const fromRoot = await realpath(from);
  for (const path of paths) {
    try {
      const outcome = await copyOne(from, fromRoot, to, path);
      if (outcome === 'copied') report.copied.push(path);
      else if (outcome === 'kept') report.kept.push(path);
      else report.skipped.push({ path, why: outcome.why });
    } catch (error) {
      report.skipped.push({ path, why: (error as Error).message });
    }
  }
  return report;
}

async function copyOne(from: string, fromRoot: string, to: string, path: string): Promise<'copied' | 'kept' | { why: string }> {
  const source = join(from, path);
  const sourceDir = await realpath(dirname(source)).catch(() => null);
  if (sourceDir === null) return { why: 'gone from the main checkout' };
  if (sourceDir !== fromRoot && !sourceDir.startsWith(fromRoot + sep)) return { why: 'its directory leads out of the repository' };
  const info = await lstat(source).catch(() => null);
  if (info === null) return { why: 'gone from the main checkout' };
  if (!info.isFile() && !info.isSymbolicLink()) return { why: 'not a regular file or a symlink' };
  const made = await makeParents(to, path.split('/').slice(0, -1), from);
  if (made !== null) return { why: made };
  const target = join(to, path);
  if (await lstat(target).then(() => true, () => false)) return 'kept';
  try {
    if (info.isSymbolicLink()) {
      await symlink(await readlink(source), target);
    } else {
      await copyFile(source, target, constants.COPYFILE_EXCL);
      await chmod(target, info.mode & 0o7777);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'kept';
    throw error;
  }
  return 'copied';
}

/**
 * Each directory on the way to the file, under `root`: made when missing (with the main checkout's
 * mode for it), refused when it is a symlink or not a directory. Returns why it was refused, or null.
 */
async function makeParents(root: string, parts: readonly string[], from: string): Promise<string | null> {
  let dir = root;
  let sourceDir = from;
  for (const part of parts) {
    dir = join(dir, part);
    sourceDir = join(sourceDir, part);
    const info = await lstat(dir).catch(() => null);
    if (info?.isSymbolicLink()) return `${dir} in the worktree is a symlink (not followed)`;
    if (info !== null && !info.isDirectory()) return `${dir} in the worktree is not a directory`;
    if (info === null) {
      const mode = await stat(sourceDir).then((s) => s.mode & 0o7777, () => 0o755);
      await mkdir(dir, { mode }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    }
  }
  return null;
}

export interface SetupOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Each line of output, stdout and stderr, as it comes. */
  onLine: (line: string) => void;
  /** After the timeout's SIGTERM, how long before SIGKILL. @default 2000 */
  killGraceMs?: number;
}

const TAIL_KEPT = 40;

/**
 * Runs `command` by `sh -c` in its own process group, stdin closed. On the timeout the whole group gets
 * SIGTERM, then SIGKILL: a setup's children (a dev server it forgot to stop) do not outlive it.
 */
export function runSetup(command: string, options: SetupOptions): Promise<SetupRun> {
  const started = Date.now();
  const tail: string[] = [];
  const line = (text: string): void => {
    tail.push(text);
    if (tail.length > TAIL_KEPT) tail.shift();
    options.onLine(text);
  };
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const streams = [splitter(line), splitter(line)];
    // Decoded as text by the streams themselves: a character split between two reads stays whole.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => streams[0]?.push(chunk));
    child.stderr.on('data', (chunk: string) => streams[1]?.push(chunk));
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 2000);
    }, options.timeoutMs);
    let settled = false;
    const finish = (exitCode: number | null, signal: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      for (const stream of streams) stream.end();
      resolve({ exitCode, signal, timedOut, ms: Date.now() - started, tail });
    };
    child.on('error', (error) => {
      line(`cannot start sh: ${error.message}`);
      finish(127, null);
    });
    // 'close' waits for the output to be read; a child that left the group holding the pipes must not
    // keep the worker from starting: 'exit', then a moment for the rest of the output.
    child.on('close', (code, signal) => finish(code, signal));
    child.on('exit', (code, signal) => {
      setTimeout(() => finish(code, signal), 1000).unref();
    });
  });
}

/** Splits a byte stream into lines (a last line without "\n" is given at the end). */
function splitter(onLine: (line: string) => void): { push: (chunk: string) => void; end: () => void } {
  let rest = '';
  return {
    push(chunk) {
      const text = rest + chunk;
      const lines = text.split(/\r?\n/);
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    },
    end() {
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
}

/**
 * Appends lines of muxctl's own event format to a worker's event log (the one its log view follows),
 * in the order given: each write waits for the one before. `flush` resolves once all are written.
 */
export class EventLogWriter {
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  constructor(private readonly file: string) {}

  write(event: Record<string, unknown>): void {
    this.chain = this.chain.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, JSON.stringify(event) + '\n');
    }).catch((error: Error) => {
      this.failure ??= error;
    });
  }

  /** Waits for every line; a log that could not be written is said, not thrown (the setup's result counts more). */
  async flush(): Promise<Error | null> {
    await this.chain;
    return this.failure;
  }
}

/**
 * Where a worktree is prepared: this machine's files, or a host's (hostPrep.ts). The preparation itself
 * (control/worktreePrep.ts) is one algorithm over either.
 */
export interface PrepPlace {
  /** "" here, " on box1" for a host: for what the worker's log says. */
  readonly where: string;
  isFile(path: string): Promise<boolean>;
  readText(path: string): Promise<string | null>;
  readMarker(gitDir: string): Promise<PrepMarker | null>;
  writeMarker(gitDir: string, marker: PrepMarker): Promise<void>;
  copy(from: string, to: string, paths: readonly string[]): Promise<CopyReport>;
  runSetup(command: string, options: SetupOptions): Promise<SetupRun>;
  eventLog(file: string): { write(event: Record<string, unknown>): void; flush(): Promise<Error | null> };
}

/** This machine's files. */
export const HERE: PrepPlace = {
  where: '',
  isFile: async (path) => stat(path).then((s) => s.isFile(), () => false),
  readText: readTextIfAny,
  readMarker: readPrepMarker,
  writeMarker: writePrepMarker,
  copy: copyIntoWorktree,
  runSetup,
  eventLog: (file) => new EventLogWriter(file),
};
