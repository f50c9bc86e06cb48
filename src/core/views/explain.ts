/**
 * `muxctl explain`: what muxctl reads from one log, so a person who thinks a panel is wrong can see why.
 * The detected format and what the guess rests on, each turn with its start and end, the last tool,
 * tokens and cost, a question left pending, how the session ended, and the lines it could not read,
 * the first few shown. Pure: the caller reads the file.
 */
import type { LogFormat } from '../config/types.js';
import { createLogParser, type LogEvent } from '../parsers/logs/index.js';
import { detectFormatWhy } from '../parsers/logs/detect.js';
import { EMPTY_ACTIVITY, foldEvent } from '../rules/activity.js';

export interface ExplainedTurn {
  /** Line number (1-based) and time of what opened it; the prompt, when a person's prompt did. */
  startLine: number;
  startedAt: number | null;
  prompt: string | null;
  /** Line and time of what closed it, and how; null while open. */
  endLine: number | null;
  endedAt: number | null;
  outcome: string | null;
  ok: boolean | null;
}

export interface Explanation {
  file: string;
  format: string;
  why: string;
  lines: number;
  events: number;
  turns: ExplainedTurn[];
  lastTool: { name: string; text: string; open: boolean; ok: boolean | null } | null;
  tokens: { input: number; output: number; cacheRead?: number; cacheWrite?: number } | null;
  costUsd: number | null;
  /** When the log gives no cost: the tokens at their models' list prices, and how many tokens had no price. */
  estimate: { usd: number; unpricedTokens: number } | null;
  model: string | null;
  pending: { kind: string; text: string } | null;
  /** The usage limit the log ends under, with its reset time (epoch ms) when it says. */
  limit: { text: string; resetsAt: number | null } | null;
  sessionEnded: boolean;
  unreadable: { count: number; first: Array<{ line: number; why: string; text: string }> };
}

const SHOWN_UNREADABLE = 3;

/** Reads `lines` as muxctl would follow them with `format` (auto: detected from the first lines and the name). */
export function explainLog(file: string, lines: readonly string[], format: LogFormat): Explanation {
  const detected = format === 'auto' ? detectFormatWhy(lines.slice(0, 8), file) : { format, why: 'set in the config (log.format)' };
  const base = { file, why: detected.why, lines: lines.length, turns: [], lastTool: null, tokens: null, costUsd: null, estimate: null, model: null, pending: null, limit: null, sessionEnded: false };
  if (typeof detected.format !== 'string') {
    return { ...base, format: 'refused', events: 0, unreadable: { count: lines.length, first: [{ line: 1, why: detected.format.malformed, text: clip(lines[0] ?? '') }] } };
  }
  const parser = createLogParser(detected.format);
  const turns: ExplainedTurn[] = [];
  const unreadable: Explanation['unreadable'] = { count: 0, first: [] };
  let activity = EMPTY_ACTIVITY;
  let events = 0;
  let model: string | null = null;
  let open: ExplainedTurn | null = null;
  lines.forEach((line, index) => {
    const parsed = parser.push(line);
    if ('malformed' in parsed) {
      unreadable.count += 1;
      if (unreadable.first.length < SHOWN_UNREADABLE) unreadable.first.push({ line: index + 1, why: parsed.malformed, text: clip(line) });
      return;
    }
    for (const event of parsed.events) {
      events += 1;
      activity = foldEvent(activity, event, event.time ?? 0);
      if (event.model !== undefined) model = event.model;
      open = turnStep(turns, open, event, index + 1);
    }
  });
  const a = activity;
  return {
    ...base,
    format: detected.format,
    events,
    turns,
    lastTool: a.lastTool ? { name: a.lastTool.name, text: a.lastTool.text, open: a.lastTool.open, ok: a.lastTool.ok } : null,
    tokens: a.tokens.input + a.tokens.output + a.cache.read + a.cache.write > 0 ? { ...a.tokens, ...(a.cache.read > 0 ? { cacheRead: a.cache.read } : {}), ...(a.cache.write > 0 ? { cacheWrite: a.cache.write } : {}) } : null,
    costUsd: a.costUsd,
    estimate: a.costUsd === null && a.estimate.usd + a.estimate.unpricedTokens > 0 ? a.estimate : null,
    model,
    pending: a.pending ? { kind: a.pending.kind, text: a.pending.text } : null,
    limit: a.limit ? { text: a.limit.text, resetsAt: a.limit.resetsAt } : null,
    sessionEnded: a.lastOutcome?.endsSession === true && !a.turnOpen,
    unreadable,
  };
}

/** A turn opens on a prompt (or on work with none open) and closes on a turn end or result. */
function turnStep(turns: ExplainedTurn[], open: ExplainedTurn | null, event: LogEvent, line: number): ExplainedTurn | null {
  const opens = event.kind === 'prompt' || ((event.kind === 'message' || event.kind === 'tool_start' || event.kind === 'question') && open === null);
  if (opens) {
    if (open !== null) Object.assign(open, { endLine: line, endedAt: event.time, outcome: 'a new prompt came before it ended' });
    const turn: ExplainedTurn = { startLine: line, startedAt: event.time, prompt: event.kind === 'prompt' ? event.text : null, endLine: null, endedAt: null, outcome: null, ok: null };
    turns.push(turn);
    return turn;
  }
  // The session ending between turns (`/exit` at the prompt) closes nothing: it is shown on its own.
  if (event.endsSession === true && open === null) return null;
  if (event.kind === 'turn_end' || event.kind === 'result') {
    const turn = open ?? { startLine: line, startedAt: event.time, prompt: null, endLine: null, endedAt: null, outcome: null, ok: null };
    if (open === null) turns.push(turn);
    Object.assign(turn, { endLine: line, endedAt: event.time, outcome: event.text, ok: event.ok ?? null });
    return null;
  }
  return open;
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** The explanation as a person reads it. `time` formats an epoch ms (the caller's clock and zone). */
export function renderExplanation(e: Explanation, time: (ms: number) => string): string {
  const at = (ms: number | null) => (ms === null ? '' : ` ${time(ms)}`);
  const out: string[] = [`${e.file}`, `format: ${e.format} — ${e.why}`, `${e.lines} lines, ${e.events} events, ${e.unreadable.count} unreadable`];
  out.push('', `turns (${e.turns.length}):`);
  const shown = e.turns.slice(-10);
  if (e.turns.length > shown.length) out.push(`  … ${e.turns.length - shown.length} earlier`);
  for (const t of shown) {
    const what = t.prompt === null ? '(no prompt)' : JSON.stringify(clip(t.prompt));
    const end = t.endLine === null ? 'OPEN' : `line ${t.endLine}${at(t.endedAt)}: ${t.outcome ?? 'ended'}${t.ok === false ? ' (failed)' : ''}`;
    out.push(`  line ${t.startLine}${at(t.startedAt)} ${what} → ${end}`);
  }
  const last = e.turns.at(-1);
  out.push('', `last turn: ${last === undefined ? 'none' : last.endLine === null ? 'open' : 'done'}${e.sessionEnded ? ' · the session ended' : ''}`);
  if (e.lastTool) out.push(`last tool: ${e.lastTool.name} ${JSON.stringify(clip(e.lastTool.text))} · ${e.lastTool.open ? 'running' : e.lastTool.ok === false ? 'failed' : e.lastTool.ok === true ? 'ok' : 'ended'}`);
  if (e.pending) out.push(`waiting: ${e.pending.kind}: ${clip(e.pending.text)}`);
  if (e.tokens) {
    const cache = [e.tokens.cacheRead ? `${e.tokens.cacheRead} cache read` : '', e.tokens.cacheWrite ? `${e.tokens.cacheWrite} cache write` : ''].filter(Boolean).join(', ');
    out.push(`tokens: ${e.tokens.input} in, ${e.tokens.output} out${cache ? `, ${cache}` : ''}`);
  }
  if (e.costUsd !== null) out.push(`cost: $${e.costUsd.toFixed(4)} (as the log gives it)`);
  else if (e.estimate !== null) {
    const unpriced = e.estimate.unpricedTokens > 0 ? `; ${e.estimate.unpricedTokens} tokens of a model without a known price not counted` : '';
    out.push(`cost: ≈$${e.estimate.usd.toFixed(4)}, an estimate at the models' API list prices (the log gives none)${unpriced}`);
  }
  if (e.limit) out.push(`usage limit: ${e.limit.text} · ${e.limit.resetsAt === null ? 'reset time not given' : `resets${at(e.limit.resetsAt)}`}`);
  if (e.model) out.push(`model: ${e.model}`);
  if (e.unreadable.count > 0) {
    out.push('', `unreadable lines (${e.unreadable.count}):`);
    for (const u of e.unreadable.first) out.push(`  line ${u.line}: ${u.why}: ${u.text}`);
  }
  return out.join('\n') + '\n';
}
