/**
 * Gemini CLI, three shapes read by one stateful parser:
 *
 * - The saved chat, `~/.gemini/tmp/<project>/chats/session-*.json`, up to 0.38: ONE pretty-printed JSON
 *   document `{sessionId, projectHash, startTime, lastUpdated, messages: [...]}` that the CLI rewrites
 *   whole after every change. Its lines are buffered until the document parses (never malformed while
 *   incomplete); a document read again within one parser yields only what is new in it.
 * - The same chat as JSONL, `session-*.jsonl`, from 0.39: a header line `{sessionId, projectHash, …}`,
 *   then message records, `{"$set": {…}}` metadata updates and `{"$rewindTo": id}`. A message is written
 *   again, whole, each time it changes (its tokens, then its tool calls): events are read once per
 *   message id, tool call and token count (packages/core/src/services/chatRecordingService.ts).
 * - `gemini -p --output-format stream-json`: init, message (assistant text arrives in `delta` chunks),
 *   tool_use, tool_result, error, result with the run's stats (packages/core/src/output/types.ts).
 *
 * What the chat can and cannot tell: tool calls are recorded only once they have finished (success,
 * error or cancelled), so a call that runs, or waits for approval, is invisible until it ends; 0.8 and
 * 0.9 recorded no tool calls at all. A reply with text and no tool call reads as the end of the turn: if
 * the same message is written again with tool calls, the turn goes on. When every call of a reply was
 * cancelled the CLI stops the turn (packages/cli/src/ui/hooks/useGeminiStream.ts).
 */
import { cleanLine, firstLine, logEvent, type LogEvent, type ParsedLine } from './event.js';
import { asArray, asBoolean, asObject, asString, parseTime, readJsonLine, type JsonObject } from './json.js';
import { pendingKind } from './tools.js';
import { nextOf, geminiTokens, resultEvent, describeGeminiCall, callOutcome, lastCallTime, partsText, isToolResponse, remember, CONTINUATIONS, type Next } from './gemini-records.js';

export { geminiTokens, looksLikeGemini } from './gemini-records.js';

export interface GeminiParser {
  /** One line, without its newline. Never throws. */
  push(line: string): ParsedLine;
}

/** `type` of the chat's message records (chatRecordingTypes.ts). */
const MESSAGE_TYPES = new Set(['user', 'gemini', 'info', 'warning', 'error']);
/** `type` of stream-json events (output/types.ts JsonStreamEventType). */
const STREAM_TYPES = new Set(['init', 'message', 'tool_use', 'tool_result', 'error', 'result']);
/** Tool call states after which the CLI records the call (scheduler/types.ts CoreToolCallStatus). */
const FINISHED = new Set(['success', 'error', 'cancelled']);
/** What the CLI writes itself as a user message to make the model go on (core/client.ts). */
/** The info lines the CLI writes when the person stops a turn (useGeminiStream.ts). */
const CANCELLED = new Set(['Request cancelled.', 'User cancelled the request.']);
/** A pretty-printed chat beyond this many characters is dropped rather than held in memory. */
const DOCUMENT_LIMIT = 64 * 1024 * 1024;
/** Message ids remembered; a chat the CLI keeps as one document holds far fewer. */
const MESSAGES_KEPT = 20_000;

/** What was already reported of one message record. */
interface Reported {
  text: boolean;
  thoughts: number;
  tokens: boolean;
  started: Set<string>;
  ended: Set<string>;
  answered: boolean;
  cancelled: boolean;
}

/** Whether a message is followed, before the next prompt, by more of the model's work. */

export function createGeminiParser(): GeminiParser {
  const reported = new Map<string, Reported>();
  const sessions = new Set<string>();
  const toolNames = new Map<string, string>();
  let document: string[] | null = null;
  let documentChars = 0;
  let turnOpen = false;
  let reply: { text: string; time: number | null } | null = null;

  const ledger = (id: string): { seen: Reported; isNew: boolean } => {
    const known = reported.get(id);
    if (known) return { seen: known, isNew: false };
    const seen: Reported = { text: false, thoughts: 0, tokens: false, started: new Set(), ended: new Set(), answered: false, cancelled: false };
    reported.set(id, seen);
    if (reported.size > MESSAGES_KEPT) {
      const oldest = reported.keys().next().value;
      if (oldest !== undefined) reported.delete(oldest);
    }
    return { seen, isNew: true };
  };

  /** Keeps the parser's idea of an open turn in step with what it emits. */
  const track = (events: LogEvent[]): LogEvent[] => {
    for (const e of events) {
      if (e.kind === 'prompt' || e.kind === 'tool_start' || (e.kind === 'message' && e.level !== 'debug')) turnOpen = true;
      else if (e.kind === 'turn_end' || e.kind === 'result') turnOpen = false;
    }
    return events;
  };

  const header = (obj: JsonObject): LogEvent[] => {
    const id = asString(obj['sessionId']) ?? '';
    if (sessions.has(id)) return [];
    sessions.add(id);
    const what = asString(obj['kind']) === 'subagent' ? 'gemini subagent session started' : 'gemini session started';
    return [logEvent('status', parseTime(obj['startTime']), id ? `${what} ${id}` : what)];
  };

  const messages = (list: unknown[]): LogEvent[] => {
    const records = list.map(asObject).filter((m): m is JsonObject => m !== undefined);
    const events: LogEvent[] = [];
    records.forEach((record, index) => events.push(...track(message(record, nextOf(records, index)))));
    return events;
  };

  const message = (record: JsonObject, next: Next): LogEvent[] => {
    const id = asString(record['id']);
    if (id === undefined) return [];
    const { seen, isNew } = ledger(id);
    const time = parseTime(record['timestamp']);
    const type = asString(record['type']);
    if (type === 'gemini') return geminiEvents(record, seen, time, next);
    if (!isNew) return [];
    const text = partsText(record['content']);
    switch (type) {
      case 'user':
        return userEvents(record, time);
      case 'info':
        if (CANCELLED.has(text.trim()) && turnOpen) return [logEvent('turn_end', time, `turn cancelled: ${text}`, { ok: false })];
        return [logEvent('status', time, text || 'info')];
      case 'warning':
        return [logEvent('status', time, text || 'warning', { level: 'warn' })];
      case 'error': {
        const error = logEvent('error', time, text || 'error');
        return turnOpen ? [error, logEvent('turn_end', time, `turn failed: ${firstLine(text) || 'error'}`, { ok: false })] : [error];
      }
      default:
        return [logEvent('status', time, `gemini: unrecognised message type "${type ?? '(none)'}"`, { level: 'debug' })];
    }
  };

  const geminiEvents = (record: JsonObject, seen: Reported, time: number | null, next: Next): LogEvent[] => {
    const events: LogEvent[] = [];
    const model = asString(record['model']);
    const thoughts = asArray(record['thoughts']) ?? [];
    for (const thought of thoughts.slice(seen.thoughts).map(asObject)) {
      const subject = asString(thought?.['subject']);
      if (subject) events.push(logEvent('message', parseTime(thought?.['timestamp']) ?? time, `thinking: ${subject}`, { level: 'debug' }));
    }
    seen.thoughts = Math.max(seen.thoughts, thoughts.length);

    const text = partsText(record['content']);
    const tokens = seen.tokens ? undefined : geminiTokens(record['tokens']);
    if (tokens) seen.tokens = true;
    if (!seen.text && text.trim() !== '') {
      seen.text = true;
      events.push(logEvent('message', time, text, { tokens, model }));
    } else if (tokens) {
      const usage = `model call: ${tokens.input + (tokens.cacheRead ?? 0)} in (${tokens.cacheRead ?? 0} cached), ${tokens.output} out`;
      events.push(logEvent('status', time, usage, { level: 'debug', tokens, model }));
    }

    const calls = (asArray(record['toolCalls']) ?? []).map(asObject).filter((c): c is JsonObject => c !== undefined);
    const named = calls.map((call, index) => ({ call, id: asString(call['id']) ?? `${asString(record['id'])}#${index}`, tool: asString(call['name']) ?? 'tool' }));
    for (const { call, id, tool } of named) {
      if (seen.started.has(id)) continue;
      seen.started.add(id);
      events.push(logEvent('tool_start', time, describeGeminiCall(tool, call['args']), { tool, toolId: id, pending: pendingKind(tool) }));
    }
    for (const { call, id, tool } of named) {
      const status = asString(call['status']);
      if (status === undefined || !FINISHED.has(status) || seen.ended.has(id)) continue;
      seen.ended.add(id);
      events.push(logEvent('tool_end', parseTime(call['timestamp']) ?? time, callOutcome(status, call), { tool, toolId: id, ok: status === 'success' }));
    }

    const statuses = calls.map((call) => asString(call['status']));
    if (calls.length > 0 && statuses.every((s) => s === 'cancelled') && !seen.cancelled) {
      // Every call cancelled: the CLI hands the cancellations to the history and does not ask the model again.
      seen.cancelled = true;
      events.push(logEvent('turn_end', lastCallTime(calls) ?? time, `turn cancelled: ${named.map((n) => n.tool).join(', ')} cancelled`, { ok: false }));
    } else if (calls.length === 0 && text.trim() !== '' && next !== 'model' && !seen.answered) {
      seen.answered = true;
      events.push(logEvent('turn_end', time, `turn done: ${firstLine(text)}`, { ok: true }));
    }
    return events;
  };

  const userEvents = (record: JsonObject, time: number | null): LogEvent[] => {
    if (isToolResponse(record['content'])) return [];
    const typed = partsText(record['displayContent']).trim();
    const sent = partsText(record['content']).trim();
    if (CONTINUATIONS.has(sent)) return [logEvent('status', time, `Gemini CLI asked the model to go on ("${sent}")`, { level: 'debug' })];
    if (sent.startsWith('<session_context>') || sent.startsWith('<hook_context>')) {
      return [logEvent('status', time, 'context sent to the model', { level: 'debug' })];
    }
    return [logEvent('prompt', time, typed || sent)];
  };

  const flushReply = (): LogEvent[] => {
    if (reply === null) return [];
    const done = logEvent('message', reply.time, reply.text);
    reply = null;
    return [done];
  };

  const streamEvents = (obj: JsonObject, type: string): LogEvent[] => {
    const time = parseTime(obj['timestamp']);
    if (type === 'message' && asString(obj['role']) === 'assistant' && asBoolean(obj['delta']) === true) {
      // A reply arrives in chunks; it is one message, told when the next event shows it is complete.
      const chunk = asString(obj['content']) ?? '';
      if (reply === null) reply = { text: chunk, time };
      else reply.text += chunk;
      return [logEvent('heartbeat', time, 'reply streaming')];
    }
    const events = flushReply();
    switch (type) {
      case 'init': {
        const model = asString(obj['model']);
        events.push(logEvent('status', time, `gemini session started${model ? ` · model ${model}` : ''}`, { model }));
        break;
      }
      case 'message': {
        const content = asString(obj['content']) ?? '';
        events.push(logEvent(asString(obj['role']) === 'user' ? 'prompt' : 'message', time, content));
        break;
      }
      case 'tool_use': {
        const tool = asString(obj['tool_name']) ?? 'tool';
        const id = asString(obj['tool_id']);
        if (id !== undefined) remember(toolNames, id, tool);
        events.push(logEvent('tool_start', time, describeGeminiCall(tool, obj['parameters']), { tool, toolId: id, pending: pendingKind(tool) }));
        break;
      }
      case 'tool_result': {
        const id = asString(obj['tool_id']);
        const status = asString(obj['status']) ?? 'unknown';
        const detail = asString(asObject(obj['error'])?.['message']) ?? firstLine(asString(obj['output']) ?? '').trim();
        const ok = status === 'success';
        events.push(logEvent('tool_end', time, detail ? `${status}: ${detail}` : status, { tool: id === undefined ? undefined : toolNames.get(id), toolId: id, ok }));
        break;
      }
      case 'error': {
        const text = asString(obj['message']) ?? asString(asObject(obj['error'])?.['message']) ?? 'error';
        events.push(asString(obj['severity']) === 'warning' ? logEvent('status', time, text, { level: 'warn' }) : logEvent('error', time, text));
        break;
      }
      case 'result':
        events.push(resultEvent(obj, time));
        break;
    }
    return events;
  };

  const lineEvents = (obj: JsonObject): LogEvent[] => {
    if (typeof obj['$rewindTo'] === 'string') return [logEvent('status', null, 'conversation rewound to an earlier message', { level: 'debug' })];
    const set = asObject(obj['$set']);
    if (set !== undefined) {
      // A checkpoint ($set with messages, after /compress) restates the chat; only what is new is told.
      const list = asArray(set['messages']);
      return list ? messages(list) : [];
    }
    const type = asString(obj['type']);
    if (asString(obj['id']) !== undefined && type !== undefined && MESSAGE_TYPES.has(type)) return track(message(obj, 'unknown'));
    if (asString(obj['sessionId']) !== undefined && asString(obj['projectHash']) !== undefined) {
      // The JSONL header; a legacy record written on one line also carries the messages.
      const list = asArray(obj['messages']);
      return [...header(obj), ...(list ? messages(list) : [])];
    }
    if (type !== undefined && STREAM_TYPES.has(type)) return track(streamEvents(obj, type));
    return [logEvent('status', parseTime(obj['timestamp']), `gemini: unrecognised line${type ? ` of type "${type}"` : ''}`, { level: 'debug' })];
  };

  const documentLine = (line: string): ParsedLine => {
    if (line.trimEnd() === '{') {
      // A document opens (the first, or the file written again from the start).
      document = ['{'];
      documentChars = 1;
      return { events: [] };
    }
    const lines = document ?? [];
    lines.push(line);
    documentChars += line.length + 1;
    if (documentChars > DOCUMENT_LIMIT) {
      document = null;
      return { malformed: `a Gemini chat document of more than ${DOCUMENT_LIMIT / 1024 / 1024} MiB: not read` };
    }
    // Pretty-printed JSON puts only the outermost braces at the start of a line. The CLI writes no
    // newline after the last "}", so a follower never gets that line: after each top-level line (two
    // spaces in) the document is also tried with its closing brace.
    const end = line.trimEnd();
    const topLevel = /^ {2}\S/.test(end);
    if (end !== '}' && !topLevel) return { events: [] };
    let value: unknown;
    try {
      value = JSON.parse(end === '}' ? lines.join('\n') : `${lines.join('\n')}\n}`);
    } catch {
      return { events: [] };
    }
    const obj = asObject(value);
    const list = asArray(obj?.['messages']);
    if (obj === undefined || list === undefined) return { events: [logEvent('status', null, 'gemini: a JSON document that is not a saved chat', { level: 'debug' })] };
    return { events: [...header(obj), ...messages(list)] };
  };

  return {
    push(raw) {
      try {
        const line = cleanLine(raw);
        if (document !== null || line.trimEnd() === '{') return documentLine(line);
        if (line.trim() === '') return { events: [] };
        const read = readJsonLine(line);
        if ('malformed' in read) return read;
        return { events: lineEvents(read.obj) };
      } catch (error) {
        return { malformed: `parser error: ${error instanceof Error ? error.message : String(error)}` };
      }
    },
  };
}

