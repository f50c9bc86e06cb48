/** What the supervisor reports of each worker and of each action: plain data, shared by every layer. */
import type { Health } from './health.js';

export interface WorkerSnapshot {
  name: string;
  lane: string;
  health: Health;
  /** The last lines of the worker's screen, ANSI-free. */
  screen: string[];
  worktree: string;
  /** What runs in the pane now (tmux's pane_current_command), when alive. */
  command: string | null;
  /** Automatic restarts spent, and the budget, when a restart policy applies. */
  restarts: { spent: number; budget: number } | null;
}

export interface ActionResult {
  worker: string;
  outcome: string;
  ok: boolean;
}
