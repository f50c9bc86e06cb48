/**
 * `codex exec --json` (codex-cli 0.4x and later): thread.started, turn.started, item.started / updated /
 * completed, then turn.completed with usage or turn.failed with an error. No timestamps. Earlier exec
 * versions wrote `{id, msg}` lines with the rollout's event protocol: those are read through it.
 */
import { firstLine, logEvent, type LogEvent, type ParsedLine } from './event.js';
import { codexEventMsg, codexTokens } from './codex-rollout.js';
import { asArray, asBoolean, asNumber, asObject, asString, readJsonLine, type JsonObject } from './json.js';
import { describeToolCall, unwrapShell } from './tools.js';

export function parseCodexExecJsonLine(line: string): ParsedLine {
  const read = readJsonLine(line);
  if ('malformed' in read) return read;
  return { events: execEvents(read.obj) };
}

function execEvents(obj: JsonObject): LogEvent[] {
  const type = asString(obj['type']);
  const item = asObject(obj['item']);
  switch (type) {
    case 'thread.started':
      return [logEvent('status', null, `thread started ${asString(obj['thread_id']) ?? ''}`)];
    case 'turn.started':
      return [logEvent('status', null, 'turn started')];
    case 'turn.completed':
      return [logEvent('turn_end', null, 'turn completed', { ok: true, tokens: codexTokens(obj['usage']) })];
    case 'turn.failed':
      return [logEvent('turn_end', null, `turn failed: ${errorMessage(obj['error'])}`, { ok: false, level: 'error' })];
    case 'error':
      return [logEvent('error', null, asString(obj['message']) ?? errorMessage(obj['error']))];
    case 'item.started':
      return item ? itemStarted(item) : [];
    case 'item.updated':
      return item && asString(item['type']) === 'todo_list' ? [todoEvent(item)] : [];
    case 'item.completed':
      return item ? itemCompleted(item) : [];
    case undefined: {
      const msg = asObject(obj['msg']);
      if (msg) return codexEventMsg(msg, null);
      const prompt = asString(obj['prompt']);
      if (prompt !== undefined) return [logEvent('prompt', null, prompt)];
      return [logEvent('status', null, 'codex exec: a line without a type', { level: 'debug' })];
    }
    default:
      return [logEvent('status', null, `codex exec: unrecognised event "${type}"`, { level: 'debug' })];
  }
}

const errorMessage = (value: unknown) => asString(asObject(value)?.['message']) ?? 'unknown error';

/** The tool name and one-line description of an item that is a tool call; undefined for other items. */
function toolOf(item: JsonObject): { tool: string; text: string } | undefined {
  switch (asString(item['type'])) {
    case 'command_execution':
      return { tool: 'shell', text: `shell ${unwrapShell(asString(item['command']) ?? '')}` };
    case 'mcp_tool_call': {
      const tool = `${asString(item['server']) ?? 'mcp'}.${asString(item['tool']) ?? 'tool'}`;
      return { tool, text: describeToolCall(tool, item['arguments']) };
    }
    case 'web_search':
      return { tool: 'web_search', text: `web_search ${asString(item['query']) ?? ''}` };
    case 'file_change': {
      const changes = (asArray(item['changes']) ?? []).map((c) => `${asString(asObject(c)?.['kind']) ?? 'change'} ${asString(asObject(c)?.['path']) ?? ''}`);
      return { tool: 'apply_patch', text: `apply_patch ${changes.join(', ')}` };
    }
    default:
      return undefined;
  }
}

function itemStarted(item: JsonObject): LogEvent[] {
  if (asString(item['type']) === 'todo_list') return [todoEvent(item)];
  const tool = toolOf(item);
  return tool ? [logEvent('tool_start', null, tool.text, { tool: tool.tool, toolId: asString(item['id']) })] : [];
}

function itemCompleted(item: JsonObject): LogEvent[] {
  const type = asString(item['type']);
  const text = asString(item['text']) ?? '';
  if (type === 'agent_message') return [logEvent('message', null, text)];
  if (type === 'reasoning') return [logEvent('message', null, `thinking: ${text}`, { level: 'debug' })];
  if (type === 'error') return [logEvent('error', null, asString(item['message']) ?? 'error')];
  if (type === 'todo_list') return [todoEvent(item)];
  const tool = toolOf(item);
  if (tool === undefined) return [];
  const { ok, outcome } = itemOutcome(item);
  return [logEvent('tool_end', null, outcome, { tool: tool.tool, toolId: asString(item['id']), ok })];
}

/** How a finished tool item went: status (completed / failed / declined) and, for commands, exit code. */
function itemOutcome(item: JsonObject): { ok: boolean; outcome: string } {
  const status = asString(item['status']);
  if (status === 'declined') return { ok: false, outcome: 'declined by the user' };
  const exit = asNumber(item['exit_code']);
  const error = asString(asObject(item['error'])?.['message']);
  const ok = status !== 'failed' && (exit === undefined || exit === 0) && error === undefined;
  const output = firstLine(asString(item['aggregated_output']) ?? '').trim();
  if (exit !== undefined) return { ok, outcome: `exit ${exit}${output ? `: ${output}` : ''}` };
  if (error !== undefined) return { ok, outcome: `error: ${error}` };
  return { ok, outcome: status ?? 'done' };
}

function todoEvent(item: JsonObject): LogEvent {
  const todos = (asArray(item['items']) ?? []).map((todo) => asObject(todo));
  const done = todos.filter((todo) => asBoolean(todo?.['completed']) === true).length;
  const next = todos.find((todo) => asBoolean(todo?.['completed']) !== true);
  const nextText = asString(next?.['text']);
  return logEvent('status', null, `plan ${done}/${todos.length} done${nextText ? ` · next: ${nextText}` : ''}`);
}
