/**
 * A persistent tmux control-mode client (`tmux -C`) on muxctl's private server: one long-lived process
 * that answers a listPanes in ≈0.5 ms instead of a fork+exec of tmux (≈5-15 ms) per call, so an idle
 * dashboard costs (almost) nothing (figures: test/integration/tmuxControl.test.ts). See ARCHITECTURE.md §5; the stream itself is parsed by
 * src/core/parsers/controlProtocol.ts.
 *
 * The client attaches to a hidden monitor session (MONITOR_SESSION) that it creates if missing, in ONE
 * tmux call started with -N, so it never creates a server just to look. When the last control client
 * leaves the monitor — closed, crashed or SIGKILLed — a client-detached hook on the monitor kills it,
 * and a server left with no session exits as usual. The client attaches with the no-output flag so
 * busy workers do not flood it with %output. Needs tmux ≥ 3.2 (-N, client flags).
 *
 * Why a hook and not `destroy-unattached on`: with that option, tmux 3.3a's SERVER segfaults — taking
 * every worker with it — when a control client ends by closing its stdin while another tmux client
 * disconnects at the same moment (measured: 29 crashes in 60 rounds; the server destroys the session
 * while the exiting client still points at it, tmux/tmux#5497). The hook runs after the client is gone
 * (measured: 0 crashes, 0 leftover monitors in 400 rounds, stdin closed or SIGKILL).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { MuxctlError, TmuxCommandError, TmuxMissingError } from '../core/errors.js';
import { ControlStreamParser, MONITOR_SESSION, commandLine, type ControlEvent, type ControlNotification } from '../core/parsers/controlProtocol.js';
import { PANE_LIST_FORMAT, chainCommands, isVersionAtLeast, parsePaneList, tailOfCapture, type PaneInfo } from '../core/parsers/tmuxFormat.js';
import { Tmux, tmuxClientEnv } from './tmux.js';

export { MONITOR_SESSION } from '../core/parsers/controlProtocol.js';

/**
 * Run by tmux when a client leaves the monitor: kill it once nobody is attached (measured on 3.3a: at
 * hook time session_attached no longer counts the client that left, so a second dashboard keeps it).
 */
const MONITOR_CLEANUP_HOOK = `if-shell -F '#{session_attached}' '' 'kill-session -t =${MONITOR_SESSION}'`;

/** -N and client flags (no-output) arrived in tmux 3.2. */
export const CONTROL_MODE_MIN_VERSION = { major: 3, minor: 2 } as const;

export interface TmuxControlOptions {
  /** The tmux binary. @default 'tmux' */
  binary?: string;
  /** A command without an answer after this long is rejected. @default 10000 */
  timeoutMs?: number;
  /** How long close() waits for the client to exit after closing its stdin, then after SIGTERM. @default 2000 */
  closeTimeoutMs?: number;
}

export interface CommandResult {
  ok: boolean;
  lines: string[];
}

export interface TmuxControlEvents {
  /** The client is gone: server killed, monitor session killed, client process died, or close(). */
  closed: [reason: string];
  /** Every notification, for diagnostics (output is off, so this stays quiet). */
  notification: [notification: ControlNotification];
}

/** The tmux on this machine cannot run a control client muxctl can use; spawn tmux per call instead. */
export class ControlModeUnsupportedError extends MuxctlError {
  constructor(readonly found: string) {
    super(`tmux ${found} has no control mode muxctl can use (it needs ≥ 3.2); run tmux once per query instead, or upgrade tmux.`);
  }
}

/** The control client went away while a command waited, or before it was sent. */
export class ControlClientClosedError extends MuxctlError {
  constructor(reason: string) {
    super(`The tmux control client is closed (${reason}); connect again.`);
  }
}

interface Pending {
  resolve: (result: CommandResult) => void;
  reject: (error: Error) => void;
  /** Set when the caller gave up waiting: its reply still comes, and is dropped, keeping the FIFO in step. */
  abandoned: boolean;
  timer: NodeJS.Timeout | null;
}

type State = 'idle' | 'connecting' | 'ready' | 'closed';

const lacksExitStatus = (pane: PaneInfo): boolean => pane.dead && pane.deadStatus === null && pane.deadSignal === null;
const isMissingTarget = (lines: readonly string[]): boolean => lines.some((line) => /can't find (session|window|pane)|no such (session|window|pane)/.test(line));
/**
 * No server, or one that went away while the client connected (kill-server just before: the socket still
 * answered). A control client says the latter in its %exit line ("server exited", "lost server").
 */
const isNoServer = (said: string): boolean =>
  /no server running on |server exited|lost server/.test(said) || (/error connecting to /.test(said) && !/Permission denied/i.test(said));

export class TmuxControlClient extends EventEmitter<TmuxControlEvents> {
  private readonly binary: string;
  private readonly timeoutMs: number;
  private readonly closeTimeoutMs: number;
  private child: ChildProcessWithoutNullStreams | null = null;
  private state: State = 'idle';
  private pending: Pending[] = [];
  /** Replies to the startup command list that failed (e.g. the option could not be set). */
  private startupErrors: string[] = [];
  private serverPid: number | null = null;
  /** Replies still due to the startup command list; and what to call when it is done. */
  private startupRepliesLeft = 0;
  private startupWaiter: { resolve: () => void; reject: (error: Error) => void } | null = null;
  /** What the last %exit said ("server exited unexpectedly", …), to tell a vanished server from a failure. */
  private exitReason = '';
  /** close() ended stdin: the exit that follows is asked for, not a failure. */
  private closing = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: string,
    options: TmuxControlOptions = {},
  ) {
    super();
    // Validates the socket name by the same rule as the Tmux adapter (it throws on a bad one).
    new Tmux(socket);
    this.binary = options.binary ?? 'tmux';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
  }

  get connected(): boolean {
    return this.state === 'ready';
  }

  /** The control client process's pid while it runs (for tests and diagnostics). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /**
   * Attaches to the monitor session, creating it if missing. false when no server runs on the socket
   * (none is started); throws when tmux is missing, too old, or refuses for another reason.
   */
  async connect(): Promise<boolean> {
    if (this.state === 'ready') return true;
    if (this.state === 'connecting') throw new MuxctlError('TmuxControlClient.connect() is already in progress.');
    // A previous client that said %exit may still be ending.
    if (this.child) await this.close();
    await this.checkVersion();
    this.state = 'connecting';
    this.startupErrors = [];
    this.exitReason = '';
    const child = this.spawnClient();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => (stderr += text));
    const ready = this.handshake().then(
      () => 'ready' as const,
      (error: unknown) => error,
    );
    const outcome = await Promise.race([ready, this.exited.then(() => 'exited' as const)]);
    // state is checked too: a %exit in the same chunk as the probe's reply has already closed it.
    if (outcome === 'ready' && this.state === 'connecting' && this.startupErrors.length === 0) {
      this.state = 'ready';
      // An idle client must not keep a finished program alive (a pending command's timer does): when
      // node exits, stdin closes and tmux ends the client, which is exactly close().
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
      return true;
    }
    if (outcome === 'ready' && this.state === 'connecting') {
      await this.close();
      throw new TmuxCommandError(this.describe(), this.startupErrors.join('\n'), null, 'the monitor session could not be set up');
    }
    // Whatever failed first (the probe or the process), the process is ending: read its last words.
    if (!(await this.exitedWithin(this.closeTimeoutMs))) child.kill('SIGTERM');
    await this.exited;
    if (isNoServer(`${stderr}\n${this.exitReason}`)) return false;
    if (outcome instanceof TmuxMissingError) throw outcome;
    const said = [stderr.trim(), this.exitReason, ...this.startupErrors].filter((text) => text !== '').join('\n');
    throw new TmuxCommandError(this.describe(), said, child.exitCode, 'the control client exited at once');
  }

  /** Runs one tmux command (argv style, no ';' chaining) and returns its output block. */
  command(args: readonly string[]): Promise<CommandResult> {
    if (this.state !== 'ready' || this.closing) return Promise.reject(new ControlClientClosedError(this.state === 'closed' ? 'it exited' : 'not connected'));
    return this.send(args);
  }

  /** Every pane on the server except the monitor's, as Tmux.listPanes() reads them. */
  async listPanes(): Promise<PaneInfo[]> {
    const panes = await this.listPanesOnce();
    if (!panes.some(lacksExitStatus) || this.serverPid === null) return panes;
    // tmux 3.3a sometimes loses a pane's SIGCHLD (see Tmux.listPanes): one more SIGCHLD makes it reap.
    try {
      process.kill(this.serverPid, 'SIGCHLD');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    return this.listPanesOnce();
  }

  /**
   * The last `lines` lines of each named session's pane, as Tmux.capturePanes() returns them. One
   * command per pane, all written at once: a missing session fails alone, without aborting the others.
   */
  async capturePanes(names: readonly string[], lines: number): Promise<Map<string, string[]>> {
    const depth = Math.max(1, Math.floor(lines));
    const replies = await Promise.all(names.map((name) => this.command(['capture-pane', '-p', '-J', '-S', `-${depth}`, '-t', `=${checkName(name)}:`])));
    const captured = new Map<string, string[]>();
    replies.forEach((reply, index) => {
      const name = names[index] as string;
      if (reply.ok) captured.set(name, tailOfCapture(reply.lines, depth));
      else if (!isMissingTarget(reply.lines)) throw this.failure(['capture-pane', '-t', `=${name}:`], reply);
    });
    return captured;
  }

  /** Closes stdin (tmux's way to end a control client), waits for the exit; SIGTERM after a deadline. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.closing = true;
    child.stdin.end();
    if (await this.exitedWithin(this.closeTimeoutMs)) return;
    child.kill('SIGTERM');
    await this.exitedWithin(this.closeTimeoutMs);
  }

  private async listPanesOnce(): Promise<PaneInfo[]> {
    const argv = ['list-panes', '-a', '-F', PANE_LIST_FORMAT];
    const reply = await this.command(argv);
    if (!reply.ok) throw this.failure(argv, reply);
    return parsePaneList(reply.lines.join('\n')).filter((pane) => pane.session !== MONITOR_SESSION);
  }

  private spawnClient(): ChildProcessWithoutNullStreams {
    // One call: -N refuses to start a server; -A attaches when another dashboard made the monitor
    // already. The hook is set in the same command list, before the server reads the client again, so
    // even a client killed at once leaves no monitor without it. `cat` on the pane's own pty waits
    // forever at no cost, through /bin/sh whatever the user's default-shell is.
    const startup = [
      ['new-session', '-A', '-f', 'no-output', '-s', MONITOR_SESSION, '-x', '10', '-y', '2', '/bin/sh', '-c', 'exec cat'],
      // -t takes a pane target here: '=name' alone is "no such session", '=name:' is exact.
      ['set-hook', '-t', `=${MONITOR_SESSION}:`, 'client-detached', MONITOR_CLEANUP_HOOK],
    ];
    // -u as in tmux.ts: replies keep their tabs and UTF-8 whatever the locale says.
    const argv = ['-u', '-N', '-L', this.socket, '-f', '/dev/null', '-C', ...chainCommands(startup)];
    this.startupRepliesLeft = startup.length;
    this.startupWaiter = null;
    const child = spawn(this.binary, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: tmuxClientEnv() });
    this.child = child;
    this.closing = false;
    const parser = new ControlStreamParser();
    child.stdout.on('data', (chunk: Buffer) => {
      for (const event of parser.push(chunk)) if (this.child === child) this.dispatch(event);
    });
    // A write after tmux exited fails with EPIPE; the exit itself is reported by 'close'.
    child.stdin.on('error', () => undefined);
    // A failed spawn: 'close' still follows (measured on node 20), with code -2 for ENOENT.
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (this.child !== child) return;
      const failure = error.code === 'ENOENT' ? new TmuxMissingError(this.binary) : error;
      this.rejectAll(failure);
      this.startupWaiter?.reject(failure);
      this.startupWaiter = null;
    });
    this.exited = new Promise<void>((resolve) => {
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.child !== child) return resolve();
        this.finish(this.closing ? 'closed by muxctl' : `tmux control client exited (${signal ?? `code ${code}`})`);
        this.child = null;
        resolve();
      });
    });
    return child;
  }

  /**
   * Waits for the startup command list to finish, then sends a probe and waits for its reply. The probe
   * must wait: tmux starts reading a control client's stdin as soon as the client identifies itself,
   * so a line written at once can run BEFORE the startup list (measured on 3.3a, ~1 run in 5 when the
   * server had just started) and its reply would then be taken for the list's. Counting the list's
   * replies needs no trust in the flags field, which the man page calls "currently not used".
   */
  private async handshake(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      if (this.startupRepliesLeft === 0) resolve();
      else this.startupWaiter = { resolve, reject };
    });
    const nonce = `muxctl-ready-${randomBytes(6).toString('hex')}`;
    const reply = await this.send(['display-message', '-p', `${nonce} #{pid}`]);
    const [word, pid] = (reply.lines[0] ?? '').split(' ');
    if (!reply.ok || word !== nonce) throw new TmuxCommandError(this.describe(), reply.lines.join('\n'), null, 'unexpected handshake reply');
    this.serverPid = Number(pid) > 0 ? Number(pid) : null;
  }

  private send(args: readonly string[]): Promise<CommandResult> {
    const child = this.child;
    if (!child) return Promise.reject(new ControlClientClosedError('not connected'));
    const line = commandLine(args);
    return new Promise<CommandResult>((resolve, reject) => {
      const entry: Pending = { resolve, reject, abandoned: false, timer: null };
      entry.timer = setTimeout(() => {
        entry.abandoned = true;
        reject(new TmuxCommandError(['(control)', ...args], '', null, `no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.push(entry);
      child.stdin.write(`${line}\n`);
    });
  }

  private dispatch(event: ControlEvent): void {
    if (event.type === 'notification') {
      this.emit('notification', event);
      // %exit comes just before the process ends: the client is closed from here on.
      if (event.name === 'exit') this.exitReason = event.text;
      if (event.name === 'exit') this.finish(this.closing ? 'closed by muxctl' : event.text || 'the server or the monitor session went away (%exit)');
      return;
    }
    // A reply to the startup command list: not ours to answer, but a failure there is a setup error
    // (and the last reply, since tmux stops a command list at its first error).
    if (this.startupRepliesLeft > 0) {
      this.startupRepliesLeft = event.ok ? this.startupRepliesLeft - 1 : 0;
      if (!event.ok) this.startupErrors.push(...event.lines);
      if (this.startupRepliesLeft === 0) this.startupWaiter?.resolve();
      return;
    }
    const entry = this.pending.shift();
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    if (!entry.abandoned) entry.resolve({ ok: event.ok, lines: event.lines });
  }

  private rejectAll(error: Error): void {
    const pending = this.pending;
    this.pending = [];
    for (const entry of pending) {
      if (entry.timer) clearTimeout(entry.timer);
      if (!entry.abandoned) entry.reject(error);
    }
  }

  /**
   * The client is gone (%exit or the process ended), whatever the cause: fail what waits, and say so
   * once. The process itself is forgotten only when it has exited, so close() can still wait for it.
   */
  private finish(reason: string): void {
    const error = new ControlClientClosedError(reason);
    this.rejectAll(error);
    this.startupWaiter?.reject(error);
    this.startupWaiter = null;
    const wasOpen = this.state === 'ready';
    this.state = 'closed';
    this.startupRepliesLeft = 0;
    if (wasOpen) this.emit('closed', reason);
  }

  private async exitedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const done = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }

  private async checkVersion(): Promise<void> {
    const version = await Tmux.version(this.binary);
    if (!isVersionAtLeast(version, CONTROL_MODE_MIN_VERSION)) throw new ControlModeUnsupportedError(version.raw);
  }

  private describe(): string[] {
    return [this.binary, '-u', '-N', '-L', this.socket, '-f', '/dev/null', '-C', 'new-session', '-A', '-s', MONITOR_SESSION];
  }

  private failure(args: readonly string[], reply: CommandResult): TmuxCommandError {
    return new TmuxCommandError([this.binary, '-L', this.socket, '(control)', ...args], reply.lines.join('\n'));
  }
}

function checkName(name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new MuxctlError(`Invalid session name "${name}": use letters, digits, '_' and '-'.`);
  return name;
}
