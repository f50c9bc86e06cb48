/**
 * muxctl's own event lines: what the demo agent writes (src/demo/agent.ts) and what `muxctl emit` sends
 * from a script inside a worker. `{time, type, worker, text, …}`; `kind` is read where `type` is missing.
 *   agent: message, tool_start, tool_end (ok), question, answer (ok), result (tokens, costUsd), error, heartbeat
 *   emit:  heartbeat, status, progress (step, percent), checkpoint (sha, step)
 */
import { logEvent, type LogEvent, type LogTokens, type ParsedLine } from './event.js';
import { asBoolean, asNumber, asObject, asString, parseTime, readJsonLine, type JsonObject } from './json.js';
import { describeToolCall } from './tools.js';

export const MUXCTL_EVENT_TYPES = [
  'message', 'prompt', 'tool_start', 'tool_end', 'question', 'answer', 'result', 'error', 'heartbeat', 'status', 'progress', 'checkpoint',
] as const;

export function parseMuxctlLine(line: string): ParsedLine {
  const read = readJsonLine(line);
  if ('malformed' in read) return read;
  return { events: muxctlEvents(read.obj) };
}

function muxctlEvents(obj: JsonObject): LogEvent[] {
  const type = asString(obj['type']) ?? asString(obj['kind']);
  const time = parseTime(obj['time']);
  const text = asString(obj['text']) ?? asString(obj['message']) ?? '';
  const tool = asString(obj['tool']);
  const ok = asBoolean(obj['ok']);
  switch (type) {
    case 'message':
      return [logEvent('message', time, text)];
    case 'prompt':
      // The task the agent was given: what a panel shows first.
      return [logEvent('prompt', time, text || '(empty prompt)')];
    case 'tool_start':
      return [logEvent('tool_start', time, text || describeToolCall(tool ?? 'tool', obj['input']), { tool, toolId: asString(obj['toolId']) })];
    case 'tool_end':
      return [logEvent('tool_end', time, text || (ok === false ? 'failed' : 'done'), { tool, toolId: asString(obj['toolId']), ok })];
    case 'question':
      return [logEvent('question', time, `asks: ${text || describeToolCall(tool ?? 'tool', obj['input'])}`, { tool, pending: 'question' })];
    case 'answer':
      return [logEvent('status', time, `answered: ${text || '(nothing)'}${ok === undefined ? '' : ok ? ' (allowed)' : ' (refused)'}`, { ok })];
    case 'result':
      return [logEvent('result', time, text || 'done', { ok, tokens: tokensOf(obj['tokens']), costUsd: asNumber(obj['costUsd']) })];
    case 'error':
      return [logEvent('error', time, text || 'error')];
    case 'heartbeat':
      return [logEvent('heartbeat', time, text || 'heartbeat')];
    case 'status':
      return [logEvent('status', time, text || 'status')];
    case 'progress':
      return [logEvent('status', time, progressText(obj, text))];
    case 'checkpoint':
      return [logEvent('checkpoint', time, checkpointText(obj, text))];
    default:
      return [logEvent('status', time, `muxctl: unrecognised event "${type ?? '(none)'}"${text ? `: ${text}` : ''}`, { level: 'debug' })];
  }
}

function tokensOf(value: unknown): LogTokens | undefined {
  const tokens = asObject(value);
  const input = asNumber(tokens?.['input']);
  const output = asNumber(tokens?.['output']);
  return input === undefined && output === undefined ? undefined : { input: input ?? 0, output: output ?? 0 };
}

function progressText(obj: JsonObject, text: string): string {
  const percent = asNumber(obj['percent']) ?? asNumber(obj['progress']);
  const step = asString(obj['step']);
  return ['progress', percent !== undefined && `${percent}%`, step, text].filter(Boolean).join(' ');
}

function checkpointText(obj: JsonObject, text: string): string {
  const sha = asString(obj['sha']);
  const step = asString(obj['step']);
  return ['checkpoint', sha && sha.slice(0, 12), step, text].filter(Boolean).join(' ');
}
