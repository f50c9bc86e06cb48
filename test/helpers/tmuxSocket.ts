/**
 * Private tmux sockets for tests: each test file gets its own server, never the user's or another file's,
 * and kills only what it started.
 */
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

let counter = 0;

/** A socket name unique to this process and call, e.g. "muxctl-test-tmux-4242-1". */
export function testSocket(label: string): string {
  counter += 1;
  const safeLabel = label.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 24);
  return `muxctl-test-${safeLabel}-${process.pid}-${counter}`;
}

/**
 * Kills the server on `socket` (only that one; no server is fine) and removes its socket file, which
 * tmux 3.3a leaves behind in /tmp/tmux-<uid>/ after kill-server.
 */
export async function killTestServer(socket: string): Promise<void> {
  if (!socket.startsWith('muxctl-test-')) throw new Error(`Refusing to kill a non-test tmux server: ${socket}`);
  const env = { ...process.env };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const tmux = (...args: string[]) =>
    execa('tmux', ['-L', socket, '-f', '/dev/null', ...args], { reject: false, stdin: 'ignore', env, extendEnv: false });
  const asked = await tmux('display-message', '-p', '#{socket_path}');
  await tmux('kill-server');
  const reported = asked.exitCode === 0 ? asked.stdout.trim() : '';
  const uid = process.getuid?.() ?? 0;
  const path = reported || join(env.TMUX_TMPDIR || tmpdir(), `tmux-${uid}`, socket);
  if (basename(path) === socket) await rm(path, { force: true });
}
