/**
 * End-to-end harness: runs a program in a real pseudo-terminal (node-pty) and reads its screen the way a
 * person sees it, through a headless xterm — not the raw byte stream, where cursor moves and redraws
 * make text appear that is not on the screen, or hide text that is.
 *
 *   const screen = spawnInPty('node', ['bin/muxctl.js'], { cols: 100, rows: 30 });
 *   afterEach(disposeAllPtys);
 *   await screen.waitForText('muxctl');
 *   screen.write(keys.down + keys.enter);
 */
import { closeSync, constants, openSync } from 'node:fs';
import * as pty from 'node-pty';
import xterm from '@xterm/headless';
import type { Terminal as HeadlessTerminal } from '@xterm/headless';

// @xterm/headless is CommonJS: its classes come off the default export.
const { Terminal } = xterm;

export interface WaitOptions {
  /** @default 10000 */
  timeoutMs?: number;
  /** What the test is waiting for, in words, for the timeout message. */
  what?: string;
}

export interface PtyExit {
  exitCode: number;
  signal?: number;
}

export interface PtyScreen {
  /** The visible screen (viewport), each line right-trimmed, joined with \n, trailing blank lines dropped. */
  text(): string;
  /** Every row of the viewport, right-trimmed (always `rows` entries). */
  lines(): string[];
  /** Polls the screen until `needle` is on it; on timeout throws with the current screen. */
  waitForText(needle: string | RegExp, opts?: WaitOptions): Promise<void>;
  waitForNoText(needle: string | RegExp, opts?: WaitOptions): Promise<void>;
  /** Raw input, as keys: see `keys`. */
  write(data: string): void;
  resize(cols: number, rows: number): void;
  waitForExit(timeoutMs?: number): Promise<PtyExit>;
  /** Sends a signal to the process (default SIGTERM); does nothing once it has exited. */
  kill(signal?: string): void;
  /** Kills the process if it still runs and frees the pty and the terminal. Safe to call twice. */
  dispose(): void;
  /** Everything the process wrote (raw, with escapes), for debugging. */
  readonly output: string;
  readonly pid: number;
}

export interface SpawnOptions {
  cwd?: string;
  /** Added to the minimal environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** @default 100 */
  cols?: number;
  /** @default 30 */
  rows?: number;
}

export const keys = {
  enter: '\r', escape: '\x1b', up: '\x1b[A', down: '\x1b[B', right: '\x1b[C', left: '\x1b[D',
  ctrlC: '\x03', ctrlQ: '\x11', ctrlB: '\x02',
} as const;

const DEFAULT_TIMEOUT_MS = 10_000;
const POLL_MS = 20;

const live = new Set<PtyScreen>();

/** Disposes every pty this process still has: use as `afterEach(disposeAllPtys)`. */
export function disposeAllPtys(): void {
  for (const screen of live) screen.dispose();
}

/**
 * A minimal, predictable environment: the developer's shell settings (and a surrounding tmux's TMUX,
 * which makes tmux refuse to nest) must not leak into what the test sees. TMPDIR and TMUX_TMPDIR are
 * kept because they decide where tmux puts its sockets: the tmux inside the pty and the test's own
 * `tmux -L <socket>` calls must find the same server.
 */
export function ptyEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    TMPDIR: process.env['TMPDIR'],
    TMUX_TMPDIR: process.env['TMUX_TMPDIR'],
    ...extra,
  };
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) clean[name] = value;
  return clean;
}

function matcher(needle: string | RegExp): (text: string) => boolean {
  if (typeof needle === 'string') return (text) => text.includes(needle);
  // A /g or /y regex remembers lastIndex between calls; a copy without those flags does not.
  const regex = new RegExp(needle.source, needle.flags.replace(/[gy]/g, ''));
  return (text) => regex.test(text);
}

function describeNeedle(needle: string | RegExp): string {
  return typeof needle === 'string' ? JSON.stringify(needle) : String(needle);
}

function readViewport(term: HeadlessTerminal): string[] {
  const buffer = term.buffer.active;
  const rows: string[] = [];
  for (let y = buffer.viewportY; y < buffer.viewportY + term.rows; y++) {
    rows.push(buffer.getLine(y)?.translateToString(true).trimEnd() ?? '');
  }
  return rows;
}

export function spawnInPty(file: string, args: string[], opts: SpawnOptions = {}): PtyScreen {
  const cols = opts.cols ?? 100;
  const rows = opts.rows ?? 30;
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
  const child = pty.spawn(file, args, {
    name: 'xterm-256color', cols, rows, cwd: opts.cwd ?? process.cwd(), env: ptyEnv(opts.env),
    // Flow control off: with it on, node-pty swallows Ctrl-Q (XON) and Ctrl-S, keys the tests must send.
    handleFlowControl: false,
  });

  // Linux drops a program's last output when it exits before the master side has read it (node-pty
  // issues #72, #726: here 2 of 3 runs of a 20 KB `echo` lost data). Holding the slave side open
  // ourselves means the child's exit is no hangup, so the reader drains everything; node-pty then
  // reports the exit after its 200 ms socket timeout. ptsName is real but missing from the typings.
  const ptsName = (child as pty.IPty & { ptsName?: string }).ptsName;
  let slaveFd: number | undefined = ptsName ? openSync(ptsName, constants.O_RDWR | constants.O_NOCTTY) : undefined;
  const releaseSlave = () => {
    if (slaveFd !== undefined) closeSync(slaveFd);
    slaveFd = undefined;
  };

  let output = '';
  let pendingWrites = 0;
  let exit: PtyExit | undefined;
  let disposed = false;
  const exited = new Promise<PtyExit>((resolveExit) => {
    child.onExit(({ exitCode, signal }) => {
      releaseSlave();
      exit = signal ? { exitCode, signal } : { exitCode };
      resolveExit(exit);
    });
  });
  child.onData((data) => {
    output += data;
    if (disposed) return;
    pendingWrites++;
    // xterm parses asynchronously; the counter says when the screen has caught up with the output.
    term.write(data, () => pendingWrites--);
  });

  const text = () => readViewport(term).join('\n').trimEnd();
  const describeScreen = () =>
    `--- screen (${term.cols}x${term.rows})${exit ? `, process exited with code ${exit.exitCode}${exit.signal ? ` signal ${exit.signal}` : ''}` : ''} ---\n${text()}\n--- end of screen ---`;

  async function waitFor(present: boolean, needle: string | RegExp, waitOpts: WaitOptions): Promise<void> {
    const timeoutMs = waitOpts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const matches = matcher(needle);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (matches(text()) === present) return;
      // Once the process is gone and its last bytes are parsed, the screen cannot change: fail now.
      const settled = exit !== undefined && pendingWrites === 0;
      if (settled || Date.now() >= deadline) {
        const goal = waitOpts.what ?? `${present ? '' : 'no '}${describeNeedle(needle)} on the screen`;
        const why = settled ? 'the process exited first' : `timed out after ${timeoutMs} ms`;
        throw new Error(`Waiting for ${goal}: ${why}.\n${describeScreen()}`);
      }
      await new Promise((resolveTick) => setTimeout(resolveTick, POLL_MS));
    }
  }

  const screen: PtyScreen = {
    text,
    lines: () => readViewport(term),
    waitForText: (needle, waitOpts = {}) => waitFor(true, needle, waitOpts),
    waitForNoText: (needle, waitOpts = {}) => waitFor(false, needle, waitOpts),
    write: (data) => child.write(data),
    resize(newCols, newRows) {
      // The terminal first, so the redraw that SIGWINCH provokes lands on a screen of the new size.
      term.resize(newCols, newRows);
      child.resize(newCols, newRows);
    },
    async waitForExit(timeoutMs = DEFAULT_TIMEOUT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Waiting for the process to exit: timed out after ${timeoutMs} ms.\n${describeScreen()}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    kill(signal = 'SIGTERM') {
      if (exit === undefined) child.kill(signal);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      live.delete(screen);
      if (exit === undefined) child.kill('SIGKILL');
      releaseSlave();
      // destroy() (real, but missing from node-pty's typings) closes our end of the pty, so a grandchild
      // that still holds the other end cannot keep the test process alive.
      (child as pty.IPty & { destroy?: () => void }).destroy?.();
      term.dispose();
    },
    get output() {
      return output;
    },
    pid: child.pid,
  };
  live.add(screen);
  return screen;
}
