/**
 * `claude -p --output-format stream-json --verbose`: system/init, then assistant and user messages, then
 * one `result` line with the outcome, the total cost and the tokens of the whole run. No timestamps.
 */
import { firstLine, logEvent, type LogEvent, type ParsedLine } from './event.js';
import { assistantEvents, claudeUsage, userEvents, type ClaudeLineContext, type MessageUsageLedger } from './claude-message.js';
import { asArray, asBoolean, asNumber, asObject, asString, parseTime, readJsonLine, type JsonObject } from './json.js';

/** One stream-json line. Stateless; a ledger dedupes usage repeated across lines of one message. */
export function parseClaudeStreamJsonLine(line: string, ledger?: MessageUsageLedger): ParsedLine {
  const read = readJsonLine(line);
  if ('malformed' in read) return read;
  return { events: streamJsonEvents(read.obj, ledger) };
}

function streamJsonEvents(obj: JsonObject, ledger: MessageUsageLedger | undefined): LogEvent[] {
  const type = asString(obj['type']);
  const ctx: ClaudeLineContext = {
    time: parseTime(obj['timestamp']),
    // Subagent messages carry the Task call's id here.
    sidechain: asString(obj['parent_tool_use_id']) !== undefined,
    apiError: asBoolean(obj['isApiErrorMessage']) === true,
  };
  const message = asObject(obj['message']);
  switch (type) {
    case 'system':
      return [systemEvent(obj, ctx.time)];
    case 'assistant':
      return message ? assistantEvents(message, ctx, ledger) : [];
    case 'user':
      return message ? userEvents(message, ctx) : [];
    case 'result':
      return [resultEvent(obj, ctx.time)];
    case 'stream_event':
      // Partial deltas (--include-partial-messages): the complete message follows as its own line.
      return [];
    case 'keep_alive':
      return [logEvent('heartbeat', ctx.time, 'keep alive')];
    default:
      return [logEvent('status', ctx.time, `claude-stream-json: unrecognised line type "${type ?? '(none)'}"`, { level: 'debug' })];
  }
}

function systemEvent(obj: JsonObject, time: number | null): LogEvent {
  const subtype = asString(obj['subtype']) ?? 'event';
  if (subtype === 'init') {
    const model = asString(obj['model']);
    const version = asString(obj['claude_code_version']);
    const parts = ['session started', model && `model ${model}`, version && `Claude Code ${version}`, asString(obj['permissionMode']) && `permissions ${String(obj['permissionMode'])}`];
    return logEvent('status', time, parts.filter(Boolean).join(' · '), { model });
  }
  const text = asString(obj['content']) ?? asString(obj['message']) ?? subtype.replaceAll('_', ' ');
  return logEvent('status', time, text, { level: 'debug' });
}

/** Why a run stopped, per `subtype`, in the words a person would use. */
const RESULT_REASONS: Record<string, string> = {
  error_max_turns: 'stopped: reached the maximum number of turns',
  error_during_execution: 'failed during execution',
  error_max_budget_usd: 'stopped: reached the cost budget',
  error_max_structured_output_retries: 'stopped: could not produce the structured output',
};

function resultEvent(obj: JsonObject, time: number | null): LogEvent {
  const subtype = asString(obj['subtype']) ?? 'unknown';
  const ok = subtype === 'success' && asBoolean(obj['is_error']) !== true;
  const ms = asNumber(obj['duration_ms']);
  const turns = asNumber(obj['num_turns']);
  const how = [ms !== undefined && `${(ms / 1000).toFixed(1)} s`, turns !== undefined && `${turns} turn${turns === 1 ? '' : 's'}`]
    .filter(Boolean)
    .join(', ');
  const errors = (asArray(obj['errors']) ?? []).map((e) => (typeof e === 'string' ? e : (asString(asObject(e)?.['message']) ?? ''))).filter(Boolean);
  const detail = errors[0] ?? firstLine(asString(obj['result']) ?? '');
  const reason = ok ? 'done' : Object.hasOwn(RESULT_REASONS, subtype) ? RESULT_REASONS[subtype] : `failed (${subtype})`;
  const outcome = `${reason}${how ? ` (${how})` : ''}${detail ? `: ${detail}` : ''}`;
  // The result's usage and cost are totals for the whole run, not one more message: mark them so a
  // consumer replaces its running sum instead of adding to it.
  const tokens = claudeUsage(obj['usage']);
  return logEvent('result', time, outcome, {
    ok,
    tokens,
    tokensCumulative: tokens ? true : undefined,
    costUsd: asNumber(obj['total_cost_usd']),
  });
}
