/**
 * Gemini CLI's records, one at a time, for the parser in gemini.ts: usage in muxctl's convention, a tool
 * call in words, a message's text, what follows a message in a whole document, and what a Gemini file
 * looks like (for detection). Pure.
 */
import { cleanLine, firstLine, logEvent, type LogEvent, type LogTokens } from './event.js';
import { asArray, asNumber, asObject, asString, parseTime, readJsonLine, type JsonObject } from './json.js';
import { describeToolCall } from './tools.js';

/** What comes after a message: more of the model's work, a prompt, nothing, or not known yet. */
export type Next = 'model' | 'prompt' | 'none' | 'unknown';

/** Lines the CLI sends by itself to make the model go on: not a person's prompt. */
/** Tool names kept by call id (a tool_result names only its id), oldest dropped first. */
export const TOOL_NAMES_KEPT = 512;

export const CONTINUATIONS = new Set(['Please continue.', 'System: Please continue.']);

/** What follows message `index` in a whole document: more of the model's work, a prompt, or nothing. */
export function nextOf(records: readonly JsonObject[], index: number): Next {
  for (const record of records.slice(index + 1)) {
    const type = asString(record['type']);
    if (type === 'gemini') return 'model';
    if (type !== 'user') continue;
    const sent = partsText(record['content']).trim();
    if (isToolResponse(record['content']) || CONTINUATIONS.has(sent)) return 'model';
    return 'prompt';
  }
  return 'none';
}

/**
 * Gemini's usage in muxctl's convention: `input` without the cached part (promptTokenCount counts it)
 * plus the tool-use prompt, `output` with the thinking tokens, so input + output + cacheRead = total.
 */
export function geminiTokens(value: unknown): LogTokens | undefined {
  const usage = asObject(value);
  const input = asNumber(usage?.['input']);
  const output = asNumber(usage?.['output']);
  if (usage === undefined || (input === undefined && output === undefined)) return undefined;
  const cached = asNumber(usage['cached']) ?? 0;
  const tokens: LogTokens = {
    input: Math.max(0, (input ?? 0) - cached) + (asNumber(usage['tool']) ?? 0),
    output: (output ?? 0) + (asNumber(usage['thoughts']) ?? 0),
  };
  if (cached > 0) tokens.cacheRead = cached;
  // 0.8 wrote all-zero counts on some messages: nothing to add.
  return tokens.input + tokens.output + cached === 0 ? undefined : tokens;
}

/** The result line's stats in the same convention: what total_tokens holds beyond prompt and reply is thinking. */
export function streamTokens(value: unknown): LogTokens | undefined {
  const stats = asObject(value);
  const prompt = asNumber(stats?.['input_tokens']);
  const candidates = asNumber(stats?.['output_tokens']);
  if (stats === undefined || (prompt === undefined && candidates === undefined)) return undefined;
  const cached = asNumber(stats['cached']) ?? 0;
  const input = asNumber(stats['input']) ?? Math.max(0, (prompt ?? 0) - cached);
  const total = asNumber(stats['total_tokens']);
  const rest = total === undefined ? 0 : Math.max(0, total - (prompt ?? 0) - (candidates ?? 0));
  const tokens: LogTokens = { input, output: (candidates ?? 0) + rest };
  if (cached > 0) tokens.cacheRead = cached;
  return tokens;
}

export function resultEvent(obj: JsonObject, time: number | null): LogEvent {
  const ok = asString(obj['status']) === 'success';
  const stats = asObject(obj['stats']);
  const ms = asNumber(stats?.['duration_ms']);
  const calls = asNumber(stats?.['tool_calls']);
  const how = [ms !== undefined && `${(ms / 1000).toFixed(1)} s`, calls !== undefined && `${calls} tool call${calls === 1 ? '' : 's'}`].filter(Boolean).join(', ');
  const why = asString(asObject(obj['error'])?.['message']);
  const text = `${ok ? 'done' : 'failed'}${how ? ` (${how})` : ''}${why ? `: ${why}` : ''}`;
  // The run's totals: one `gemini -p` per result, so a file of several runs adds them up.
  return logEvent('result', time, text, { ok, tokens: streamTokens(stats), model: mainModel(stats?.['models']) });
}

/** The model that did most of the run (auto routing sends small calls to a lighter one). */
export function mainModel(value: unknown): string | undefined {
  let best: { name: string; tokens: number } | undefined;
  for (const [name, usage] of Object.entries(asObject(value) ?? {})) {
    const tokens = asNumber(asObject(usage)?.['total_tokens']) ?? 0;
    if (best === undefined || tokens > best.tokens) best = { name, tokens };
  }
  return best?.name;
}

/** "read_file src/app.ts", "run_shell_command npm test"; Gemini's own argument names where tools.ts has none. */
export function describeGeminiCall(tool: string, args: unknown): string {
  const text = describeToolCall(tool, args);
  if (text !== tool) return text;
  const fields = asObject(args);
  for (const key of ['dir_path', 'absolute_path', 'title']) {
    const value = asString(fields?.[key]);
    if (value?.trim()) return `${tool} ${firstLine(value)}`;
  }
  return tool;
}

/** "success: Listed 2 item(s).", "error: Path must be absolute: .", "cancelled: [Operation Cancelled] …". */
export function callOutcome(status: string, call: JsonObject): string {
  const display = asString(call['resultDisplay']);
  const response = asObject(asObject(asObject(asArray(call['result'])?.[0])?.['functionResponse'])?.['response']);
  const said = asString(response?.['error']) ?? display ?? asString(response?.['output']) ?? '';
  const detail = firstLine(said).trim();
  return detail ? `${status}: ${detail}` : status;
}

export function lastCallTime(calls: readonly JsonObject[]): number | null {
  const times = calls.map((call) => parseTime(call['timestamp'])).filter((t): t is number => t !== null);
  return times.length === 0 ? null : Math.max(...times);
}

/** The text of a PartListUnion: a string, a part, or parts; thoughts and calls are not text. */
export function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  const parts = asArray(content) ?? (asObject(content) ? [content] : []);
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const fields = asObject(part);
      return fields === undefined || fields['thought'] === true ? '' : (asString(fields['text']) ?? '');
    })
    .join('');
}

/** From 0.44 tool responses are recorded as user messages of functionResponse parts: not a prompt. */
export function isToolResponse(content: unknown): boolean {
  const parts = asArray(content);
  if (!parts || parts.length === 0) return false;
  return parts.every((part) => asObject(part)?.['functionResponse'] !== undefined);
}

export function remember(names: Map<string, string>, id: string, tool: string): void {
  names.set(id, tool);
  if (names.size > TOOL_NAMES_KEPT) {
    const oldest = names.keys().next().value;
    if (oldest !== undefined) names.delete(oldest);
  }
}

/** Shapes only Gemini CLI writes: a saved chat's header or messages, or stream-json events. */
export function looksLikeGemini(firstLines: readonly string[], fileName: string): boolean {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  // chatRecordingService: session-<ISO minute with dashes>-<first 8 of the session id>.json(l).
  if (/^session-\d{4}-\d\d-\d\dT\d\d-\d\d-[\w-]+\.jsonl?$/.test(base)) return true;
  const lines = firstLines.map(cleanLine).filter((line) => line.trim() !== '');
  if (lines[0]?.trim() === '{') {
    const head = lines.slice(0, 6).join('\n');
    return /^\s*"sessionId"\s*:/m.test(head) && /^\s*"projectHash"\s*:/m.test(head);
  }
  return lines.some((line) => {
    const read = readJsonLine(line);
    return 'obj' in read && isGeminiShape(read.obj);
  });
}

export function isGeminiShape(obj: JsonObject): boolean {
  const type = asString(obj['type']);
  if (asString(obj['sessionId']) !== undefined && asString(obj['projectHash']) !== undefined) return true;
  if (asString(obj['id']) !== undefined && 'content' in obj && (type === 'gemini' || (type === 'user' && !('message' in obj)))) return true;
  if ('subtype' in obj) return false;
  switch (type) {
    case 'init':
      return asString(obj['session_id']) !== undefined && asString(obj['model']) !== undefined;
    case 'tool_use':
      return asString(obj['tool_name']) !== undefined && asString(obj['tool_id']) !== undefined;
    case 'tool_result':
      return asString(obj['tool_id']) !== undefined && asString(obj['status']) !== undefined;
    case 'result':
      return asNumber(asObject(obj['stats'])?.['total_tokens']) !== undefined;
    default:
      return false;
  }
}
