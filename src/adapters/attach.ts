/**
 * Hands the person's terminal to a worker's tmux session through a pseudo-terminal, and gives it back.
 * muxctl, not tmux, owns the detach key (Ctrl-Q): when muxctl runs inside the person's own tmux with the
 * same prefix, the outer tmux would swallow the inner one's prefix key (STACK.md trap 5).
 */
import type pty from 'node-pty';
import { loadNative } from './nativeModule.js';

/** Ctrl-Q. It is XON: it only arrives in raw mode, and node-pty's flow control must stay off. */
export const DETACH_BYTE = 0x11;

/** What a dying tmux client cannot undo itself: alternate screen, hidden cursor, mouse, paste and focus modes. */
const RESTORE_TERMINAL = '\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[?1004l\x1b[0m';

export interface AttachOptions {
  /** argv of the attach command, e.g. ['tmux', '-L', sock, 'attach-session', '-t', '=w1']. */
  argv: string[];
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  /**
   * Detaches the tmux client whose terminal is `ttyName` (the pty's slave side). Absent (an attach over
   * ssh: the client's terminal is the host's), the attach command is ended, and its client with it.
   */
  detach?: (ttyName: string) => Promise<void>;
}

export function attachInPty(options: AttachOptions): Promise<{ exitCode: number }> {
  const { stdin, stdout } = options;
  const [file, ...args] = options.argv;
  if (!file) throw new Error('attach: empty command');

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  // A tmux client started inside tmux refuses to nest unless these are gone.
  delete env.TMUX;
  delete env.TMUX_PANE;
  env.TERM = env.TERM && env.TERM !== 'dumb' ? env.TERM : 'xterm-256color';

  const child = loadNative<typeof pty>('node-pty').spawn(file, args, {
    name: env.TERM,
    cols: stdout.columns || 80,
    rows: stdout.rows || 24,
    cwd: process.cwd(),
    env,
  });
  const ttyName = (child as unknown as { ptsName?: string }).ptsName;

  return new Promise((resolve) => {
    let detaching = false;
    const onInput = (chunk: Buffer | string): void => {
      // After Ink unmounts, stdin may still decode as utf8 (STACK.md trap 4): look at bytes, always.
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, 'utf8');
      const at = bytes.indexOf(DETACH_BYTE);
      if (at === -1) {
        child.write(bytes.toString('utf8'));
        return;
      }
      if (at > 0) child.write(bytes.subarray(0, at).toString('utf8'));
      if (detaching) return;
      detaching = true;
      const fallback = (): void => child.kill();
      if (ttyName !== undefined && options.detach !== undefined) options.detach(ttyName).catch(fallback);
      else fallback();
    };
    const onResize = (): void => child.resize(stdout.columns || 80, stdout.rows || 24);
    const output = child.onData((data) => stdout.write(data));

    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onInput);
    stdin.resume();
    stdout.on('resize', onResize);

    child.onExit(({ exitCode }) => {
      output.dispose();
      stdin.off('data', onInput);
      stdout.off('resize', onResize);
      stdin.pause();
      stdout.write(RESTORE_TERMINAL);
      resolve({ exitCode });
    });
  });
}
