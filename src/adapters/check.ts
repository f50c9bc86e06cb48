/**
 * Runs a task's acceptance check (a shell command such as `npm test`) in a worktree. The exit code
 * decides; the last lines of output go into the task's outcome so a person reads why it failed.
 */
import { runProgram } from './program.js';

export interface CheckRun {
  passed: boolean;
  exitCode: number | null;
  /** The last lines of stdout and stderr together, in the order they came. */
  tail: string;
  timedOut: boolean;
}

const TAIL_LINES = 20;

export async function runCheck(command: string, cwd: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CheckRun> {
  const result = await runProgram('sh', ['-c', command], { cwd, env: options.env ?? {}, timeoutMs: options.timeoutMs ?? 30 * 60_000, killSignal: 'SIGKILL' });
  const lines = result.all.split('\n');
  const tail = lines.slice(-TAIL_LINES).join('\n').trimEnd();
  const timedOut = result.timedOut;
  const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  return { passed: exitCode === 0 && !timedOut, exitCode, tail: timedOut ? `${tail}\n(timed out)` : tail, timedOut };
}
