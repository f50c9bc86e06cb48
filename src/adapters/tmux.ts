/**
 * The only code that runs tmux. Every call goes to muxctl's private server (`tmux -L <socket> -f /dev/null`),
 * argv as an array (never a shell string), with TMUX/TMUX_PANE removed so it also works from inside the
 * user's own tmux. Facts about tmux 3.3a this relies on are measured, see ARCHITECTURE.md §5 and the
 * integration tests in test/integration/tmux.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { shellQuote } from '../core/rules/names.js';
import { stat } from 'node:fs/promises';
import { runProgram, type ProgramRunner } from './program.js';
import { MuxctlError, TmuxCommandError, TmuxMissingError, TmuxSessionMissingError, TmuxTooOldError } from '../core/errors.js';
import {
  MIN_TMUX_VERSION,
  PANE_LIST_FORMAT,
  WORKER_OPTION,
  chainCommands,
  captureMarker,
  escapeFormat,
  isVersionAtLeast,
  parsePaneList,
  parseVersion,
  splitCaptureChain,
  tailOfCapture,
  type PaneInfo,
  type TmuxVersion,
} from '../core/parsers/tmuxFormat.js';

export type { PaneInfo, TmuxVersion } from '../core/parsers/tmuxFormat.js';

export interface RespawnSpec {
  /** Session name, [A-Za-z0-9_-]. */
  name: string;
  /** Working directory; must exist (tmux would silently fall back to another directory). */
  cwd: string;
  /** Passed with -e: the tmux client's own environment is NOT inherited by the pane. */
  env: Record<string, string>;
  /** A POSIX shell command line, run by /bin/sh -c. */
  command: string;
  /** Stored in the pane user option @muxctl_worker. */
  worker: string;
  /** A file that gets everything the pane prints (tmux pipe-pane), for muxctl's own log of the screen. */
  pipeTo?: string;
}

export interface SessionSpec extends RespawnSpec {
  width?: number;
  height?: number;
  /**
   * Keys of `env` that belong to this one process, not to the session: `new-session -e` also sets the
   * session's environment, which every later respawn inherits, so a task's MUXCTL_TASK_* would come back
   * after a restart meant to leave the worker idle. These are unset from the session right after.
   */
  transientEnv?: readonly string[];
}

export interface TmuxOptions {
  /** The tmux binary. @default 'tmux' */
  binary?: string;
  /** A tmux call that takes longer than this fails instead of hanging muxctl. @default 10000 */
  timeoutMs?: number;
  /** What runs tmux: here, or on a host over ssh (`SshHost.program()`). @default runProgram */
  program?: ProgramRunner;
  /** The host's name when `program` runs there: its panes' processes are signalled there too. */
  host?: string;
}

interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const SESSION_NAME = /^[A-Za-z0-9_-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The tmux client's environment: without TMUX and TMUX_PANE, which make tmux refuse to nest or aim at the
 * user's own server. Also what the pty attach adapter should spawn `attachArgs()` with.
 */
export function tmuxClientEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && key !== 'TMUX' && key !== 'TMUX_PANE') clean[key] = value;
  }
  return clean;
}

/** tmux's ways of saying "there is no server on this socket" (the socket file missing, or stale). */
function isNoServer(stderr: string): boolean {
  if (/no server running on /.test(stderr) || /server exited unexpectedly/.test(stderr)) return true;
  // "error connecting to <path> (No such file or directory | Connection refused)"; a permission problem
  // is a real error the person must see, not an empty server.
  return /error connecting to /.test(stderr) && !/Permission denied/i.test(stderr);
}

const lacksExitStatus = (pane: PaneInfo): boolean => pane.dead && pane.deadStatus === null && pane.deadSignal === null;

/** A missing target: capture-pane says "can't find session: x", set-option -p says "no such pane: =x:". */
const isMissingSession = (stderr: string): boolean => /can't find (session|window|pane)|no such (session|window|pane)/.test(stderr);

export class Tmux {
  private readonly binary: string;
  private readonly timeoutMs: number;
  private readonly program: ProgramRunner;
  /** The host the server runs on, or null for this machine. */
  readonly host: string | null;

  constructor(
    readonly socket: string,
    options: TmuxOptions = {},
  ) {
    if (!/^[A-Za-z0-9_.-]+$/.test(socket)) {
      throw new MuxctlError(`Invalid tmux socket name "${socket}": use letters, digits, '.', '_' and '-'.`);
    }
    this.binary = options.binary ?? 'tmux';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.program = options.program ?? runProgram;
    this.host = options.host ?? null;
  }

  /**
   * The installed tmux's version; throws TmuxMissingError / TmuxTooOldError with what to do. Asked
   * once a process: the start-up check and the control client both need it before the first frame. A
   * failure is not kept, so a person who installs tmux and retries is heard.
   */
  static version(binary = 'tmux'): Promise<TmuxVersion> {
    let known = Tmux.versions.get(binary);
    if (!known) {
      known = Tmux.readVersion(binary);
      known.catch(() => Tmux.versions.delete(binary));
      Tmux.versions.set(binary, known);
    }
    return known;
  }

  private static readonly versions = new Map<string, Promise<TmuxVersion>>();

  private static async readVersion(binary: string): Promise<TmuxVersion> {
    const result = await runProgram(binary, ['-V'], { env: tmuxClientEnv() });
    if (result.missing) throw new TmuxMissingError(binary);
    const version = parseVersion(result.stdout);
    if (!version) throw new TmuxCommandError([binary, '-V'], result.stderr, result.exitCode ?? null, `unreadable version "${result.stdout}"`);
    const needed = `${MIN_TMUX_VERSION.major}.${MIN_TMUX_VERSION.minor}`;
    if (!isVersionAtLeast(version, MIN_TMUX_VERSION)) throw new TmuxTooOldError(version.raw, needed);
    return version;
  }

  /**
   * Every pane on the server in ONE call; [] when no server is running.
   *
   * A dead pane without exit status or signal is tmux 3.3a losing a SIGCHLD (measured: ~1 in 7 panes
   * whose command runs briefly, 1 in 20 respawns; more under load). The likely cause: Debian's tmux
   * links libutempter, which puts in its own SIGCHLD handler while it updates the pane's utmp record,
   * around the moment the pane's process exits (tmux/tmux#311). The child stays a zombie and its status
   * never arrives until the server gets ANOTHER SIGCHLD, so in that case this sends the server one and
   * lists again (measured: one nudge resolved 300 of 300).
   */
  async listPanes(): Promise<PaneInfo[]> {
    const panes = await this.listPanesOnce();
    if (!panes.some(lacksExitStatus)) return panes;
    const pid = await this.serverPid();
    if (pid === null) return panes;
    await this.signalPane(pid, 'SIGCHLD');
    return this.listPanesOnce();
  }

  private async listPanesOnce(): Promise<PaneInfo[]> {
    const argv = ['list-panes', '-a', '-F', PANE_LIST_FORMAT];
    const result = await this.run(argv);
    if (result.exitCode !== 0) {
      if (isNoServer(result.stderr)) return [];
      throw this.failure(argv, result);
    }
    return parsePaneList(result.stdout);
  }

  /**
   * Starts a detached session running `command`, in ONE tmux call, so the tmux server alone decides a
   * race between two callers: the loser gets "duplicate session" and this returns 'exists'.
   *
   * remain-on-exit must be on before the command can exit, or the session vanishes with its exit status.
   * Measured on 3.3a: setting it per pane in the same call is in time even for `sh -c 'exit 3'` (190/190
   * runs), because the server runs a client's whole command list before its event loop sees the child
   * exit. That is an implementation detail, so the global window option is set FIRST as well: on this
   * private server every pane is a worker, and a pane created after it is set cannot miss it.
   */
  async newSession(spec: SessionSpec): Promise<'created' | 'exists'> {
    await this.checkSpec(spec);
    const size: string[] = [];
    if (spec.width !== undefined) size.push('-x', String(spec.width));
    if (spec.height !== undefined) size.push('-y', String(spec.height));
    const argv = chainCommands([
      ['set-option', '-g', 'remain-on-exit', 'on'],
      ['new-session', '-d', '-s', spec.name, '-c', escapeFormat(spec.cwd), ...size, ...envFlags(spec.env), ...shellCommand(spec.command)],
      ...(spec.transientEnv ?? []).map((key) => ['set-environment', '-t', target(spec.name), '-u', key]),
      ...this.tagPane(spec),
      ...this.pipe(spec),
    ]);
    const result = await this.run(argv, spec.env.PATH);
    if (result.exitCode === 0) return 'created';
    if (/duplicate session/.test(result.stderr)) return 'exists';
    throw this.failure(argv, result);
  }

  /** Restarts the session's pane in place (keeps the session and any attached client), alive or dead. */
  async respawnPane(spec: RespawnSpec): Promise<void> {
    await this.checkSpec(spec);
    const argv = chainCommands([
      // Options first: they belong to the pane and survive the respawn, and must be set before the new
      // command can exit.
      ...this.tagPane(spec),
      ['respawn-pane', '-k', '-c', escapeFormat(spec.cwd), ...envFlags(spec.env), '-t', target(spec.name), ...shellCommand(spec.command)],
      // The old process's pipe ends with it: open one for the new process.
      ...this.pipe(spec),
    ]);
    const result = await this.run(argv, spec.env.PATH);
    if (result.exitCode !== 0) throw this.failure(argv, result, spec.name);
  }

  /** Kills one session by exact name; false when it was not there. */
  async killSession(name: string): Promise<boolean> {
    const argv = ['kill-session', '-t', `=${checkName(name)}`];
    const result = await this.run(argv);
    if (result.exitCode === 0) return true;
    if (isMissingSession(result.stderr) || isNoServer(result.stderr)) return false;
    throw this.failure(argv, result);
  }

  async hasSession(name: string): Promise<boolean> {
    const argv = ['has-session', '-t', `=${checkName(name)}`];
    const result = await this.run(argv);
    if (result.exitCode === 0) return true;
    if (isMissingSession(result.stderr) || isNoServer(result.stderr)) return false;
    throw this.failure(argv, result);
  }

  /** Kills this socket's server only (never the user's default server). No server is not an error. */
  async killServer(): Promise<void> {
    const result = await this.run(['kill-server']);
    if (result.exitCode !== 0 && !isNoServer(result.stderr)) throw this.failure(['kill-server'], result);
  }

  /** Sends tmux key names (e.g. "C-c", "Enter") to the session's pane, out of copy mode first. */
  async sendKeys(name: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const argv = chainCommands([leaveMode(name), ['send-keys', '-t', target(name), ...keys]]);
    const result = await this.run(argv);
    if (result.exitCode !== 0) throw this.failure(argv, result, name);
  }

  /**
   * Signals a pane's process (a negative pid: its process group) where it runs; a process already gone
   * is fine.
   */
  async signalPane(pid: number, signal: NodeJS.Signals): Promise<void> {
    if (this.host === null) {
      try {
        process.kill(pid, signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
      return;
    }
    // kill(1) on the host; "No such process" is the process already gone.
    const result = await this.program('kill', ['-s', signal.replace(/^SIG/, ''), '--', String(Math.trunc(pid))], { env: {}, timeoutMs: this.timeoutMs });
    if (result.exitCode !== 0 && !/No such process/i.test(result.stderr)) {
      throw new TmuxCommandError(['kill', '-s', signal, '--', String(pid)], `on host ${this.host}: ${result.stderr}`, result.exitCode ?? null);
    }
  }

  /**
   * The last `lines` lines (history + screen, plain text, trailing blanks trimmed) of several panes in
   * one tmux call. tmux 3.3a aborts a command chain at the first missing target, so a missing session
   * costs one more call for the names after it; missing sessions are absent from the result.
   */
  async capturePanes(names: readonly string[], lines: number): Promise<Map<string, string[]>> {
    const captured = new Map<string, string[]>();
    let pending = names.map(checkName);
    const depth = Math.max(1, Math.floor(lines));
    while (pending.length > 0) {
      // A fresh marker per call: pane text cannot forge it.
      const nonce = randomBytes(6).toString('hex');
      const argv = chainCommands(
        pending.flatMap((name, index) => [
          ['capture-pane', '-p', '-J', '-S', `-${depth}`, '-t', target(name)],
          ['display-message', '-p', captureMarker(nonce, index)],
        ]),
      );
      const result = await this.run(argv);
      const chunks = splitCaptureChain(result.stdout, nonce, pending.length);
      chunks.forEach((chunk, index) => captured.set(pending[index] as string, tailOfCapture(chunk, depth)));
      if (result.exitCode === 0 || isNoServer(result.stderr)) break;
      if (!isMissingSession(result.stderr)) throw this.failure(argv, result);
      // The chain stopped at pending[chunks.length]: skip it, capture the rest.
      pending = pending.slice(chunks.length + 1);
    }
    return captured;
  }

  /** Full argv (binary first) of a client attaching to the session, for the pty attach adapter. */
  attachArgs(name: string): string[] {
    return [this.binary, '-L', this.socket, '-f', '/dev/null', 'attach-session', '-t', `=${checkName(name)}`];
  }

  /** Detaches the client on the given tty (e.g. "/dev/pts/7"); a client already gone is fine. */
  async detachClient(ttyName: string): Promise<void> {
    const argv = chainCommands([['detach-client', '-t', ttyName]]);
    const result = await this.run(argv);
    if (result.exitCode === 0 || isNoServer(result.stderr) || /can't find client/.test(result.stderr)) return;
    throw this.failure(argv, result);
  }

  /** The server's pid, or null when no server runs on this socket. */
  async serverPid(): Promise<number | null> {
    const argv = ['display-message', '-p', '#{pid}'];
    const result = await this.run(argv);
    if (result.exitCode !== 0) {
      if (isNoServer(result.stderr)) return null;
      throw this.failure(argv, result);
    }
    const pid = Number(result.stdout.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }

  /** set-option commands that keep a dead pane and its status, and tag the pane with its worker. */
  /** pipe-pane's command is run by sh and expanded as a format: quote for one, escape '#' for the other. */
  private pipe(spec: RespawnSpec): string[][] {
    if (spec.pipeTo === undefined) return [];
    // umask 077: the capture is raw screen output, secrets unmasked; only the owner may read it.
    return [['pipe-pane', '-t', target(spec.name), escapeFormat(`umask 077; exec cat >> ${shellQuote(spec.pipeTo)}`)]];
  }

  private tagPane(spec: RespawnSpec): string[][] {
    return [
      ['set-option', '-p', '-t', target(spec.name), 'remain-on-exit', 'on'],
      ['set-option', '-p', '-t', target(spec.name), WORKER_OPTION, spec.worker],
    ];
  }

  private async checkSpec(spec: RespawnSpec): Promise<void> {
    checkName(spec.name);
    for (const key of Object.keys(spec.env)) {
      if (!ENV_NAME.test(key)) throw new MuxctlError(`Invalid environment variable name "${key}" for session ${spec.name}.`);
    }
    // tmux 3.3a falls back to another directory, silently, when -c names one that does not exist: a
    // worker would then run in the wrong checkout.
    const info = await stat(spec.cwd).catch(() => null);
    if (!info?.isDirectory()) {
      throw new MuxctlError(`Cannot start ${spec.name}: its directory ${spec.cwd} does not exist.`);
    }
  }

  /**
   * @param clientPath the PATH to give the tmux client. tmux gives a new pane the PATH of the client
   * that asked for it (spawn.c), overriding `-e PATH=…`: so a pane's PATH is set by the client's.
   */
  /**
   * Types `text` into the session's pane as one bracketed paste (so an agent's line editor takes the
   * newlines as text, not as Enter), then presses Enter to submit it. The buffer is named per call and
   * deleted by the paste, so two deliveries never cross.
   */
  async pasteText(name: string, text: string): Promise<void> {
    const buffer = `muxctl-${randomBytes(4).toString('hex')}`;
    const load = ['load-buffer', '-b', buffer, '-'];
    const loaded = await this.run(load, undefined, text);
    if (loaded.exitCode !== 0) throw this.failure(load, loaded, name);
    const argv = chainCommands([leaveMode(name), ['paste-buffer', '-d', '-p', '-b', buffer, '-t', target(name)]]);
    const pasted = await this.run(argv);
    if (pasted.exitCode !== 0) throw this.failure(argv, pasted, name);
    await this.sendKeys(name, ['Enter']);
  }

  private async run(args: readonly string[], clientPath?: string, input?: string): Promise<RunResult> {
    // -u: a client that thinks its locale is not UTF-8 (LANG unset, as over ssh or under cron) prints
    // every tab and non-ASCII character as "_", and the pane list, split on tabs, would come back empty.
    const argv = ['-u', '-L', this.socket, '-f', '/dev/null', ...args];
    const env = tmuxClientEnv();
    if (clientPath !== undefined) env.PATH = clientPath;
    const result = await this.program(this.binary, argv, { env, timeoutMs: this.timeoutMs, ...(input === undefined ? {} : { input }) });
    if (result.missing) throw new TmuxMissingError(this.binary);
    if (result.timedOut) {
      throw new TmuxCommandError([this.binary, ...argv], result.stderr, null, `no answer within ${this.timeoutMs} ms`);
    }
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1 };
  }

  /** The error for a failed call; with `session`, a missing target becomes TmuxSessionMissingError. */
  private failure(args: readonly string[], result: RunResult, session?: string): MuxctlError {
    if (session !== undefined && (isMissingSession(result.stderr) || isNoServer(result.stderr))) {
      return new TmuxSessionMissingError(session);
    }
    return new TmuxCommandError([this.binary, '-L', this.socket, '-f', '/dev/null', ...args], result.stderr, result.exitCode);
  }
}

function checkName(name: string): string {
  // '.' and ':' are target syntax and tmux refuses them in names; anything else odd is a caller bug.
  if (!SESSION_NAME.test(name)) throw new MuxctlError(`Invalid session name "${name}": use letters, digits, '_' and '-'.`);
  return name;
}

/** The session's (only) pane, by exact name: a bare `-t w1` would also match w10. */
function target(name: string): string {
  return `=${checkName(name)}:`;
}

/**
 * A pane the person is scrolling (copy mode) takes keys into the mode, not the program: an Enter after a
 * paste would copy a selection, and the prompt would sit on the agent's line unsent; a C-c would only
 * leave the mode. Cancelled in the same call, before the keys, only when the pane is in a mode.
 */
function leaveMode(name: string): string[] {
  return ['if-shell', '-F', '-t', target(name), '#{pane_in_mode}', `send-keys -X -t ${target(name)} cancel`];
}

function envFlags(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
}

/**
 * Run through /bin/sh explicitly instead of tmux's default-shell (the user's $SHELL, maybe fish): the
 * command line then means the same thing everywhere, and so do its exit status and error messages.
 */
function shellCommand(command: string): string[] {
  return ['/bin/sh', '-c', command];
}
