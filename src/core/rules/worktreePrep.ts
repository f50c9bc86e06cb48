/**
 * Preparing a worktree muxctl creates, the decisions: when to prepare it (a new worktree, or one whose
 * last preparation did not finish), which of the main checkout's files to copy in, each worker's port,
 * and what a failed setup says. Pure; the copying and the setup's process are src/adapters/worktreePrep.ts,
 * the order of it all src/control/worktreePrep.ts.
 */
import type { ProjectConfig } from '../config/types.js';
import { includeMatcher } from '../config/includeGlob.js';

/**
 * Where a worktree's preparation stands, kept in the worktree's own git directory. `pending`: begun and
 * not finished (muxctl was killed meanwhile); `failed`: the setup failed; both are tried again at the
 * next start. `done`: never again for this worktree.
 */
export interface PrepMarker {
  state: 'pending' | 'done' | 'failed';
  /** Epoch ms of the last change. */
  at: number;
  /** The setup command it ran, for a person reading the file. */
  setup?: string | null;
  reason?: string;
}

/**
 * A worktree is prepared once: when muxctl has just created it, or when its last preparation did not
 * finish. A worktree without a marker that muxctl did not just create (made before `worktree` was
 * configured, or by hand) is left as it is.
 */
export function preparationDue(created: boolean, marker: PrepMarker | null): boolean {
  if (created) return true;
  return marker !== null && marker.state !== 'done';
}

/** The worker's own port: `worktree.portBase` plus its place in `workers`; null for a worker the config does not name. */
export function workerPort(config: ProjectConfig, worker: string): number | null {
  const index = config.workers.findIndex((w) => w.name === worker);
  return index < 0 ? null : config.worktree.portBase + index;
}

export interface CopySelection {
  /** The main checkout's files that git does not track (ignored ones included), relative, "/"-separated. */
  candidates: readonly string[];
  /** `worktree.copy`. */
  copy: readonly string[];
  /** The lines of `.worktreeinclude`. */
  include: readonly string[];
  /** Directories (relative) never copied from: muxctl's own `.muxctl/`, a worktree directory inside the repo. */
  exclude: readonly string[];
}

/**
 * The files to copy, sorted: candidates named by `worktree.copy` or by `.worktreeinclude` (each list read
 * on its own, so a "!" in one does not take back what the other names), never one under `exclude`, never
 * a directory entry (git lists a nested repository as "dir/"), never a path that leaves the checkout.
 */
export function filesToCopy(selection: CopySelection): string[] {
  const lists = [selection.copy, selection.include].filter((list) => list.length > 0).map((list) => includeMatcher(list));
  if (lists.length === 0) return [];
  const excluded = selection.exclude.map((dir) => dir.replace(/\/+$/, '')).filter((dir) => dir !== '' && dir !== '.');
  const under = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);
  return selection.candidates
    .filter((path) => path !== '' && !path.endsWith('/') && !path.startsWith('/') && !path.split('/').some((part) => part === '..' || part === '.' || part === ''))
    .filter((path) => path !== '.git' && !path.startsWith('.git/') && !excluded.some((dir) => under(path, dir)))
    .filter((path) => lists.some((named) => named(path)))
    .sort();
}

/** How the setup's process ended. */
export interface SetupRun {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  ms: number;
  /** Its last lines of output, stdout and stderr in the order they came. */
  tail: readonly string[];
}

export function setupSucceeded(run: SetupRun): boolean {
  return !run.timedOut && run.exitCode === 0;
}

/** "exited with status 3 after 0.2 s", "timed out after 300 s (killed)", "was killed by SIGKILL after 4.1 s". */
export function setupEnding(run: SetupRun, timeoutSeconds: number): string {
  const after = `after ${seconds(run.ms)}`;
  if (run.timedOut) return `timed out after ${timeoutSeconds} s (worktree.setupTimeoutSeconds; killed)`;
  if (run.exitCode !== null) return `exited with status ${run.exitCode} ${after}`;
  return `was killed by ${run.signal ?? 'a signal'} ${after}`;
}

const TAIL_SHOWN = 10;

/**
 * What a failed setup says: `reason`, one line for the board's event and the log; `outcome`, the lines
 * `muxctl up` prints for the worker (the ending, then the last lines of output).
 */
export function setupFailure(command: string, run: SetupRun, timeoutSeconds: number): { reason: string; outcome: string } {
  const ending = setupEnding(run, timeoutSeconds);
  const lastLine = [...run.tail].reverse().find((line) => line.trim() !== '');
  const reason = `setup \`${command}\` ${ending}${lastLine === undefined ? ' (no output)' : `: ${lastLine.trim()}`}; the worker was not started`;
  const shown = run.tail.slice(-TAIL_SHOWN);
  const lines = shown.length === 0 ? ['    (no output)'] : shown.map((line) => `    │ ${line}`);
  const outcome = [`not started: worktree setup \`${command}\` ${ending}; it runs again at the next start. Its last output:`, ...lines].join('\n');
  return { reason, outcome };
}

/** The event's words for a preparation that did something: what was copied, kept, skipped, and the setup. */
export function preparedSummary(copied: readonly string[], kept: readonly string[], skipped: readonly string[], setup: { command: string; ms: number } | null): string {
  const parts: string[] = [];
  if (copied.length > 0) parts.push(`copied ${listed(copied)}`);
  if (kept.length > 0) parts.push(`${listed(kept)} already there (not overwritten)`);
  if (skipped.length > 0) parts.push(`skipped ${listed(skipped)}`);
  if (setup !== null) parts.push(`setup \`${setup.command}\` ran in ${seconds(setup.ms)}`);
  return parts.length === 0 ? 'worktree prepared: nothing to copy, no setup' : `worktree prepared: ${parts.join('; ')}`;
}

function listed(paths: readonly string[]): string {
  const shown = paths.slice(0, 5).join(', ');
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}

/** "1.2 s". */
export function durationText(ms: number): string {
  return seconds(ms);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
