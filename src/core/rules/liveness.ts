/**
 * What a live worker is doing, from its logs, its screen and tmux's activity clock: working, idle,
 * waiting for the person, or stuck. Pure. Sources in order of trust (ARCHITECTURE.md §8): what the
 * worker says (events, heartbeats) → pane activity → screen text. Logs never record that an agent waits
 * for permission, so "waiting" also comes from patterns matched on the last lines of the screen.
 */
import type { Activity } from './activity.js';
import { shortDuration } from './health.js';
import { describeReset, readLimit, saysLimit, type UsageLimit } from './limits.js';

export type LiveState = 'working' | 'idle' | 'waiting' | 'limited' | 'stuck';

export interface LivenessRules {
  /** Quiet this long with no turn open: idle. */
  idleAfterMs: number;
  /** Quiet this long with a turn open (work in hand): stuck. */
  stuckAfterMs: number;
  /** Lines on the screen that mean the agent waits for the person. */
  waitingPatterns: readonly RegExp[];
  /** How many of the screen's last non-blank lines are searched: an answered question scrolls away. */
  screenLinesSearched: number;
}

/**
 * Prompts of the agents muxctl knows (Claude Code, Codex, Aider, the demo agent) and of shells at large.
 * Kept to the wording of a question put to the person, so ordinary output does not match.
 */
export const DEFAULT_WAITING_PATTERNS: readonly RegExp[] = [
  // Anchored at the end: once answered, the line reads "… [y/n] y" and asks nothing any more.
  /(\[y\/n\]|\(y\/n\)|\[Y\/n\]|\[y\/N\])\s*$/,
  /\(Y\)es\/\(N\)o.*:\s*$/,
  /Do you want to (proceed|make this edit|create|run|allow)/i,
  /^\s*[❯>]\s*1\.\s*Yes\b/,
  /\bAllow (command|this|Bash|Edit|Write)\b.*\?\s*$/,
  /Press Enter to continue/i,
  /Waiting for (your )?(approval|input|confirmation)/i,
];

export const DEFAULT_LIVENESS_RULES: LivenessRules = {
  idleAfterMs: 30_000,
  stuckAfterMs: 10 * 60_000,
  waitingPatterns: DEFAULT_WAITING_PATTERNS,
  screenLinesSearched: 4,
};

export interface LivenessInput {
  activity: Activity;
  /** tmux's window_activity for the pane, epoch ms (one-second resolution). */
  paneActivityAt: number | null;
  /** The screen's last lines, ANSI-free. */
  screen: readonly string[];
  /** When the process started: a worker that never printed counts its quiet from here. */
  startedAt: number;
  now: number;
  /**
   * The time the evidence's durations are counted to: the start of the current minute, so that every
   * worker's "quiet for 3m" ticks over together with the clock, once a minute, not each at its own
   * second (twenty workers would redraw the grid twenty times a minute). @default now
   */
  shownNow?: number;
  rules: LivenessRules;
  /** What the previous process was doing when it ended mid-turn (currentEpoch), said while the worker idles. */
  previousRun?: string | null;
  /**
   * When the screen's limit line (see `screenLimitLine`) was first seen: its reset time ("resets 3pm")
   * counts from then, not from each look. @default now
   */
  screenLimitSeenAt?: number;
}

export interface Liveness {
  state: LiveState;
  evidence: string;
  /** The last sign of life, epoch ms. */
  lastActiveAt: number;
  /** Limited: when the limit resets, when the agent said. */
  until?: number;
}

export function assessLiveness(input: LivenessInput): Liveness {
  const { activity: a, now, rules } = input;
  const lastActiveAt = Math.max(input.startedAt, a.lastEventAt ?? 0, a.lastHeartbeatAt ?? 0, input.paneActivityAt ?? 0);
  const quiet = now - lastActiveAt;
  const shownQuiet = (input.shownNow ?? now) - lastActiveAt;

  const asking = waitingLine(input.screen, rules);
  if (asking !== null) return { state: 'waiting', evidence: `asks: ${asking}`, lastActiveAt };
  if (a.pending) {
    const label = a.pending.kind === 'plan' ? 'plan to approve' : 'asks';
    const text = a.pending.text.replace(/^asks:\s*/, '');
    return { state: 'waiting', evidence: `${label}: ${text}`, lastActiveAt };
  }

  const limit = currentLimit(input);
  if (limit !== null && (limit.resetsAt === null || limit.resetsAt > now)) {
    return { state: 'limited', evidence: limitEvidence(limit, now), lastActiveAt, ...(limit.resetsAt !== null ? { until: limit.resetsAt } : {}) };
  }

  const doing = a.lastTool?.open ? `running ${a.lastTool.name}` : null;
  // Its reply was the last word and nothing moved since, not even the screen: the turn is over though the
  // log never says so (Claude Code's transcripts before 2.1.x). A reply is not being stuck.
  if (a.turnOpen && a.replied && a.openTools === 0 && quiet >= rules.idleAfterMs) {
    return { state: 'idle', evidence: `replied (the log marks no turn end) · quiet for ${shortDuration(shownQuiet)}`, lastActiveAt };
  }
  if (a.turnOpen && quiet >= rules.stuckAfterMs) {
    return { state: 'stuck', evidence: [`no output for ${shortDuration(shownQuiet)}`, doing].filter(Boolean).join(' · '), lastActiveAt };
  }
  // Recent output means work only for a worker whose log has never ended a turn (a plain command, an
  // agent without a log, a first turn not yet done). Once the log has said a turn ended, no open turn
  // is the answer: what moves after it is the agent drawing its prompt, token counts, a status, a
  // person typing at the prompt; it used to show "working" for idleAfterSeconds after every turn.
  if (a.turnOpen || (quiet < rules.idleAfterMs && a.lastOutcome === null)) {
    const what = doing ?? (a.lastEventAt !== null && a.lastEventAt >= (input.paneActivityAt ?? 0) ? 'log active' : 'screen active');
    return { state: 'working', evidence: `${what} ${shortDuration(shownQuiet)} ago`, lastActiveAt };
  }
  const ended = a.lastOutcome?.endsSession === true ? 'session ended' : a.lastOutcome?.ok === false ? 'turn failed' : 'turn done';
  const reset = limit !== null ? `limit ${describeReset(limit.resetsAt, now)} · ` : '';
  const finished = `${reset}${input.previousRun ? `${input.previousRun} · ` : a.lastOutcome ? `${ended} · ` : ''}`;
  return { state: 'idle', evidence: `${finished}quiet for ${shortDuration(shownQuiet)}`, lastActiveAt };
}

/** The limit the worker is under: the log's word, else a limit line on its screen. */
function currentLimit(input: LivenessInput): UsageLimit | null {
  if (input.activity.limit !== null) return input.activity.limit;
  const line = screenLimitLine(input.screen, input.rules);
  return line === null ? null : readLimit(line, input.screenLimitSeenAt ?? input.now);
}

/** "usage limit · resets 18:00 · You've hit your limit · resets 6pm": the reset first, then the agent's words. */
export function limitEvidence(limit: UsageLimit, now: number): string {
  return `usage limit · ${describeReset(limit.resetsAt, now)} · ${limit.text.slice(0, 120)}`;
}

/** The limit evidence with what muxctl will do at the reset put after the reset time, where a narrow panel still shows it. */
export function withContinuePlan(evidence: string, plan: string | null): string {
  if (plan === null || !evidence.startsWith('usage limit · ')) return evidence;
  const [head = '', reset = '', ...rest] = evidence.split(' · ');
  return [head, reset, plan, ...rest].join(' · ');
}

/** The screen line that says the agent hit its usage limit, if one of the last lines does. */
export function screenLimitLine(screen: readonly string[], rules: LivenessRules): string | null {
  const lastLines = screen.filter((line) => line.trim() !== '').slice(-rules.screenLinesSearched);
  for (let i = lastLines.length - 1; i >= 0; i -= 1) {
    const line = (lastLines[i] ?? '').trim();
    if (saysLimit(line)) return line.replace(/^[⎿│\s]+/, '');
  }
  return null;
}

/** The screen line that puts a question to the person, if one of the last lines does. */
export function waitingLine(screen: readonly string[], rules: LivenessRules): string | null {
  const lastLines = screen.filter((line) => line.trim() !== '').slice(-rules.screenLinesSearched);
  for (let i = lastLines.length - 1; i >= 0; i -= 1) {
    const line = lastLines[i] ?? '';
    if (rules.waitingPatterns.some((pattern) => pattern.test(line))) return line.trim().replace(/^[?❯>]\s*/, '').slice(0, 120);
  }
  return null;
}

/**
 * No flicker: a new guess holds for `holdMs` before it is shown. Facts from tmux (a dead pane, a missing
 * session) are not guesses and the caller shows them at once.
 */
export interface Settled<S extends string> {
  shown: S;
  shownSince: number;
  candidate: S;
  candidateSince: number;
}

export function settle<S extends string>(previous: Settled<S> | null, candidate: S, now: number, holdMs: number): Settled<S> {
  if (previous === null) return { shown: candidate, shownSince: now, candidate, candidateSince: now };
  if (candidate === previous.shown) return { ...previous, candidate, candidateSince: now };
  const candidateSince = candidate === previous.candidate ? previous.candidateSince : now;
  if (now - candidateSince >= holdMs) return { shown: candidate, shownSince: now, candidate, candidateSince };
  return { ...previous, candidate, candidateSince };
}
