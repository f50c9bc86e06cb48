/**
 * Runs a program from an argv array (never a shell line) and collects what it printed: all that tmux,
 * git and the task checks need. This was execa; loading execa was the largest single part of a CLI
 * command's start-up (~30 ms of evaluation and its share of compiling, measured in `muxctl status`'s
 * profile), for a few lines of node's own spawn.
 */
import { spawn } from 'node:child_process';

export interface ProgramOptions {
  /** The whole environment of the program: nothing is inherited beyond it. */
  env: Record<string, string>;
  cwd?: string;
  /** Written to the program's stdin, which is otherwise /dev/null. */
  input?: string;
  /** Stops the program (killSignal) when it has not ended by then; the result says timedOut. */
  timeoutMs?: number;
  /** @default 'SIGTERM' */
  killSignal?: NodeJS.Signals;
}

export interface ProgramResult {
  /** Without one final newline, as the program's output is read as a value. */
  stdout: string;
  stderr: string;
  /** stdout and stderr together in the order they came (also without a final newline). */
  all: string;
  /** undefined when the program was ended by a signal or never started. */
  exitCode: number | undefined;
  /** The program is not there (ENOENT): the caller says how to install it. */
  missing: boolean;
  timedOut: boolean;
  /** Why it never started, when it did not. */
  startError?: Error;
}

/** What starts a program: runProgram here, or the same over ssh on a host (ssh.ts `SshHost.program`). */
export type ProgramRunner = (file: string, args: readonly string[], options: ProgramOptions) => Promise<ProgramResult>;

export function runProgram(file: string, args: readonly string[], options: ProgramOptions): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const all: Buffer[] = [];
    let timedOut = false;
    let startError: NodeJS.ErrnoException | undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      out.push(chunk);
      all.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err.push(chunk);
      all.push(chunk);
    });
    if (options.input !== undefined && child.stdin) {
      // A program that exits without reading its input closes the pipe: that is not our failure.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill(options.killSignal ?? 'SIGTERM');
          }, options.timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      startError = error;
    });
    // 'close' comes after 'exit' and after every pipe has given its last bytes (also after a failed start).
    child.on('close', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({
        stdout: text(out),
        stderr: text(err),
        all: text(all),
        // A failed start closes with a negative errno as its "code": no exit code at all.
        exitCode: startError === undefined ? (code ?? undefined) : undefined,
        missing: startError?.code === 'ENOENT',
        timedOut,
        ...(startError === undefined ? {} : { startError }),
      });
    });
  });
}

function text(chunks: Buffer[]): string {
  return withoutFinalNewline(Buffer.concat(chunks).toString('utf8'));
}

/** A program's output as a value: without its one final newline (or CRLF). */
export function withoutFinalNewline(whole: string): string {
  if (whole.endsWith('\r\n')) return whole.slice(0, -2);
  return whole.endsWith('\n') ? whole.slice(0, -1) : whole;
}
