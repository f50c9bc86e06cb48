/**
 * What a worker's logs say about it, folded event by event into one summary: the facts a panel shows
 * (last tool, last message, tokens, cost, errors) and the ones health weighs (is a turn open? is a
 * question pending? when did anything last happen?). Pure: the time an event was received is passed in.
 */
import type { LogEvent } from '../parsers/logs/event.js';
import { resetTime } from './limits.js';
import { costOf, priceOf } from './prices.js';

export interface Activity {
  /** When muxctl last received a line from any of the worker's logs (epoch ms). */
  lastEventAt: number | null;
  lastHeartbeatAt: number | null;
  /** `ok` is false when the call failed or the person rejected it, null while it runs or when unknown. */
  lastTool: { name: string; text: string; at: number; open: boolean; ok: boolean | null } | null;
  /** Tools started and not yet ended. */
  openTools: number;
  lastMessage: string | null;
  /** The current task or the last prompt the agent was given. */
  lastPrompt: string | null;
  /** True from a prompt, message or tool until the turn's result: the worker has work in hand. */
  turnOpen: boolean;
  /**
   * The last event of the open turn (a prompt, message, tool or question), epoch ms: a turn whose last
   * event came before the process started is the previous process's, not this one's work.
   */
  turnSeenAt: number | null;
  /** How the last turn ended; `endsSession`: the agent's session itself ended (`/exit`). */
  lastOutcome: { ok: boolean | null; text: string; at: number; endsSession?: true } | null;
  tokens: { input: number; output: number };
  /** Input tokens read from and written to the prompt cache, besides `tokens.input` (Anthropic's convention). */
  cache: { read: number; write: number };
  /** The dollar figure the log gives, when it gives one. */
  costUsd: number | null;
  /**
   * What the tokens cost at the list price of the model that used them (core/rules/prices.ts), for logs
   * that give no figure: `usd` for the tokens of known models, `unpricedTokens` of models the table lacks.
   */
  estimate: { usd: number; unpricedTokens: number };
  /** The model of the last event that named one. */
  model: string | null;
  errors: number;
  lastError: string | null;
  /** A question or plan waiting for the person, from the log (AskUserQuestion, ExitPlanMode, a demo question). */
  pending: { kind: 'question' | 'plan'; text: string; at: number } | null;
  /** The last status a worker declared itself (`muxctl emit status …`). */
  status: { text: string; at: number } | null;
  checkpoint: { text: string; at: number } | null;
  /**
   * The agent said it hit a usage limit (its words, the reset time when given, epoch ms); cleared when it
   * works again. `at` is when the line was written where the log says, else when it was read.
   */
  limit: { text: string; resetsAt: number | null; at: number } | null;
  /** The open turn's last event is the agent's reply with nothing after it (LogEvent.mayEndTurn). */
  replied: boolean;
}

/** The events that open a turn or carry it on. */
const TURN_EVENTS: ReadonlySet<LogEvent['kind']> = new Set(['prompt', 'message', 'tool_start', 'question']);

export const EMPTY_ACTIVITY: Activity = {
  lastEventAt: null,
  lastHeartbeatAt: null,
  lastTool: null,
  openTools: 0,
  lastMessage: null,
  lastPrompt: null,
  turnOpen: false,
  turnSeenAt: null,
  lastOutcome: null,
  tokens: { input: 0, output: 0 },
  cache: { read: 0, write: 0 },
  costUsd: null,
  estimate: { usd: 0, unpricedTokens: 0 },
  model: null,
  errors: 0,
  lastError: null,
  pending: null,
  status: null,
  checkpoint: null,
  limit: null,
  replied: false,
};

/**
 * Folds one event in. Tokens: increments add up; running totals (codex token_count, a stream-json
 * result) replace what was counted when they are larger, so neither kind is counted twice.
 */
export function foldEvent(a: Activity, e: LogEvent, receivedAt: number): Activity {
  const next: Activity = { ...a };
  foldInto(next, e, receivedAt);
  return next;
}

/** One thing read from a log, for `foldEvents`: an event, or (no event) a sign of life only. */
export interface Folded {
  at: number;
  event?: LogEvent;
}

/**
 * Folds a batch in order, as `foldEvent` one by one would, with one copy of the activity for the whole
 * batch: a busy log brings hundreds of lines a read, and copying the activity for each event cost ~2 µs,
 * a third of what reading the line costs.
 */
export function foldEvents(a: Activity, items: readonly Folded[]): Activity {
  if (items.length === 0) return a;
  const next: Activity = { ...a };
  for (const item of items) {
    if (item.event === undefined) next.lastEventAt = item.at;
    else foldInto(next, item.event, item.at);
  }
  return next;
}

/** `s` is the activity before `e` (a copy the caller owns) and becomes the activity after it. */
function foldInto(s: Activity, e: LogEvent, receivedAt: number): void {
  s.lastEventAt = receivedAt;
  if (e.tokens) {
    const t = e.tokens;
    const before = { tokens: s.tokens, cache: s.cache, estimate: s.estimate };
    if (e.tokensCumulative) {
      s.tokens = { input: Math.max(before.tokens.input, t.input), output: Math.max(before.tokens.output, t.output) };
      s.cache = { read: Math.max(before.cache.read, t.cacheRead ?? 0), write: Math.max(before.cache.write, t.cacheWrite ?? 0) };
    } else {
      s.tokens = { input: before.tokens.input + t.input, output: before.tokens.output + t.output };
      s.cache = { read: before.cache.read + (t.cacheRead ?? 0), write: before.cache.write + (t.cacheWrite ?? 0) };
    }
    s.estimate = priced(before, s, e.model ?? s.model);
  }
  if (e.model !== undefined) s.model = e.model;
  if (e.costUsd !== undefined) {
    // Costs follow the tokens: a running total (a stream-json result) replaces, a turn's cost adds.
    s.costUsd = e.tokensCumulative ? Math.max(s.costUsd ?? 0, e.costUsd) : (s.costUsd ?? 0) + e.costUsd;
  }
  if (e.level === 'error' || e.kind === 'error') {
    s.errors += 1;
    s.lastError = e.text;
  }
  if (e.limit) {
    const at = e.time ?? receivedAt;
    // A second word of the same limit (Codex's turn.failed after its error, cut short) keeps the reset already known.
    s.limit = { text: e.limit.text, resetsAt: e.limit.resetsAt ?? resetTime(e.limit.text, at) ?? s.limit?.resetsAt ?? null, at };
  }
  // The agent at work again (a prompt, its reply, a tool) is past its limit.
  else if (s.limit && TURN_EVENTS.has(e.kind) && e.level !== 'debug') s.limit = null;
  // Anything after a pending question other than a heartbeat means the person answered it.
  if (s.pending && e.kind !== 'heartbeat' && !e.pending) s.pending = null;

  switch (e.kind) {
    case 'heartbeat':
      s.lastHeartbeatAt = receivedAt;
      break;
    case 'prompt':
      s.lastPrompt = e.text;
      s.turnOpen = true;
      break;
    case 'message':
      s.lastMessage = e.text;
      s.turnOpen = true;
      break;
    case 'tool_start':
      s.lastTool = { name: e.tool ?? 'tool', text: e.text, at: receivedAt, open: true, ok: null };
      s.openTools += 1;
      s.turnOpen = true;
      if (e.pending) s.pending = { kind: e.pending, text: e.text, at: receivedAt };
      break;
    case 'tool_end':
      s.openTools = Math.max(0, s.openTools - 1);
      if (s.lastTool) s.lastTool = { ...s.lastTool, open: s.openTools > 0, ok: e.ok ?? null };
      break;
    case 'question':
      s.pending = { kind: e.pending ?? 'question', text: e.text, at: receivedAt };
      s.turnOpen = true;
      break;
    case 'turn_end':
    case 'result':
      // The session ending at the prompt (`/exit` between turns) keeps how the last turn went.
      if (e.endsSession === true && !s.turnOpen && s.lastOutcome !== null) {
        s.lastOutcome = { ...s.lastOutcome, endsSession: true };
        break;
      }
      s.turnOpen = false;
      s.openTools = 0;
      s.pending = null;
      // A turn interrupted mid-call leaves its tool unfinished: it did not succeed.
      if (s.lastTool) s.lastTool = { ...s.lastTool, open: false, ok: s.lastTool.open && e.ok === false ? false : s.lastTool.ok };
      s.lastOutcome = { ok: e.ok ?? null, text: e.text, at: receivedAt, ...(e.endsSession === true ? { endsSession: true as const } : {}) };
      break;
    case 'status':
      s.status = { text: e.text, at: receivedAt };
      break;
    case 'checkpoint':
      s.checkpoint = { text: e.text, at: receivedAt };
      break;
    case 'error':
      break;
  }
  // A reply that may end the turn stays the last word until more work comes (a thought is not work).
  if (e.mayEndTurn === true) s.replied = true;
  else if (e.kind === 'tool_start' || e.kind === 'tool_end' || e.kind === 'prompt' || e.kind === 'question' || (e.kind === 'message' && e.level !== 'debug')) s.replied = false;
  if (!s.turnOpen) {
    s.turnSeenAt = null;
    s.replied = false;
  } else if (TURN_EVENTS.has(e.kind)) s.turnSeenAt = receivedAt;
}

/**
 * The estimate after an event's tokens: what they added to the totals (an increase, or a running total's
 * growth, so neither kind is priced twice) at the price of the model that used them.
 */
function priced(before: Pick<Activity, 'tokens' | 'cache' | 'estimate'>, after: Pick<Activity, 'tokens' | 'cache'>, model: string | null): Activity['estimate'] {
  const added = {
    input: after.tokens.input - before.tokens.input,
    output: after.tokens.output - before.tokens.output,
    cacheRead: after.cache.read - before.cache.read,
    cacheWrite: after.cache.write - before.cache.write,
  };
  const count = added.input + added.output + added.cacheRead + added.cacheWrite;
  if (count === 0) return before.estimate;
  const p = priceOf(model);
  if (p === null) return { ...before.estimate, unpricedTokens: before.estimate.unpricedTokens + count };
  return { ...before.estimate, usd: before.estimate.usd + costOf(added, p) };
}
