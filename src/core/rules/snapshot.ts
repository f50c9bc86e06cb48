/** What the supervisor reports of each worker and of each action: plain data, shared by every layer. */
import type { Conversation } from './agents.js';
import type { Health } from './health.js';

export interface WorkerSnapshot {
  name: string;
  lane: string;
  /** The host it runs on (a key of `hosts`); absent: this machine. */
  host?: string;
  health: Health;
  /** When the live process started (epoch ms), for "up 3m"; null when it is not running. */
  upSince: number | null;
  /** The last lines of the worker's screen, ANSI-free. */
  screen: string[];
  worktree: string;
  /** What runs in the pane now (tmux's pane_current_command), when alive. */
  command: string | null;
  /** When its screen last changed (tmux's activity clock, epoch ms), when it has a pane. */
  screenActiveAt?: number | null;
  /** Automatic restarts spent, and the budget, when a restart policy applies. */
  restarts: { spent: number; budget: number } | null;
  /** What the worker's logs say, when muxctl follows them (the dashboard does; one-shot commands may not). */
  summary: WorkerSummary | null;
  /** The agent conversation its process was started on (an agent preset or `resume.command`), and whether it was resumed. */
  conversation?: Conversation | null;
}

export interface WorkerSummary {
  /** The current task or the last prompt. */
  prompt: string | null;
  tool: { name: string; text: string; open: boolean; ok: boolean | null } | null;
  /** How the last turn ended, when one did: "interrupted by the user", "done". */
  outcome: { ok: boolean | null; text: string } | null;
  message: string | null;
  tokens: { input: number; output: number } | null;
  /** The dollar figure the log gives, when it gives one. */
  costUsd: number | null;
  /** Otherwise what the tokens cost at their models' list prices; `partial`: some tokens were of a model not priced. */
  estimate?: { usd: number; partial: boolean } | null;
  errors: number;
  lastError: string | null;
  malformed: number;
  lastActiveAt: number | null;
  checkpoint: string | null;
  status: string | null;
  /** A turn is open by the log: the agent has work in hand (a message typed in now would interrupt it). */
  turnOpen?: boolean;
  /** The usage limit the agent last said it hit, until it works again (activity.limit). */
  limit?: { text: string; resetsAt: number | null; at: number } | null;
}

export interface ActionResult {
  worker: string;
  outcome: string;
  ok: boolean;
}
