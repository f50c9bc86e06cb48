/**
 * Commands on another machine through the system's own `ssh`: the person's ~/.ssh/config, agent and
 * known_hosts apply, and nothing of ours listens on a port. One multiplexed connection per host (a
 * ControlMaster whose socket sits in a private 0700 directory) carries every command, so a call after
 * the first costs a local process and a channel, not a handshake.
 *
 * Remote commands are argv arrays. ssh hands the remote side one shell line, so every argument is
 * single-quoted into it (core/rules/names.ts shellQuote): a task title with `$(…)` or `;` in it is text
 * on the host, never a command. The remote login shell must be a POSIX sh (bash, dash, zsh).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MuxctlError } from '../core/errors.js';
import { shellCommand, shellQuote } from '../core/rules/names.js';
import { withLockFile } from './lockFile.js';
import { runProgram, type ProgramResult, type ProgramRunner } from './program.js';

/** How to reach one host, as `hosts.<name>` in sessions.json says. */
export interface SshTarget {
  /** The host's name in the config, for messages. */
  name: string;
  /** What ssh is given as its destination: `user@host` or a Host alias from ~/.ssh/config. */
  destination: string;
  port?: number;
  identityFile?: string;
  /** Given to every ssh call as written (a jump host, a known_hosts file). */
  sshArgs?: readonly string[];
}

export const SSH_INSTALL_HINT = 'Install the OpenSSH client: sudo apt-get install openssh-client (Debian/Ubuntu); macOS has it.';

/** ssh itself failed (exit 255): the host is unreachable, refused the key, or its host key changed. */
export class SshError extends MuxctlError {
  constructor(
    readonly host: string,
    readonly said: string,
  ) {
    super(`host ${host}: ssh failed: ${said}`);
  }
}

/** How long a connection may take to come up before ssh gives up (it answers 255 then). */
const CONNECT_TIMEOUT_S = 10;
/** The master outlives the process that opened it this long, so one CLI command after another reuses it. */
const PERSIST_S = 120;

/**
 * The private directory the control sockets live in: a socket there is a logged-in shell on the host
 * for whoever can open it, so it must be ours and closed to everyone else.
 */
export function sshControlDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_RUNTIME_DIR ?? env.TMPDIR ?? tmpdir();
  const dir = join(base, `muxctl-ssh-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (process.getuid !== undefined && stat.uid !== process.getuid())) {
    throw new MuxctlError(`${dir} is not a directory of yours: muxctl keeps its ssh control sockets there. Remove it and try again.`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

export interface RemoteResult extends ProgramResult {
  /** Always a number: the remote command's exit status (ssh's own failures throw SshError). */
  exitCode: number;
}

export class SshHost {
  private readonly controlPath: string;
  private readonly logFile: string;
  private master: Promise<void> | null = null;

  constructor(
    readonly target: SshTarget,
    controlDir: string = sshControlDir(),
  ) {
    // One master per host entry and its settings: two entries for one machine (two clones there) never
    // share one, so closing one never cuts the other. A hash keeps the socket path short (≤ 104 bytes).
    this.controlPath = join(controlDir, createHash('sha256').update(JSON.stringify(target)).digest('hex').slice(0, 16));
    this.logFile = join(controlDir, `${target.name}.log`);
  }

  /** The options every call shares: never a prompt, the same control socket, the person's own arguments last. */
  private options(): string[] {
    const { port, identityFile, sshArgs = [] } = this.target;
    return [
      '-o', 'BatchMode=yes',
      '-o', `ConnectTimeout=${CONNECT_TIMEOUT_S}`,
      '-o', 'ServerAliveInterval=5',
      '-o', 'ServerAliveCountMax=3',
      '-o', `ControlPath=${this.controlPath}`,
      ...(port === undefined ? [] : ['-p', String(port)]),
      ...(identityFile === undefined ? [] : ['-i', expandHome(identityFile), '-o', 'IdentitiesOnly=yes']),
      ...sshArgs,
    ];
  }

  /**
   * The argv that runs `remote` on the host over the shared connection. `tty` asks for a terminal (an
   * attach); commands whose output is read get none, so nothing on the host thinks a person is there.
   */
  argv(remote: readonly string[], { tty = false }: { tty?: boolean } = {}): string[] {
    return ['ssh', ...this.options(), '-o', 'ControlMaster=no', tty ? '-tt' : '-T', this.target.destination, '--', shellCommand(remote)];
  }

  /**
   * How this machine's git reaches the clone at `path` on the host: an scp-like address, and an ssh
   * command for GIT_SSH_COMMAND that rides the shared connection (opened first), so a push or a fetch
   * costs a channel, not a login, and never prompts.
   */
  async gitRemote(path: string): Promise<{ url: string; env: Record<string, string> }> {
    await this.connect();
    const command = ['ssh', ...this.options(), '-o', 'ControlMaster=no'].map(shellQuote).join(' ');
    return { url: `${this.target.destination}:${path}`, env: { GIT_SSH_COMMAND: command, GIT_SSH_VARIANT: 'ssh' } };
  }

  /**
   * Opens the shared connection unless it is up; a refused key or a changed host key throws SshError.
   * `recheck`: ask the control socket again (a caller whose channel ended may have lost the master with it).
   */
  connect(recheck = false): Promise<void> {
    if (recheck) this.master = null;
    this.master ??= this.openMaster().catch((error: unknown) => {
      this.master = null;
      throw error;
    });
    return this.master;
  }

  /** Runs `remote` on the host; its exit status comes back as is, ssh's own failure as SshError. */
  async run(remote: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RemoteResult> {
    await this.connect();
    const [file = 'ssh', ...args] = this.argv(remote);
    const result = await runProgram(file, args, { env: sshEnv(), ...options });
    if (result.missing) throw new MuxctlError(`ssh was not found on PATH. ${SSH_INSTALL_HINT}`);
    if (result.exitCode === 255 || result.exitCode === undefined) {
      // The master may have died with the connection: the next call opens a new one.
      this.master = null;
      throw new SshError(this.target.name, lastLines(result.stderr) || (result.timedOut ? 'timed out' : 'the connection ended'));
    }
    return { ...result, exitCode: result.exitCode };
  }

  /**
   * A ProgramRunner whose programs run on the host (for the tmux adapter). The local environment is not
   * the host's, so only what a caller sets on purpose goes over: PATH when it differs from this
   * machine's (tmux gives new panes its client's PATH); TMUX and TMUX_PANE are unset there, as here.
   * ssh's own failures throw SshError; a program missing there exits 127 and counts as missing.
   */
  program(): ProgramRunner {
    return async (file, args, options) => {
      const result = await this.run(remoteProgram(file, args, options.env), {
        ...(options.input === undefined ? {} : { input: options.input }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
      return asProgramResult(result);
    };
  }

  /** Ends the shared connection (its channels end with it). */
  async close(): Promise<void> {
    this.master = null;
    await this.control('exit');
  }

  /** Asks the master on the control socket (`ssh -O check|exit`); exit 0 when one answered. */
  private async control(op: 'check' | 'exit'): Promise<number | undefined> {
    return (await runProgram('ssh', [...this.options(), '-O', op, this.target.destination], { env: sshEnv(), timeoutMs: 5_000 })).exitCode;
  }

  /** A master for this entry answers on the control socket. */
  private async masterUp(): Promise<boolean> {
    return (await this.control('check')) === 0;
  }

  private async openMaster(): Promise<void> {
    if (await this.masterUp()) return;
    // Two ssh processes starting a master on one socket at once both log in, and the second, finding
    // the socket taken, stays up as a plain connection nobody can close: one starter at a time.
    await withLockFile(
      `${this.controlPath}.lock`,
      async () => {
        if (!(await this.masterUp())) await this.startMaster();
      },
      { waitMs: START_LOCK_WAIT_MS, busy: () => new SshError(this.target.name, `another muxctl has been logging in for ${START_LOCK_WAIT_MS / 1000} s`) },
    );
  }

  private async startMaster(): Promise<void> {
    // -f: ssh goes to the background once logged in, so its exit says whether it got in. Its stdio is
    // /dev/null and its messages go to a log file (-E): a backgrounded master holding our pipes open
    // would keep every caller waiting for them to close.
    const start = ['-E', this.logFile, ...this.options(), '-o', 'ControlMaster=auto', '-o', `ControlPersist=${PERSIST_S}`, '-f', '-N', this.target.destination];
    // -E appends: start each attempt on an empty log, so its last lines are this attempt's.
    writeFileSync(this.logFile, '', { mode: 0o600 });
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('ssh', start, { stdio: 'ignore', env: sshEnv() });
      child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new MuxctlError(`ssh was not found on PATH. ${SSH_INSTALL_HINT}`) : error));
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0) throw new SshError(this.target.name, lastLines(readLog(this.logFile)) || `ssh exited ${code ?? 'on a signal'}`);
  }
}

/**
 * The argv that runs `file` on a host as a ProgramRunner call asks: the local environment is not the
 * host's, so only PATH goes over, when it differs from this machine's (tmux gives new panes its
 * client's PATH); TMUX and TMUX_PANE are unset there, as here.
 */
export function remoteProgram(file: string, args: readonly string[], env: Readonly<Record<string, string>>): string[] {
  const path = env.PATH !== undefined && env.PATH !== process.env.PATH ? [`PATH=${env.PATH}`] : [];
  return ['env', '-u', 'TMUX', '-u', 'TMUX_PANE', ...path, file, ...args];
}

/** Longer than a master takes to log in (ConnectTimeout), so a live starter is never taken over. */
const START_LOCK_WAIT_MS = (CONNECT_TIMEOUT_S + 5) * 1000;

/** ssh's environment: the person's own (its agent socket, HOME), never a terminal it could prompt on. */
function sshEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'DISPLAY' && key !== 'SSH_ASKPASS') env[key] = value;
  return env;
}

function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A remote call's result as a ProgramRunner's: a program missing there exits 127 with sh's words. */
export function asProgramResult(result: RemoteResult): ProgramResult {
  return { ...result, missing: result.exitCode === 127 && /No such file|not found/.test(result.stderr) };
}

/** What ssh said last, which is what a person needs ("Permission denied (publickey).", "Host key verification failed."). */
export function lastLines(text: string, count = 3): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('debug'))
    .slice(-count)
    .join(' · ');
}
