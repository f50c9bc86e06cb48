/**
 * Waiting for text on a worker's screen: how a paste (a task's prompt, a message) is known to have
 * arrived. tmux says a paste was sent, not that the agent's line editor took it, so only the screen
 * says "delivered".
 */
import type { Tmux } from '../adapters/tmux.js';

/** History and screen lines read: a long prompt wraps, and the agent may redraw above it. */
const SCREEN_LINES = 200;

export interface ScreenWait {
  /** How long to keep looking after the first look (0: one look). */
  withinMs: number;
  pollMs: number;
  now: () => number;
}

/** The worker's last SCREEN_LINES lines as one text ('' when its session is gone). */
export async function screenText(tmux: Pick<Tmux, 'capturePanes'>, worker: string, lines = SCREEN_LINES): Promise<string> {
  return ((await tmux.capturePanes([worker], lines)).get(worker) ?? []).join('\n');
}

/** Whether `text` (trimmed; '' always shows) is on the worker's screen, looking until `withinMs` has passed. */
export async function screenShows(tmux: Pick<Tmux, 'capturePanes'>, worker: string, text: string, { withinMs, pollMs, now }: ScreenWait): Promise<boolean> {
  const needle = text.trim();
  const deadline = now() + withinMs;
  for (;;) {
    if (needle === '' || (await screenText(tmux, worker)).includes(needle)) return true;
    if (now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
