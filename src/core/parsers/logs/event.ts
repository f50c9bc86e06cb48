/**
 * The one shape every log format is read into, so health, panels and the log view never care whether a
 * worker runs Claude Code, Codex, Aider or a shell script. Pure.
 */
import stripAnsi from 'strip-ansi';
import type { LogFormat } from '../../config/config.js';

export type LogEventKind =
  | 'message'
  | 'tool_start'
  | 'tool_end'
  | 'error'
  | 'turn_end'
  | 'result'
  | 'heartbeat'
  | 'checkpoint'
  | 'status'
  | 'question'
  | 'prompt';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Anthropic's convention for every format: `input` does not include cached tokens, so input + output +
 * cacheRead + cacheWrite is the total. Codex counts cached tokens inside its input; its parsers subtract.
 */
export interface LogTokens {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface LogEvent {
  /** Epoch ms when the line says; null when it does not (stream-json, codex exec, aider, plain text). */
  time: number | null;
  kind: LogEventKind;
  /** One line a person reads: whitespace collapsed, ANSI stripped, cut at TEXT_LIMIT characters with "…". */
  text: string;
  level: LogLevel;
  /** Tool name for tool_start/tool_end ("Bash", "Edit", "shell"). */
  tool?: string;
  /** Pairs a tool_start with its tool_end. */
  toolId?: string;
  /** tool_end / turn_end / result outcome: false = error or rejected. Absent when the format does not say. */
  ok?: boolean;
  /** As the format reports them. */
  tokens?: LogTokens;
  /** True when the numbers are running totals (codex token_count, a stream-json result), not an increase. */
  tokensCumulative?: boolean;
  costUsd?: number;
  /** A tool that waits for the person: AskUserQuestion, ExitPlanMode. */
  pending?: 'question' | 'plan';
  model?: string;
  /** A turn_end that is the end of the agent's session (`/exit`, `/quit`): nothing more will come. */
  endsSession?: true;
  /**
   * The agent hit a usage limit: its words, and the reset time where the log gives it as a time (epoch
   * ms); otherwise the fold reads it from the words, counted from the line's time (core/rules/limits.ts).
   */
  limit?: LogLimit;
  /**
   * The agent's reply with nothing after it in its message: the end of its turn unless more follows
   * (Claude Code before 2.1.x marks no turn end; its last reply is the only sign).
   */
  mayEndTurn?: true;
}

export interface LogLimit {
  text: string;
  resetsAt?: number;
}

/** One line read: its events (often none), or why it could not be read. Never thrown. */
export type ParsedLine = { events: LogEvent[] } | { malformed: string };

/** A format a parser exists for: the config's `auto` is resolved by `detectFormat` first. */
export type ConcreteLogFormat = Exclude<LogFormat, 'auto'>;

export const TEXT_LIMIT = 200;

/** Optional fields of an event; `undefined` values are dropped (exactOptionalPropertyTypes). */
export interface EventFields {
  level?: LogLevel | undefined;
  tool?: string | undefined;
  toolId?: string | undefined;
  ok?: boolean | undefined;
  tokens?: LogTokens | undefined;
  tokensCumulative?: boolean | undefined;
  costUsd?: number | undefined;
  pending?: 'question' | 'plan' | undefined;
  model?: string | undefined;
  endsSession?: boolean | undefined;
  limit?: LogLimit | undefined;
}

/** How loud an event is when its format does not say: a failed outcome is louder than a good one. */
function defaultLevel(kind: LogEventKind, ok: boolean | undefined): LogLevel {
  switch (kind) {
    case 'error':
      return 'error';
    case 'result':
      return ok === false ? 'error' : 'info';
    case 'tool_end':
    case 'turn_end':
      return ok === false ? 'warn' : 'info';
    case 'question':
      return 'warn';
    case 'heartbeat':
      return 'debug';
    case 'message':
    case 'tool_start':
    case 'checkpoint':
    case 'status':
    case 'prompt':
      return 'info';
  }
}

export function logEvent(kind: LogEventKind, time: number | null, text: string, fields: EventFields = {}): LogEvent {
  const event: LogEvent = { time, kind, text: oneLine(text), level: fields.level ?? defaultLevel(kind, fields.ok) };
  if (fields.tool !== undefined) event.tool = fields.tool;
  if (fields.toolId !== undefined) event.toolId = fields.toolId;
  if (fields.ok !== undefined) event.ok = fields.ok;
  if (fields.tokens !== undefined) event.tokens = fields.tokens;
  if (fields.tokensCumulative !== undefined) event.tokensCumulative = fields.tokensCumulative;
  if (fields.costUsd !== undefined) event.costUsd = fields.costUsd;
  if (fields.pending !== undefined) event.pending = fields.pending;
  if (fields.model !== undefined) event.model = fields.model;
  if (fields.endsSession === true) event.endsSession = true;
  if (fields.limit !== undefined) event.limit = fields.limit;
  return event;
}

// Control characters other than whitespace (a NUL in a log line would corrupt the terminal).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f]/g;

/** Printable ASCII, single spaces between words, none at either end: a line `oneLine` leaves as it is. */
const ALREADY_ONE_LINE = /^(?:[\x21-\x7e]+(?: [\x21-\x7e]+)*)?$/;

/** One readable line: ANSI and control characters out, whitespace collapsed, cut at `limit` with "…". */
export function oneLine(text: string, limit = TEXT_LIMIT): string {
  // Most lines of most logs: nothing to strip, collapse or cut (one test, not four passes and an array).
  if (text.length <= limit && ALREADY_ONE_LINE.test(text)) return text;
  const flat = stripAnsi(text).replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  // Cut by code points, not UTF-16 units, so an emoji or a CJK character is never split in half.
  const chars = Array.from(flat);
  if (chars.length <= limit) return flat;
  return `${chars.slice(0, limit - 1).join('').trimEnd()}…`;
}

/** The first line of a multi-line text that has something on it (a tool's output, a long reply). */
export function firstLine(text: string): string {
  for (const line of text.split('\n')) if (line.trim() !== '') return line;
  return '';
}

/** Removes what a transport adds to a line: a UTF-8 byte-order mark and a CR before the LF. */
export function cleanLine(line: string): string {
  let clean = line.startsWith('\uFEFF') ? line.slice(1) : line;
  if (clean.endsWith('\r')) clean = clean.slice(0, -1);
  return clean;
}
