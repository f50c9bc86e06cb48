/**
 * Runs a task's acceptance check (a shell command such as `npm test`) in a worktree. The exit code
 * decides; the last lines of output go into the task's outcome so a person reads why it failed.
 */
import { runProgram, type ProgramRunner } from './program.js';

export interface CheckRun {
  passed: boolean;
  exitCode: number | null;
  /** The last lines of stdout and stderr together, in the order they came. */
  tail: string;
  timedOut: boolean;
}

const TAIL_LINES = 20;

/**
 * `program`: where the check runs, when not here (a host's, over ssh): there `sh` changes to `cwd`
 * itself, with the directory and the command as its arguments, never spliced into its script.
 */
export async function runCheck(command: string, cwd: string, options: { env?: Record<string, string>; timeoutMs?: number; program?: ProgramRunner } = {}): Promise<CheckRun> {
  const settings = { env: options.env ?? {}, timeoutMs: options.timeoutMs ?? 30 * 60_000, killSignal: 'SIGKILL' as const };
  const result =
    options.program === undefined
      ? await runProgram('sh', ['-c', command], { cwd, ...settings })
      : await options.program('sh', ['-c', 'cd "$1" && exec sh -c "$2"', 'sh', cwd, command], settings);
  const lines = result.all.split('\n');
  const tail = lines.slice(-TAIL_LINES).join('\n').trimEnd();
  const timedOut = result.timedOut;
  const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  return { passed: exitCode === 0 && !timedOut, exitCode, tail: timedOut ? `${tail}\n(timed out)` : tail, timedOut };
}
