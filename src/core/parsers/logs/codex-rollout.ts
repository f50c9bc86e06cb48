/**
 * Codex session rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`): `{timestamp, type, payload}`
 * lines. `event_msg` is what the UI showed (messages, token counts, task start/complete); `response_item`
 * is what the model saw (tool calls and their outputs, and the same messages again — read once, from
 * event_msg). Rollouts never record approval requests or errors; token_count numbers are running totals.
 * Rollouts older than the envelope (2025 spring) wrote bare response items: those are read too.
 */
import { firstLine, logEvent, type LogEvent, type LogTokens, type ParsedLine } from './event.js';
import { asArray, asBoolean, asNumber, asObject, asString, parseTime, readJsonLine, type JsonObject } from './json.js';
import { describeToolCall, pendingKind, toolSubject } from './tools.js';

/**
 * What a followed rollout has shown so far: once it recorded a task_started or task_complete, its turns
 * end there, and a message never ends one (see legacyTurnEnd).
 */
export interface RolloutMemory {
  recordsTurns: boolean;
}

export function parseCodexRolloutLine(line: string, memory?: RolloutMemory): ParsedLine {
  const read = readJsonLine(line);
  if ('malformed' in read) return read;
  const obj = read.obj;
  const time = parseTime(obj['timestamp']);
  const payload = asObject(obj['payload']);
  if (payload === undefined) return { events: bareLineEvents(obj, time) };
  switch (asString(obj['type'])) {
    case 'session_meta': {
      const version = asString(payload['cli_version']);
      const origin = asString(payload['originator']);
      return { events: [logEvent('status', time, `codex session started${version ? ` · codex ${version}` : ''}${origin ? ` (${origin})` : ''}`)] };
    }
    case 'turn_context': {
      const model = asString(payload['model']);
      const approval = asString(payload['approval_policy']);
      const text = [model && `model ${model}`, approval && `approval ${approval}`].filter(Boolean).join(' · ');
      return { events: [logEvent('status', time, text || 'turn context', { level: 'debug', model })] };
    }
    case 'event_msg': {
      const kind = asString(payload['type']);
      if (memory !== undefined && (kind === 'task_started' || kind === 'task_complete')) memory.recordsTurns = true;
      return { events: codexEventMsg(payload, time) };
    }
    case 'response_item': {
      const events = responseItemEvents(payload, time, false);
      return { events: memory?.recordsTurns === true ? events.filter((e) => e.kind !== 'turn_end') : events };
    }
    case 'compacted':
      return { events: [logEvent('status', time, 'conversation compacted')] };
    default:
      return { events: [logEvent('status', time, `codex-rollout: unrecognised line type "${asString(obj['type']) ?? '(none)'}"`, { level: 'debug' })] };
  }
}

/** Pre-envelope rollouts: a session header line, `record_type` markers, then bare response items. */
function bareLineEvents(obj: JsonObject, time: number | null): LogEvent[] {
  if (asString(obj['record_type']) !== undefined) return [];
  if (asString(obj['type']) === undefined && asString(obj['id']) !== undefined) return [logEvent('status', time, 'codex session started')];
  return responseItemEvents(obj, time, true);
}

/**
 * The token numbers codex reports, in muxctl's convention: `input` without the cached part (OpenAI counts
 * cached tokens inside input_tokens; Anthropic does not), so input + output + cacheRead is the total for
 * every format.
 */
export function codexTokens(value: unknown): LogTokens | undefined {
  const usage = asObject(value);
  const input = asNumber(usage?.['input_tokens']);
  const output = asNumber(usage?.['output_tokens']);
  if (usage === undefined || (input === undefined && output === undefined)) return undefined;
  const cached = asNumber(usage['cached_input_tokens']) ?? 0;
  const tokens: LogTokens = { input: Math.max(0, (input ?? 0) - cached), output: output ?? 0 };
  if (cached > 0) tokens.cacheRead = cached;
  return tokens;
}

/** `event_msg` payloads; also the `msg` of old `codex exec --json` lines, which share this protocol. */
export function codexEventMsg(payload: JsonObject, time: number | null): LogEvent[] {
  const type = asString(payload['type']);
  const message = asString(payload['message']) ?? '';
  switch (type) {
    case 'task_started':
      return [logEvent('status', time, 'turn started')];
    case 'user_message':
      return [logEvent('prompt', time, message)];
    case 'agent_message':
      return [logEvent('message', time, message)];
    case 'agent_reasoning':
      return [logEvent('message', time, `thinking: ${asString(payload['text']) ?? ''}`, { level: 'debug' })];
    case 'token_count': {
      const limit = rateLimitReached(asObject(payload['rate_limits']), time);
      const tokens = codexTokens(asObject(payload['info'])?.['total_token_usage']);
      if (tokens === undefined) return limit === undefined ? [] : [logEvent('error', time, limit.text, { limit })];
      const text = `tokens so far: ${tokens.input + (tokens.cacheRead ?? 0)} in (${tokens.cacheRead ?? 0} cached), ${tokens.output} out`;
      const counted = logEvent('status', time, text, { level: 'debug', tokens, tokensCumulative: true });
      return limit === undefined ? [counted] : [counted, logEvent('error', time, limit.text, { limit })];
    }
    case 'task_complete': {
      const last = firstLine(asString(payload['last_agent_message']) ?? '');
      return [logEvent('turn_end', time, last ? `turn done: ${last}` : 'turn done', { ok: true })];
    }
    case 'turn_aborted':
      return [logEvent('turn_end', time, `turn aborted: ${asString(payload['reason']) ?? 'unknown reason'}`, { ok: false })];
    case 'error':
      return [logEvent('error', time, message || 'error')];
    case 'stream_error':
      return [logEvent('status', time, message || 'stream error, retrying', { level: 'warn' })];
    case 'exec_approval_request':
    case 'apply_patch_approval_request': {
      const command = asArray(payload['command'])?.filter((part) => typeof part === 'string').join(' ');
      const what = command ? `run ${command}` : 'apply a patch';
      return [logEvent('question', time, `asks to ${what}`, { pending: 'question', toolId: asString(payload['call_id']) })];
    }
    case undefined:
      return [logEvent('status', time, 'codex: an event without a type', { level: 'debug' })];
    default:
      // exec_command_begin/end, patch_apply_*, mcp_tool_call_* repeat the response items' tool calls.
      return [];
  }
}

function responseItemEvents(item: JsonObject, time: number | null, bare: boolean): LogEvent[] {
  const type = asString(item['type']);
  switch (type) {
    case 'function_call':
    case 'custom_tool_call': {
      const tool = asString(item['name']) ?? 'tool';
      const input = type === 'function_call' ? parseArguments(item['arguments']) : item['input'];
      return [logEvent('tool_start', time, describeToolCall(tool, input), { tool, toolId: callId(item), pending: pendingKind(tool) })];
    }
    case 'local_shell_call': {
      const command = asObject(item['action'])?.['command'];
      return [logEvent('tool_start', time, `shell ${toolSubject('shell', { command })}`, { tool: 'shell', toolId: callId(item) })];
    }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const outcome = toolOutcome(item['output']);
      return [logEvent('tool_end', time, outcome.text, { toolId: callId(item), ok: outcome.ok })];
    }
    case 'message': {
      if (asString(item['role']) !== 'assistant') return [];
      const text = (asArray(item['content']) ?? []).map((part) => asString(asObject(part)?.['text']) ?? '').join(' ');
      if (bare) return text.trim() === '' ? [] : [logEvent('message', time, text)];
      // The envelope format repeats every message as an event_msg, read there. Its response_item copy
      // still tells one thing: where a turn ends in the rollouts that record no end.
      return legacyTurnEnd(item, text, time);
    }
    default:
      return [];
  }
}

/**
 * Where a turn ends in a rollout that never says so. Codex 0.40 (and the versions around it) persisted
 * no task_started / task_complete: a turn there runs user_message … agent_message, token_count, then
 * the response's items, reasoning and, last, the assistant `message` — and a response that asks for a
 * tool has its function_call after that message. Newer rollouts (0.104, 0.125) end each turn with
 * task_complete, and they mark every assistant message with a `phase` (`commentary` before a tool call,
 * `final_answer`). So: an assistant message item *without* `phase` is taken as the end of its turn, and
 * one with a phase never is (task_complete says it). The line alone cannot tell an old final answer
 * from an old preamble; a preamble's function_call comes on the very next line and opens the turn again.
 * A followed file's parser (createLogParser) also remembers whether the rollout ever recorded a
 * task_started or task_complete: from then on, a message ends no turn, phase or not.
 */
function legacyTurnEnd(item: JsonObject, text: string, time: number | null): LogEvent[] {
  if (asString(item['phase']) !== undefined) return [];
  const last = firstLine(text).trim();
  return [logEvent('turn_end', time, last ? `turn done: ${last}` : 'turn done', { ok: true })];
}

const callId = (item: JsonObject) => asString(item['call_id']) ?? asString(item['id']);

function parseArguments(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** A tool output's exit status, from whichever shape this codex version wrote. */
function toolOutcome(output: unknown): { text: string; ok?: boolean } {
  const structured = asObject(output);
  if (structured !== undefined) {
    const ok = asBoolean(structured['success']);
    const text = firstLine(asString(structured['content']) ?? '') || 'done';
    return ok === undefined ? { text } : { text, ok };
  }
  const raw = asString(output) ?? '';
  const parsed = asObject(parseArguments(raw));
  const jsonExit = asNumber(asObject(parsed?.['metadata'])?.['exit_code']);
  if (parsed !== undefined && jsonExit !== undefined) return exitOutcome(jsonExit, asString(parsed['output']) ?? '');
  const textExit = /^(?:Exit code:|Process exited with code) (-?\d+)/m.exec(raw);
  if (textExit?.[1] !== undefined) return exitOutcome(Number(textExit[1]), raw.split(/^Output:\s*$/m)[1] ?? '');
  return { text: firstLine(raw) || '(no output)' };
}

function exitOutcome(code: number, output: string): { text: string; ok: boolean } {
  const line = firstLine(output).trim();
  return { text: `exit ${code}${line ? `: ${line}` : ''}`, ok: code === 0 };
}

/**
 * `token_count.rate_limits` (the rollouts' only word on limits: they do not keep Codex's errors): a window
 * used up (`used_percent` 100), or, from 2026, `rate_limit_reached_type` set ("rate_limit_reached",
 * "workspace_owner_credits_depleted", …). The reset: the used-up window's `resets_at` (epoch seconds) or
 * `resets_in_seconds` from the line's time.
 */
function rateLimitReached(limits: JsonObject | undefined, time: number | null): { text: string; resetsAt?: number } | undefined {
  if (limits === undefined) return undefined;
  const reached = asString(limits['rate_limit_reached_type']);
  const windows = (['primary', 'secondary'] as const).flatMap((key) => {
    const w = asObject(limits[key]);
    return w === undefined ? [] : [{ key, used: asNumber(w['used_percent']) ?? 0, minutes: asNumber(w['window_minutes']), resetsAt: windowReset(w, time) }];
  });
  const full = windows.filter((w) => w.used >= 100);
  if (reached === undefined && full.length === 0) return undefined;
  const resets = full.flatMap((w) => (w.resetsAt === undefined ? [] : [w.resetsAt]));
  const what = full.map((w) => (w.minutes === undefined ? `${w.key} window` : `${windowName(w.minutes)} window`)).join(' and ');
  const text = `usage limit reached: ${reached ?? `${what} used up`}`;
  return resets.length > 0 ? { text, resetsAt: Math.max(...resets) } : { text };
}

function windowReset(w: JsonObject, time: number | null): number | undefined {
  const at = asNumber(w['resets_at']);
  if (at !== undefined) return at * 1000;
  const inSeconds = asNumber(w['resets_in_seconds']);
  return inSeconds !== undefined && time !== null ? time + inSeconds * 1000 : undefined;
}

/** 300 → "5-hour", 10080 → "weekly". */
function windowName(minutes: number): string {
  if (minutes >= 10_000) return 'weekly';
  return minutes % 60 === 0 ? `${minutes / 60}-hour` : `${minutes}-minute`;
}
