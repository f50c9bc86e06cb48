/**
 * Which format a log file is in, from its name and its first lines, for `log.format: auto`. A file that
 * is one JSON document (pretty-printed, or an array) cannot be tailed line by line: it is refused with a
 * message that says so, instead of being read as hundreds of malformed lines.
 */
import { cleanLine, type ConcreteLogFormat } from './event.js';
import { asObject, asString, type JsonObject } from './json.js';
import { looksLikeGemini } from './gemini-records.js';
import { MUXCTL_EVENT_TYPES } from './muxctl.js';

export type DetectedFormat = ConcreteLogFormat | { malformed: string };

const CLAUDE_LINE_TYPES = new Set(['user', 'assistant', 'system', 'summary', 'file-history-snapshot', 'queue-operation', 'progress']);
const ROLLOUT_LINE_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted']);
const MUXCTL_TYPES = new Set<string>(MUXCTL_EVENT_TYPES);

/** Guesses the format; JSON lines whose shape it does not know are `json-lines`, anything else `text`. */
export function detectFormat(firstLines: readonly string[], fileName: string): DetectedFormat {
  return detectFormatWhy(firstLines, fileName).format;
}

/** The guess and what it rests on, in words (`muxctl explain` shows it). */
export function detectFormatWhy(firstLines: readonly string[], fileName: string): { format: DetectedFormat; why: string } {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const lines = firstLines.map(cleanLine).filter((line) => line.trim() !== '');
  const first = lines[0]?.trim() ?? '';

  if (base.endsWith('.aider.chat.history.md')) return { format: 'aider', why: 'the file is named .aider.chat.history.md' };
  if (first.startsWith('# aider chat started at')) return { format: 'aider', why: 'its first line is "# aider chat started at …"' };
  if (/^rollout-.*\.jsonl$/.test(base)) return { format: 'codex-rollout', why: 'the file is named rollout-….jsonl (a Codex session)' };
  // Before the whole-document check: Gemini CLI's saved chat IS one JSON document, and its parser reads it whole.
  if (looksLikeGemini(firstLines, base)) return { format: 'gemini', why: 'a Gemini CLI chat or stream-json (its shape, or its session-*.json name)' };

  if (first === '{' || first === '[' || (first.startsWith('[') && looksLikeJsonArray(first))) {
    const malformed = `this file is one JSON document, not JSON lines: its first line is ${JSON.stringify(first.slice(0, 40))}. muxctl follows a log line by line; point log.path at a file with one JSON object per line (JSONL), or set log.format to "text"`;
    return { format: { malformed }, why: 'its first line opens a JSON document' };
  }

  const objects = lines.map(parseObject);
  const parsed = objects.filter((obj): obj is JsonObject => obj !== undefined);
  // Mostly JSON objects (a truncated line or two allowed): a JSON-lines format; otherwise plain text.
  if (parsed.length === 0 || parsed.length * 2 < lines.length) return { format: 'text', why: `${parsed.length} of its first ${lines.length} lines are JSON objects: read as text` };
  for (const obj of parsed) {
    const format = shapeOf(obj);
    if (format !== undefined) return { format, why: `a line of type ${JSON.stringify(asString(obj['type']) ?? asString(asObject(obj['msg'])?.['type']) ?? '?')} shaped as ${format} writes it` };
  }
  return { format: 'json-lines', why: 'JSON lines of no agent format muxctl knows: read as a generic logger (time, level, msg)' };
}

function looksLikeJsonArray(line: string): boolean {
  // "[2024-05-01 12:00] started" is a text log: only a whole array, or one opening on an object or an
  // array, is taken for a JSON document.
  if (/^\[\s*[[{]/.test(line)) return true;
  try {
    return Array.isArray(JSON.parse(line));
  } catch {
    return false;
  }
}

function parseObject(line: string): JsonObject | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    return asObject(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** The format one JSON object is unmistakably from; undefined when it could be from several. */
function shapeOf(obj: JsonObject): ConcreteLogFormat | undefined {
  const type = asString(obj['type']);
  if (type !== undefined && ROLLOUT_LINE_TYPES.has(type) && asObject(obj['payload'])) return 'codex-rollout';
  if (type !== undefined && /^(thread|turn|item)\./.test(type)) return 'codex-exec-json';
  // Old `codex exec --json`: {"id": "0", "msg": {"type": "task_started"}}.
  if (asString(obj['id']) !== undefined && asString(asObject(obj['msg'])?.['type']) !== undefined) return 'codex-exec-json';
  // stream-json spells the session `session_id`; transcripts spell it `sessionId` and chain by parentUuid.
  if (type === 'result' && asString(obj['subtype']) !== undefined && 'session_id' in obj) return 'claude-stream-json';
  if (type !== undefined && CLAUDE_LINE_TYPES.has(type)) {
    if ('session_id' in obj && !('sessionId' in obj)) return 'claude-stream-json';
    if ('sessionId' in obj || 'parentUuid' in obj || type === 'file-history-snapshot' || 'leafUuid' in obj) return 'claude-code';
  }
  // muxctl's own events: a known type and an ISO time, and none of a general logger's fields.
  if (type !== undefined && MUXCTL_TYPES.has(type) && typeof obj['time'] === 'string' && !('level' in obj) && !('msg' in obj)) return 'muxctl';
  return undefined;
}
