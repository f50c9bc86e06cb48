/**
 * Usage limits: an agent that hit its plan's limit is not stuck and has not crashed, it waits for a
 * clock. This module recognises the agents' own wording of a limit (from their sources and the logs
 * they wrote, test/fixtures/agent-logs/SOURCES-limits.md) and reads the reset time out of it. Pure: the
 * time the message was written is passed in, and times without a date are the next such time after it.
 */
import { clockDate, clockMinutes } from './health.js';

/** What a log or a screen said about a limit: its words, and when it resets (epoch ms) if it says. */
export interface UsageLimit {
  text: string;
  resetsAt: number | null;
}

/**
 * The agents' sentences for a limit reached. Kept to the wording of a limit that stops work (not a
 * warning such as "Approaching usage limit"), so an agent that only nears its limit is not limited.
 */
const LIMIT_WORDING: readonly RegExp[] = [
  // Claude Code 2.1: "You've hit your limit · resets …", "You've hit your weekly limit", "… your Opus limit";
  // Codex: "You've hit your usage limit. … try again at 9:01 AM." (its apostrophe may be ’).
  /\b(?:you['’]ve|you have) hit your (?:[\w-]+ )?limit\b/i,
  // Claude Code 1.0.8x–2.0: "5-hour limit reached ∙ resets 3pm", "Weekly limit reached · resets Dec 2, 7pm";
  // 1.0.x: "Claude AI usage limit reached|1753286400"; Gemini CLI ≥ 0.17: "Usage limit reached for gemini-2.5-pro."
  /\b(?:usage|session|weekly|5-hour|opus|sonnet)(?: weekly)? limit reached\b/i,
  // Codex workspaces: "Your workspace is out of credits.", "You hit your spend cap set in your workspace."
  /\byour workspace is out of credits\b|\byou hit your spend cap\b/i,
  // Gemini CLI: "You have exhausted your daily quota on this model.", before 0.17
  // "⚡ You have reached your daily gemini-2.5-pro quota limit."; Codex "Quota exceeded. Check your plan…".
  /\bexhausted your (?:daily )?quota\b|\breached your daily\b.*\bquota\b|^\W*quota exceeded\b/i,
];

/** Whether `text` says the agent hit a usage limit. */
export function saysLimit(text: string): boolean {
  return LIMIT_WORDING.some((pattern) => pattern.test(text));
}

/** The limit `text` reports, with its reset time read relative to `at` (when it was written), or null. */
export function readLimit(text: string, at: number): UsageLimit | null {
  if (!saysLimit(text)) return null;
  return { text: text.trim(), resetsAt: resetTime(text, at) };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * When the limit resets, from the forms the agents write:
 * - `…|1753286400`: epoch seconds after a bar (Claude Code before 1.0.60);
 * - `resets 3pm`, `resets 6:30pm`, `reset at 3pm (America/New_York)`, `resets Jul 23 at 6pm (America/Los_Angeles)`;
 * - `try again in 2 days 3 hours 5 minutes`, `in 4h 30m`, `try again at 3:05 PM`.
 * A time of day without a date is the next one after `at`; a date without a year the next one after `at`.
 * A named time zone is honoured; without one the time is this machine's local time.
 */
export function resetTime(text: string, at: number): number | null {
  const epoch = /\|(\d{10})\b/.exec(text);
  if (epoch?.[1] !== undefined) return Number(epoch[1]) * 1000;

  const span = /\b(?:try again|resets?) in ((?:\d+\s*(?:days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b(?:\s*(?:,|and)?\s*))+)/i.exec(text);
  if (span?.[1] !== undefined) {
    const ms = spanMs(span[1]);
    if (ms > 0) return at + ms;
  }

  const clock = /\b(?:resets?|try again)(?: at)?\s+(?:([A-Z][a-z]{2})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?(?:,?\s+at)?\s+)?(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?(?![a-z])(?:\s*\(([^)]+)\)|\s+([A-Z]{2,4}(?:[+-]\d{1,2}(?::\d{2})?)?)\b)?/i.exec(text);
  if (clock === null) return null;
  const [, monthName, dayText, yearText, hourText, minuteText, half, zoneText, shortZone] = clock;
  const hour = (Number(hourText) % 12) + (half?.toLowerCase() === 'p' ? 12 : 0);
  const minute = minuteText === undefined ? 0 : Number(minuteText);
  const zone = zoneText !== undefined && validZone(zoneText.trim()) ? zoneText.trim() : shortZone !== undefined ? fixedZone(shortZone) : undefined;
  const month = monthName === undefined ? -1 : MONTHS.indexOf(monthName.toLowerCase());
  if (month >= 0 && dayText !== undefined) {
    const here = wallParts(at, zone);
    const years = yearText !== undefined ? [Number(yearText)] : [here.year, here.year + 1];
    for (const year of years) {
      const time = fromWall({ year, month, day: Number(dayText), hour, minute }, zone);
      // A date a little in the past is the one meant (the message is old); a year on is not.
      if (yearText !== undefined || time >= at - DAY) return time;
    }
    return null;
  }
  const here = wallParts(at, zone);
  const today = fromWall({ year: here.year, month: here.month, day: here.day, hour, minute }, zone);
  return today > at ? today : fromWall({ year: here.year, month: here.month, day: here.day + 1, hour, minute }, zone);
}

function spanMs(span: string): number {
  let ms = 0;
  for (const [, amount, unit] of span.matchAll(/(\d+)\s*([a-z]+)/gi)) {
    const u = (unit ?? '').toLowerCase();
    const n = Number(amount);
    if (u.startsWith('d')) ms += n * DAY;
    else if (u.startsWith('h')) ms += n * 60 * MINUTE;
    else if (u.startsWith('m')) ms += n * MINUTE;
    else if (u.startsWith('s')) ms += n * 1000;
  }
  return ms;
}

interface Wall {
  year: number;
  /** 0-based, as Date's. */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/**
 * Gemini CLI writes the zone as Intl's short name: "GMT-3", "GMT+5:30", or an abbreviation ("CDT").
 * Offsets and the common abbreviations become a fixed-offset zone Intl knows; others are not guessed.
 */
const ABBREVIATIONS: Record<string, number> = { UTC: 0, GMT: 0, EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7, CET: 1, CEST: 2, BST: 1, JST: 9 };
function fixedZone(short: string): string | undefined {
  const offset = /^(?:GMT|UTC)([+-])(\d{1,2})(?::(\d{2}))?$/.exec(short);
  const hours = offset !== null ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) + Number(offset[3] ?? 0) / 60) : ABBREVIATIONS[short.toUpperCase()];
  if (hours === undefined) return undefined;
  if (hours === 0) return 'UTC';
  // Intl has fixed zones for whole hours only, as Etc/GMT±h with the sign reversed (POSIX); a half-hour
  // offset (GMT+5:30) is not guessed at.
  return Number.isInteger(hours) ? `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}` : undefined;
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The wall clock at `time` in `zone` (this machine's when undefined). */
function wallParts(time: number, zone: string | undefined): Wall {
  if (zone === undefined) {
    const d = new Date(time);
    return { year: d.getFullYear(), month: d.getMonth(), day: d.getDate(), hour: d.getHours(), minute: d.getMinutes() };
  }
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(time);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: part('year'), month: part('month') - 1, day: part('day'), hour: part('hour') % 24, minute: part('minute') };
}

/** The instant a wall clock in `zone` shows `wall` (Date normalises a day past the month's end). */
function fromWall(wall: Wall, zone: string | undefined): number {
  if (zone === undefined) return new Date(wall.year, wall.month, wall.day, wall.hour, wall.minute).getTime();
  const asUtc = Date.UTC(wall.year, wall.month, wall.day, wall.hour, wall.minute);
  // The zone's offset at that instant, found by reading the instant back in the zone; twice, for a DST edge.
  let guess = asUtc;
  for (let i = 0; i < 2; i += 1) {
    const seen = wallParts(guess, zone);
    guess += asUtc - Date.UTC(seen.year, seen.month, seen.day, seen.hour, seen.minute);
  }
  return guess;
}

/** "resets 18:00" today, "resets 2026-07-23 18:00" on another day; "reset time not given" without one. */
export function describeReset(resetsAt: number | null, now: number): string {
  if (resetsAt === null) return 'reset time not given';
  const sameDay = clockDate(resetsAt) === clockDate(now);
  const verb = resetsAt > now ? 'resets' : 'reset';
  return `${verb} ${sameDay ? '' : `${clockDate(resetsAt)} `}${clockMinutes(resetsAt)}`;
}

/**
 * `recover.afterLimit`: a limited worker is sent its agent's "continue" this long after the reset time it
 * was given (the times are said to the minute; the limit is surely over a minute later).
 */
export const CONTINUE_AFTER_RESET_MS = 60_000;

/** What muxctl will do when a worker's limit resets: one "continue", once per limit, unless cancelled. */
export type ContinuePlan =
  | { kind: 'off' }
  | { kind: 'no-reset' }
  | { kind: 'armed'; at: number }
  | { kind: 'due' }
  | { kind: 'cancelled' }
  | { kind: 'sent' };

export interface ContinueFacts {
  enabled: boolean;
  /** The limit's reset time; it also names the limit (a new limit has a new reset). */
  resetsAt: number | null;
  /** The reset time of the limit a "continue" was already sent for, and of one the person cancelled. */
  sentFor: number | null;
  cancelledFor: number | null;
  now: number;
}

export function planContinue(f: ContinueFacts): ContinuePlan {
  if (!f.enabled) return { kind: 'off' };
  if (f.resetsAt === null) return { kind: 'no-reset' };
  if (f.sentFor === f.resetsAt) return { kind: 'sent' };
  if (f.cancelledFor === f.resetsAt) return { kind: 'cancelled' };
  const at = f.resetsAt + CONTINUE_AFTER_RESET_MS;
  return f.now >= at ? { kind: 'due' } : { kind: 'armed', at };
}

/** The plan in a panel's words, or null when there is nothing to say (recover.afterLimit is off). */
export function continuePlanText(plan: ContinuePlan): string | null {
  switch (plan.kind) {
    case 'off':
      return null;
    case 'no-reset':
      return 'no reset time: not continued by itself';
    case 'armed':
      return `continues at ${clockMinutes(plan.at)} (c cancels)`;
    case 'due':
      return 'continuing now';
    case 'cancelled':
      return 'continue cancelled (c sets it again)';
    case 'sent':
      return '"continue" sent';
  }
}
