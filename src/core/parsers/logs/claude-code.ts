/**
 * Claude Code's interactive transcript (`~/.claude/projects/<project>/<session>.jsonl`): one JSON object
 * per line, `type` user / assistant / system / summary plus bookkeeping lines. What it cannot say: that
 * the agent waits for a permission answer (a tool_use without its tool_result is all there is).
 */
import { logEvent, type LogEvent, type LogLevel, type ParsedLine } from './event.js';
import { assistantEvents, userEvents, type ClaudeLineContext, type MessageUsageLedger } from './claude-message.js';
import { asBoolean, asNumber, asObject, asString, parseTime, readJsonLine, type JsonObject } from './json.js';

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
      return message ? assistantEvents(message, ctx, ledger) : [];
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
    case 'compact_boundary':
      return [logEvent('status', time, content || 'conversation compacted')];
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

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
