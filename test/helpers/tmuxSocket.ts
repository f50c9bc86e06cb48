/**
 * Private tmux sockets for tests: each test file gets its own server, never the user's or another file's,
 * and kills only what it started.
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

let counter = 0;

/**
 * This process's environment without TMUX and TMUX_PANE: without this, a test run inside a muxctl
 * worker would talk to the enclosing tmux session.
 */
export function envOutsideTmux(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

/** Runs tmux on a test's private socket, outside any tmux the tests themselves run in; never throws. */
export function tmux(socket: string, ...args: string[]) {
  return execa('tmux', ['-L', socket, '-f', '/dev/null', ...args], { reject: false, stdin: 'ignore', env: envOutsideTmux(), extendEnv: false });
}

/**
 * The same, synchronously, for probes read in a polling loop; returns stdout and throws when tmux fails
 * (no server, no such session). `env` is the whole environment tmux gets (a new session inherits it).
 */
export function tmuxSync(socket: string, args: string[], env: NodeJS.ProcessEnv = envOutsideTmux()): string {
  return execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
}

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
  await killServerAndSocket(socket);
}

/** killTestServer without its guard: for a caller that made sure the socket is its own (test/helpers/demo.ts). */
export async function killServerAndSocket(socket: string): Promise<void> {
  const asked = await tmux(socket, 'display-message', '-p', '#{socket_path}');
  await tmux(socket, 'kill-server');
  const reported = asked.exitCode === 0 ? asked.stdout.trim() : '';
  const uid = process.getuid?.() ?? 0;
  const path = reported || join(process.env.TMUX_TMPDIR || tmpdir(), `tmux-${uid}`, socket);
  if (basename(path) === socket) await rm(path, { force: true });
}
