/**
 * tmux control mode (`tmux -C`), the pure half: an incremental parser of the client's stdout and the
 * quoting of command lines written to its stdin. The adapter (src/adapters/tmuxControl.ts) owns the
 * process; everything here is text in, text out, so every odd stream can be unit-tested.
 *
 * The stream (tmux 3.3a, measured): every command produces exactly ONE output block,
 *
 *     %begin <time> <number> <flags>
 *     …output lines, verbatim (a captured pane may print anything, even "%end …")…
 *     %end <time> <number> <flags>        or  %error <time> <number> <flags>
 *
 * with the same three numbers on the closing line, and notifications ("%window-add @1", "%exit", …)
 * only between blocks. A command LIST ("a ; b") produces one block per command that ran, and stops at
 * the first error, so callers must send one command per line to keep a FIFO of replies in step.
 */
import { MuxctlError } from '../errors.js';

/**
 * The hidden session a control client attaches to. Worker names must start with a letter or digit
 * (WORKER_NAME_PATTERN in names.ts), so a leading underscore can never collide with a worker's session;
 * it carries no @muxctl_worker tag, and the control client filters it out of its pane listings.
 */
export const MONITOR_SESSION = '_muxctl_monitor';

/** One output block: the answer to one command. */
export interface ControlReply {
  type: 'reply';
  /** Server time (epoch seconds) when the command started. */
  time: number;
  /** The server's command number (a server-wide counter, not per client). */
  number: number;
  /** 1 for commands read from the control client's stdin, 0 for the client's own startup commands. */
  flags: number;
  /** false when the block ended with %error (its lines are then the error message). */
  ok: boolean;
  lines: string[];
}

/** A line starting with '%' outside a block, e.g. `%exit server exited`. */
export interface ControlNotification {
  type: 'notification';
  /** Without the '%': "exit", "output", "session-changed", … */
  name: string;
  /** The rest of the line split on single spaces (a value with spaces spans several). */
  args: string[];
  /** The rest of the line after "%name ", unsplit ("" when there is none). */
  text: string;
}

export type ControlEvent = ControlReply | ControlNotification;

interface OpenBlock {
  guard: string;
  time: number;
  number: number;
  flags: number;
  lines: string[];
}

const BEGIN = /^%begin (\d+) (\d+) (\d+)$/;
const NOTIFICATION = /^%([a-z][a-z-]*)(?: (.*))?$/;

/**
 * Feed it stdout chunks as they come (split anywhere: inside a line, inside a UTF-8 character); it
 * returns the complete events each chunk finished. Never throws on odd input: a line it cannot place
 * outside a block is dropped, since the only promise tmux makes there is "notifications".
 */
export class ControlStreamParser {
  private readonly decoder = new TextDecoder('utf-8');
  private partial = '';
  private block: OpenBlock | null = null;

  push(chunk: Uint8Array | string): ControlEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    const events: ControlEvent[] = [];
    for (const line of lines) {
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** True while a %begin has been read but not its %end/%error. */
  get inBlock(): boolean {
    return this.block !== null;
  }

  private line(line: string): ControlEvent | null {
    const block = this.block;
    if (block) {
      // Only the exact closing guard ends a block: output lines are not escaped, so a pane that
      // prints "%end" must not cut the reply short. A forgery would need the server's command number.
      if (line === `%end ${block.guard}` || line === `%error ${block.guard}`) {
        this.block = null;
        const { time, number, flags, lines } = block;
        return { type: 'reply', time, number, flags, ok: line.startsWith('%end'), lines };
      }
      block.lines.push(line);
      return null;
    }
    const begin = BEGIN.exec(line);
    if (begin) {
      const [, time = '0', number = '0', flags = '0'] = begin;
      this.block = { guard: `${time} ${number} ${flags}`, time: Number(time), number: Number(number), flags: Number(flags), lines: [] };
      return null;
    }
    const notification = NOTIFICATION.exec(line);
    if (!notification) return null;
    const [, name = '', text = ''] = notification;
    return { type: 'notification', name, args: text === '' ? [] : text.split(' '), text };
  }
}

/**
 * Decodes a %output / %extended-output value: tmux writes bytes below 0x20 and the backslash as octal
 * `\ooo`; everything else (UTF-8 included) is passed through.
 */
export function decodeOutputValue(value: string): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let index = 0; index < value.length; ) {
    const octal = /^\\([0-7]{3})/.exec(value.slice(index, index + 4));
    if (octal?.[1]) {
      bytes.push(parseInt(octal[1], 8) & 0xff);
      index += 4;
      continue;
    }
    const codePoint = value.codePointAt(index) ?? 0;
    const char = String.fromCodePoint(codePoint);
    bytes.push(...encoder.encode(char));
    index += char.length;
  }
  return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
}

/** Why a command cannot be written to a control client. */
export class ControlCommandError extends MuxctlError {}

const COMMAND_NAME = /^[a-z][a-z-]*$/;

/**
 * Quotes one argument for tmux's command parser (cmd-parse.y), which is what reads control-mode stdin.
 * Single quotes keep everything literal — ';', '#', '$', '~', '{', '\' — where double quotes would
 * still expand `~` at the start (measured: "~" became the home directory). A quote itself and control
 * characters (a newline would end the command line) go in double quotes as octal escapes; adjacent
 * quoted pieces join into one argument, as in sh.
 */
export function quoteArgument(arg: string): string {
  if (arg.includes('\0')) throw new ControlCommandError('A tmux command argument cannot contain a NUL byte.');
  if (arg === '') return "''";
  let quoted = '';
  let run = '';
  for (const char of arg) {
    const code = char.codePointAt(0) ?? 0;
    if (char === "'" || code < 0x20 || code === 0x7f) {
      if (run !== '') quoted += `'${run}'`;
      run = '';
      quoted += char === "'" ? `"'"` : `"\\${code.toString(8).padStart(3, '0')}"`;
    } else {
      run += char;
    }
  }
  if (run !== '') quoted += `'${run}'`;
  return quoted;
}

/**
 * One command as one stdin line (without the newline). The command name is checked rather than quoted:
 * it comes from muxctl's code, and a bare word there is all tmux accepts. Every argument is quoted, so
 * an argument can never start a second command (';') — one line, one reply.
 */
export function commandLine(args: readonly string[]): string {
  const [name, ...rest] = args;
  if (name === undefined || !COMMAND_NAME.test(name)) {
    throw new ControlCommandError(`Not a tmux command name: ${JSON.stringify(name ?? '')}.`);
  }
  return [name, ...rest.map(quoteArgument)].join(' ');
}
