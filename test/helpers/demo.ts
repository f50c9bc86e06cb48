/**
 * `muxctl demo` run by a test in a private directory (MUXCTL_DEMO_DIR): the tmux socket src/cli/demo.ts
 * derives from that directory, and a cleanup that kills that server and no other.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { killServerAndSocket } from './tmuxSocket.js';

/** The socket `muxctl demo` wrote into its own sessions.json in `root`; null before it did. */
export function demoSocket(root: string): string | null {
  const file = join(root, 'repo', 'sessions.json');
  if (!existsSync(file)) return null;
  const socket = (JSON.parse(readFileSync(file, 'utf8')) as { tmuxSocket?: unknown }).tmuxSocket;
  // Only the socket demo.ts derives from this very directory: never another server.
  const expected = `muxctl-demo-${createHash('sha1').update(root).digest('hex').slice(0, 8)}`;
  return socket === expected ? expected : null;
}

/** Kills the demo's tmux server in `root`, if it made one, and removes its socket file. */
export async function killDemoServer(root: string): Promise<void> {
  const socket = demoSocket(root);
  if (socket !== null) await killServerAndSocket(socket);
}
