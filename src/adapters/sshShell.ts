/**
 * One long-lived `sh` on a host, over its shared ssh connection, for the calls the dashboard makes
 * every second there (its pane list, the screens that moved, the look at its log files). A channel per
 * call costs the host's sshd a session each time: measured on loopback, ~160 ms of the host's CPU a
 * call, 35% of a core for two idle hosts. Through one shell a call costs the host what it costs here:
 * the program itself.
 *
 * Commands run one at a time. Each is an argv quoted into one line (shellQuote), its stdin /dev/null
 * so it never reads the channel, followed by a marker with a fresh nonce on stdout (with the exit
 * status) and on stderr, which is how muxctl knows where its output ends. A command past its timeout
 * ends the shell; the next call starts another.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { shellQuote } from '../core/rules/names.js';
import { asProgramResult, lastLines, remoteProgram, SshError, type RemoteResult, type SshHost } from './ssh.js';
import { withoutFinalNewline, type ProgramRunner } from './program.js';

interface Waiting {
  nonce: string;
  resolve: (result: RemoteResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class SshShell {
  private child: ChildProcessWithoutNullStreams | null = null;
  private out = '';
  private err = '';
  private waiting: Waiting | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** What the shell's ssh said last on its own (before a marker): its words when the connection ends. */
  private closedWith = '';

  constructor(private readonly ssh: SshHost) {}

  /** Runs `remote` in the shell; ssh's failure (or the shell ending) as SshError, like SshHost.run. */
  run(remote: readonly string[], options: { timeoutMs?: number } = {}): Promise<RemoteResult> {
    const turn = this.queue.catch(() => {}).then(() => this.runNow(remote, options.timeoutMs ?? 15_000));
    this.queue = turn;
    return turn;
  }

  /** A ProgramRunner over the shell (the same contract as SshHost.program()); a call with input goes over its own channel. */
  program(): ProgramRunner {
    const own = this.ssh.program();
    return async (file, args, options) => {
      if (options.input !== undefined) return own(file, args, options);
      const result = await this.run(remoteProgram(file, args, options.env), options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
      return asProgramResult(result);
    };
  }

  close(): void {
    this.child?.stdin.end();
    this.child = null;
  }

  private async runNow(remote: readonly string[], timeoutMs: number): Promise<RemoteResult> {
    const child = await this.ensure();
    const nonce = `--muxctl-${randomBytes(8).toString('hex')}--`;
    return new Promise<RemoteResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        this.end(child);
        reject(new SshError(this.ssh.target.name, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = { nonce, resolve, reject, timer };
      // Quoted, not exec'd (shellCommand would replace the shell): the shell lives on for the next command.
      child.stdin.write(`${remote.map(shellQuote).join(' ')} </dev/null; printf '\\n%s %s\\n' '${nonce}' "$?"; printf '\\n%s\\n' '${nonce}' >&2\n`);
      this.settle();
    });
  }

  private async ensure(): Promise<ChildProcessWithoutNullStreams> {
    if (this.child !== null && this.child.exitCode === null) return this.child;
    // A shell that ended (or none yet): the master may have ended with it, and a channel opened without
    // one would be a login of its own, and so would every call after it.
    await this.ssh.connect(true);
    const [file = 'ssh', ...args] = this.ssh.argv(['sh']);
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.out = '';
    this.err = '';
    this.closedWith = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      if (this.child !== child) return;
      this.out += text;
      this.settle();
    });
    child.stderr.on('data', (text: string) => {
      if (this.child !== child) return;
      this.err += text;
      if (this.waiting === null) this.closedWith = (this.closedWith + text).slice(-2000);
      this.settle();
    });
    child.on('error', () => {});
    // A write racing the shell's end fails with EPIPE; the call it carried fails through 'close'.
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      if (this.child === child) this.child = null;
      const waiting = this.waiting;
      if (waiting === null) return;
      this.waiting = null;
      clearTimeout(waiting.timer);
      const said = lastLines(`${this.closedWith}${this.err}`);
      waiting.reject(new SshError(this.ssh.target.name, said || `the connection ended (ssh exited ${code ?? 'on a signal'})`));
    });
    // A dashboard's shell must never keep a finished command alive: node's exit closes its stdin.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    return child;
  }

  /** Hands the waiting command its result once both markers are in. */
  private settle(): void {
    const waiting = this.waiting;
    if (waiting === null) return;
    const outMark = new RegExp(`\\n${waiting.nonce} (\\d+)\\n`);
    const found = outMark.exec(this.out);
    const errAt = this.err.indexOf(`\n${waiting.nonce}\n`);
    if (found === null || errAt === -1) return;
    const stdout = withoutFinalNewline(this.out.slice(0, found.index));
    const stderr = withoutFinalNewline(this.err.slice(0, errAt));
    this.out = this.out.slice(found.index + found[0].length);
    this.err = this.err.slice(errAt + waiting.nonce.length + 2);
    this.waiting = null;
    clearTimeout(waiting.timer);
    waiting.resolve({ stdout, stderr, all: stdout + stderr, exitCode: Number(found[1]), missing: false, timedOut: false });
  }

  private end(child: ChildProcessWithoutNullStreams): void {
    if (this.child === child) this.child = null;
    child.kill('SIGTERM');
  }
}
