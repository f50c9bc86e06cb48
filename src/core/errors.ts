/**
 * Typed errors whose messages tell a person what to do next. Each carries the process exit code the CLI
 * should end with, so the entry point can print `message` and exit without knowing every kind of failure.
 */
export class MuxctlError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    // Subclasses get their own name (e.g. "TmuxMissingError") in stack traces and logs.
    this.name = new.target.name;
  }
}

/** Checks run together still fail in the order they are listed: the first one a person should fix. */
export function throwFirstFailure(results: readonly PromiseSettledResult<unknown>[]): void {
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}

export const TMUX_INSTALL_HINT =
  'Install it: sudo apt-get install tmux (Debian/Ubuntu), brew install tmux (macOS). muxctl needs tmux ≥ 3.0.';

/** The tmux binary could not be started at all (not on PATH). */
export class TmuxMissingError extends MuxctlError {
  constructor(readonly binary = 'tmux') {
    super(
      binary === 'tmux'
        ? `tmux was not found on PATH. ${TMUX_INSTALL_HINT}`
        : `tmux was not found at ${binary}. ${TMUX_INSTALL_HINT}`,
    );
  }
}

/** tmux runs but is older than the features muxctl relies on (argv commands, -e, pane options). */
export class TmuxTooOldError extends MuxctlError {
  constructor(
    readonly found: string,
    readonly needed: string,
  ) {
    super(
      `tmux ${found} is too old: muxctl needs tmux ≥ ${needed}. ` +
        'Upgrade it (e.g. sudo apt-get install tmux on a current Debian/Ubuntu, brew upgrade tmux on macOS).',
    );
  }
}

/** A tmux command failed in a way the caller did not expect; keeps what was run and what tmux said. */
export class TmuxCommandError extends MuxctlError {
  constructor(
    readonly argv: readonly string[],
    readonly stderr: string,
    readonly tmuxExitCode: number | null = null,
    detail?: string,
  ) {
    const said = stderr.trim() || detail || `exit code ${tmuxExitCode ?? 'unknown'}`;
    super(`tmux failed: ${said}\n  command: ${argv.join(' ')}`);
  }
}

/** A tmux command aimed at a session that does not exist (any more): callers may start it afresh. */
export class TmuxSessionMissingError extends MuxctlError {
  constructor(readonly session: string) {
    super(`tmux session ${session} does not exist (any more); start the worker again.`);
  }
}
