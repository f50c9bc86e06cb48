/**
 * Claude Code's interactive transcript (`~/.claude/projects/<project>/<session>.jsonl`): one JSON object
 * per line, `type` user / assistant / system / summary plus bookkeeping lines. What it cannot say: that
 * the agent waits for a permission answer (a tool_use without its tool_result is all there is).
 */
import { logEvent, type LogEvent, type LogLevel, type ParsedLine } from './event.js';
import { assistantEvents, userEvents, type ClaudeLineContext, type MessageUsageLedger } from './claude-message.js';
import { asArray, asBoolean, asNumber, asObject, asString, parseTime, readJsonLine, type JsonObject } from './json.js';

/** Lines that record Claude Code's own bookkeeping, nothing a person watches for. */
const BOOKKEEPING = new Set(['file-history-snapshot', 'queue-operation', 'attachment', 'custom-title', 'ai-title', 'last-prompt', 'tag']);

/**
 * One transcript line. Stateless; pass a ledger (createLogParser does) so lines that repeat the usage of
 * a message already seen report only its increase.
 */
export function parseClaudeCodeLine(line: string, ledger?: MessageUsageLedger): ParsedLine {
  const read = readJsonLine(line);
  if ('malformed' in read) return read;
  return { events: claudeCodeEvents(read.obj, ledger) };
}

function claudeCodeEvents(obj: JsonObject, ledger: MessageUsageLedger | undefined): LogEvent[] {
  const type = asString(obj['type']);
  const ctx: ClaudeLineContext = {
    time: parseTime(obj['timestamp']),
    sidechain: asBoolean(obj['isSidechain']) === true,
    apiError: asBoolean(obj['isApiErrorMessage']) === true,
  };
  const message = asObject(obj['message']);
  switch (type) {
    case 'assistant':
      return message ? withApiErrorEnd(obj, assistantEvents(message, ctx, ledger), ctx) : [];
    case 'user':
      // After a compaction the summary is written as a user message: not something the person typed.
      if (asBoolean(obj['isCompactSummary']) === true) return [logEvent('status', ctx.time, 'conversation compacted (summary follows)')];
      // isMeta marks text Claude Code injects itself (slash-command expansions, caveats): not typed.
      return message && asBoolean(obj['isMeta']) !== true ? userEvents(message, ctx) : [];
    case 'system':
      return systemEvents(obj, ctx.time);
    case 'summary':
      return [logEvent('status', ctx.time, `summary: ${asString(obj['summary']) ?? ''}`, { level: 'debug' })];
    case 'progress':
      // Hook and long-running tool progress: proof of life, nothing to read.
      return [logEvent('heartbeat', ctx.time, 'progress')];
    case undefined:
      return [logEvent('status', ctx.time, 'claude-code: a line without a type', { level: 'debug' })];
    default:
      if (BOOKKEEPING.has(type)) return [];
      return [logEvent('status', ctx.time, `claude-code: unrecognised line type "${type}"`, { level: 'debug' })];
  }
}

const SYSTEM_LEVELS: Record<string, LogLevel> = { error: 'error', warning: 'warn', warn: 'warn', info: 'info', suggestion: 'debug' };

function systemEvents(obj: JsonObject, time: number | null): LogEvent[] {
  const subtype = asString(obj['subtype']);
  const content = asString(obj['content']) ?? '';
  const levelName = asString(obj['level']);
  const level = levelName !== undefined && Object.hasOwn(SYSTEM_LEVELS, levelName) ? SYSTEM_LEVELS[levelName] : undefined;
  switch (subtype) {
    case 'turn_duration': {
      // Claude Code 2.x writes this when a turn ends; stop_reason on the message is usually null there.
      const ms = asNumber(obj['durationMs']);
      return [logEvent('turn_end', time, ms === undefined ? 'turn ended' : `turn ended after ${formatSeconds(ms)}`, { ok: true })];
    }
    case 'stop_hook_summary':
      return [stopHookEnd(obj, time)];
    case 'compact_boundary':
      return [logEvent('status', time, compactText(asObject(obj['compactMetadata'])) ?? (content || 'conversation compacted'))];
    case 'api_error': {
      const error = asObject(obj['error']);
      const why = asString(error?.['message']) ?? (content || 'API error');
      return [logEvent('error', time, why)];
    }
    default:
      if (content === '') return [logEvent('status', time, `system: ${subtype ?? 'event'}`, { level: 'debug' })];
      return [logEvent(level === 'error' ? 'error' : 'status', time, content, { level: level ?? 'info' })];
  }
}

/**
 * An API failure Claude Code gave up on (rate or usage limit, overload, a prompt too long) is written as a
 * synthetic assistant message (`isApiErrorMessage`, model `<synthetic>`, usually `stop_reason:
 * "stop_sequence"`): that message is the turn's last word, so the turn is over, and it did not succeed.
 * Retries before it are `system/api_error` lines, which leave the turn open.
 */
function withApiErrorEnd(obj: JsonObject, events: LogEvent[], ctx: ClaudeLineContext): LogEvent[] {
  if (!ctx.apiError || ctx.sidechain || events.some((e) => e.kind === 'turn_end')) return events;
  const status = asNumber(obj['apiErrorStatus']);
  const why = [asString(obj['error']), status !== undefined && `HTTP ${status}`].filter(Boolean).join(', ');
  return [...events, logEvent('turn_end', ctx.time, `turn stopped by an API error${why ? ` (${why})` : ''}`, { ok: false })];
}

/**
 * Claude Code runs the Stop hooks when the main agent finishes its reply, and (2.0.76 here) writes
 * `system/stop_hook_summary` after them (only when a Stop hook is configured): the end of the turn. A
 * hook that makes Claude go on is followed by more assistant lines, which open the turn again.
 */
function stopHookEnd(obj: JsonObject, time: number | null): LogEvent {
  if (asBoolean(obj['isSidechain']) === true) return logEvent('status', time, 'subagent stop hook ran', { level: 'debug' });
  const failed = (asArray(obj['hookErrors']) ?? []).length > 0;
  return logEvent('turn_end', time, failed ? 'turn ended (a Stop hook failed)' : 'turn ended (Stop hook ran)', { ok: true });
}

/** `compactMetadata: {trigger, preTokens}` → "compacted (manual): 21.6k tokens before"; only what is there. */
function compactText(meta: JsonObject | undefined): string | undefined {
  if (meta === undefined) return undefined;
  const trigger = asString(meta['trigger']);
  const before = asNumber(meta['preTokens']);
  const head = `compacted${trigger ? ` (${trigger})` : ''}`;
  return before === undefined ? head : `${head}: ${kilo(before)} tokens before`;
}

/** 21558 → "21.6k", 38000 → "38k", 512 → "512". */
function kilo(n: number): string {
  if (n < 1000) return String(n);
  return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
