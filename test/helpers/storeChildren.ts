/**
 * Real Node processes on a shared task database, for the store's cross-process tests: SQLite's locking
 * only means something between processes, so the other side of every race is
 * test/integration/fixtures-store/storeChild.ts, run here and killed by the test file that started it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './waitFor.js';

/** tsx resolves from the project's node_modules, so children run with the repository as their cwd. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('../integration/fixtures-store/storeChild.ts', import.meta.url));

export interface StoreChild {
  proc: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  /** Set once the process has exited and its pipes are closed. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
}

/** The children one test started, so its afterEach can kill whatever is still running. */
export class StoreChildren {
  private readonly started: StoreChild[] = [];

  start(args: readonly string[]): StoreChild {
    const proc = spawn(process.execPath, ['--import', 'tsx/esm', CHILD_SCRIPT, ...args], { cwd: REPO_ROOT });
    const child: StoreChild = { proc, stdout: '', stderr: '', exit: null };
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (child.stdout += chunk));
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (child.stderr += chunk));
    proc.on('close', (code, signal) => (child.exit = { code, signal }));
    this.started.push(child);
    return child;
  }

  async killAll(): Promise<void> {
    for (const child of this.started) if (child.exit === null) child.proc.kill('SIGKILL');
    await waitFor(() => this.started.every((child) => child.exit !== null), { what: 'every store child to exit', timeoutMs: 10_000 });
    this.started.length = 0;
  }
}

/** The child's stdout as parsed JSON lines (it prints nothing else). */
export function childMessages(child: StoreChild): unknown[] {
  return child.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

export function describeChild(child: StoreChild): string {
  return `pid ${child.proc.pid}: exit ${JSON.stringify(child.exit)}, stdout ${JSON.stringify(child.stdout)}, stderr ${JSON.stringify(child.stderr)}`;
}
