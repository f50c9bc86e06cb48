/**
 * Process epochs (ARCHITECTURE.md §8). Each start of a worker's process begins an epoch; a log outlives
 * the process that wrote it, so after a crash, a killed tmux server or a reboot the log still holds the
 * old process's open turn, its running tool and its question. None of that is the new process's work:
 * health weighs only what happened since the epoch began. A turn the old process left open is closed
 * here and said once for what it was ("previous run ended mid-turn: interrupted (SIGHUP)").
 */
import type { Activity } from './activity.js';

export interface EpochView {
  /** The activity with what the previous process left open closed. */
  activity: Activity;
  /** What the previous run was doing when it ended mid-turn, or null when it ended cleanly. */
  previousRun: string | null;
}

export function currentEpoch(a: Activity, epochStart: number): EpochView {
  const before = (at: number | null | undefined): boolean => at !== null && at !== undefined && at < epochStart;
  const staleTurn = a.turnOpen && before(a.turnSeenAt);
  const staleTool = a.lastTool?.open === true && before(a.lastTool.at);
  const stalePending = a.pending !== null && before(a.pending.at);
  if (!staleTurn && !staleTool && !stalePending) return { activity: a, previousRun: null };
  const next: Activity = { ...a };
  if (staleTurn) {
    next.turnOpen = false;
    next.turnSeenAt = null;
  }
  if (staleTool && a.lastTool) {
    next.lastTool = { ...a.lastTool, open: false, ok: a.lastTool.ok ?? false };
    next.openTools = 0;
  }
  if (stalePending) next.pending = null;
  const what = a.lastMessage ?? (a.lastTool ? `${a.lastTool.name} ${a.lastTool.text}`.trim() : null) ?? a.lastPrompt;
  return { activity: next, previousRun: staleTurn ? `previous run ended mid-turn${what ? `: ${what}` : ''}` : null };
}
