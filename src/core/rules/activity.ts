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
  const next: Activity = { ...a, lastEventAt: receivedAt };
  if (e.tokens) {
    const t = e.tokens;
    if (e.tokensCumulative) {
      next.tokens = { input: Math.max(a.tokens.input, t.input), output: Math.max(a.tokens.output, t.output) };
      next.cache = { read: Math.max(a.cache.read, t.cacheRead ?? 0), write: Math.max(a.cache.write, t.cacheWrite ?? 0) };
    } else {
      next.tokens = { input: a.tokens.input + t.input, output: a.tokens.output + t.output };
      next.cache = { read: a.cache.read + (t.cacheRead ?? 0), write: a.cache.write + (t.cacheWrite ?? 0) };
    }
    next.estimate = priced(a, next, e.model ?? a.model);
  }
  if (e.model !== undefined) next.model = e.model;
  if (e.costUsd !== undefined) {
    // Costs follow the tokens: a running total (a stream-json result) replaces, a turn's cost adds.
    next.costUsd = e.tokensCumulative ? Math.max(a.costUsd ?? 0, e.costUsd) : (a.costUsd ?? 0) + e.costUsd;
  }
  if (e.level === 'error' || e.kind === 'error') {
    next.errors = a.errors + 1;
    next.lastError = e.text;
  }
  if (e.limit) {
    const at = e.time ?? receivedAt;
    // A second word of the same limit (Codex's turn.failed after its error, cut short) keeps the reset already known.
    next.limit = { text: e.limit.text, resetsAt: e.limit.resetsAt ?? resetTime(e.limit.text, at) ?? a.limit?.resetsAt ?? null, at };
  }
  // The agent at work again (a prompt, its reply, a tool) is past its limit.
  else if (a.limit && TURN_EVENTS.has(e.kind) && e.level !== 'debug') next.limit = null;
  // Anything after a pending question other than a heartbeat means the person answered it.
  if (a.pending && e.kind !== 'heartbeat' && !e.pending) next.pending = null;

  switch (e.kind) {
    case 'heartbeat':
      next.lastHeartbeatAt = receivedAt;
      break;
    case 'prompt':
      next.lastPrompt = e.text;
      next.turnOpen = true;
      break;
    case 'message':
      next.lastMessage = e.text;
      next.turnOpen = true;
      break;
    case 'tool_start':
      next.lastTool = { name: e.tool ?? 'tool', text: e.text, at: receivedAt, open: true, ok: null };
      next.openTools = a.openTools + 1;
      next.turnOpen = true;
      if (e.pending) next.pending = { kind: e.pending, text: e.text, at: receivedAt };
      break;
    case 'tool_end':
      next.openTools = Math.max(0, a.openTools - 1);
      if (a.lastTool) next.lastTool = { ...a.lastTool, open: next.openTools > 0, ok: e.ok ?? null };
      break;
    case 'question':
      next.pending = { kind: e.pending ?? 'question', text: e.text, at: receivedAt };
      next.turnOpen = true;
      break;
    case 'turn_end':
    case 'result':
      // The session ending at the prompt (`/exit` between turns) keeps how the last turn went.
      if (e.endsSession === true && !a.turnOpen && a.lastOutcome !== null) {
        next.lastOutcome = { ...a.lastOutcome, endsSession: true };
        break;
      }
      next.turnOpen = false;
      next.openTools = 0;
      next.pending = null;
      // A turn interrupted mid-call leaves its tool unfinished: it did not succeed.
      if (a.lastTool) next.lastTool = { ...a.lastTool, open: false, ok: a.lastTool.open && e.ok === false ? false : a.lastTool.ok };
      next.lastOutcome = { ok: e.ok ?? null, text: e.text, at: receivedAt, ...(e.endsSession === true ? { endsSession: true as const } : {}) };
      break;
    case 'status':
      next.status = { text: e.text, at: receivedAt };
      break;
    case 'checkpoint':
      next.checkpoint = { text: e.text, at: receivedAt };
      break;
    case 'error':
      break;
  }
  // A reply that may end the turn stays the last word until more work comes (a thought is not work).
  if (e.mayEndTurn === true) next.replied = true;
  else if (e.kind === 'tool_start' || e.kind === 'tool_end' || e.kind === 'prompt' || e.kind === 'question' || (e.kind === 'message' && e.level !== 'debug')) next.replied = false;
  if (!next.turnOpen) {
    next.turnSeenAt = null;
    next.replied = false;
  }
  else if (TURN_EVENTS.has(e.kind)) next.turnSeenAt = receivedAt;
  return next;
}

/**
 * The estimate after an event's tokens: what they added to the totals (an increase, or a running total's
 * growth, so neither kind is priced twice) at the price of the model that used them.
 */
function priced(before: Activity, after: Activity, model: string | null): Activity['estimate'] {
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
