/**
 * One entry point for every log format: `parseLine` for a single line with no memory, `createLogParser`
 * for a followed file. The stateful parser adds what only a sequence of lines can know — Aider's
 * multi-line blocks, Claude Code's usage repeated across lines of one message, the tool name of a
 * tool_end that names only its call id — and guarantees a line never throws, whatever a parser does.
 */
import { AIDER_INITIAL, reduceAiderLine, type AiderState } from './aider.js';
import { parseClaudeCodeLine } from './claude-code.js';
import { MessageUsageLedger } from './claude-message.js';
import { parseClaudeStreamJsonLine } from './claude-stream-json.js';
import { parseCodexExecJsonLine } from './codex-exec-json.js';
import { parseCodexRolloutLine, type RolloutMemory } from './codex-rollout.js';
import { createGeminiParser } from './gemini.js';
import type { ConcreteLogFormat, ParsedLine } from './event.js';
import { parseJsonLinesLine } from './json-lines.js';
import { parseMuxctlLine } from './muxctl.js';
import { parseTextLine } from './text.js';
import { saysLimit } from '../../rules/limits.js';

export type { ConcreteLogFormat, LogEvent, LogEventKind, LogLevel, LogTokens, ParsedLine } from './event.js';
export { detectFormat, type DetectedFormat } from './detect.js';
export { AIDER_INITIAL, reduceAiderLine, type AiderState, type AiderStep } from './aider.js';
export { parseClaudeCodeLine } from './claude-code.js';
export { MessageUsageLedger } from './claude-message.js';
export { parseClaudeStreamJsonLine } from './claude-stream-json.js';
export { parseCodexExecJsonLine } from './codex-exec-json.js';
export { parseCodexRolloutLine } from './codex-rollout.js';
export { createGeminiParser, looksLikeGemini } from './gemini.js';
export { parseJsonLinesLine } from './json-lines.js';
export { parseMuxctlLine } from './muxctl.js';
export { parseTextLine } from './text.js';

export interface LogParser {
  readonly format: ConcreteLogFormat;
  /** One line, without its newline. Never throws: a line it cannot read comes back as `{ malformed }`. */
  push(line: string): ParsedLine;
}

/**
 * One line, no memory of earlier lines. For Aider that means each line is read as if it opened the file
 * (single-line facts — errors, `Tokens:` lines, commits — still come out right); for Claude Code a usage
 * repeated on several lines of one message is reported on each.
 */
export function parseLine(format: ConcreteLogFormat, line: string): ParsedLine {
  return withLimits(guarded(() => parseWith(format, line)));
}

/**
 * An agent's failure in its words for a usage limit (Codex's error and turn.failed, Gemini's quota
 * error, a stream-json result) is a limit, whatever the format: the event carries it. Only failures are
 * read so: a model's reply that talks about limits is not one.
 */
function withLimits(parsed: ParsedLine): ParsedLine {
  if ('malformed' in parsed) return parsed;
  for (const event of parsed.events) {
    const failure = event.kind === 'error' || ((event.kind === 'turn_end' || event.kind === 'result') && event.ok === false);
    if (failure && event.limit === undefined && saysLimit(event.text)) event.limit = { text: event.text.replace(/^turn failed: /, '') };
  }
  return parsed;
}

function parseWith(format: ConcreteLogFormat, line: string, ledger?: MessageUsageLedger, rollout?: RolloutMemory): ParsedLine {
  switch (format) {
    case 'claude-code':
      return parseClaudeCodeLine(line, ledger);
    case 'claude-stream-json':
      return parseClaudeStreamJsonLine(line, ledger);
    case 'codex-rollout':
      return parseCodexRolloutLine(line, rollout);
    case 'codex-exec-json':
      return parseCodexExecJsonLine(line);
    case 'aider':
      return { events: reduceAiderLine(AIDER_INITIAL, line).events };
    case 'json-lines':
      return parseJsonLinesLine(line);
    case 'gemini':
      // A line on its own: a JSONL record or a stream-json event (a whole document needs the stateful parser).
      return createGeminiParser().push(line);
    case 'muxctl':
      return parseMuxctlLine(line);
    case 'text':
      return parseTextLine(line);
  }
}

/** How many call ids the parser remembers to name a tool_end; calls finish long before this many start. */
const TOOL_NAMES_KEPT = 512;

export function createLogParser(format: ConcreteLogFormat): LogParser {
  const ledger = new MessageUsageLedger();
  const rollout: RolloutMemory = { recordsTurns: false };
  const toolNames = new Map<string, string>();
  let aider: AiderState = AIDER_INITIAL;
  // Gemini's saved chat is read whole or record by record, once per message: its parser keeps state.
  const gemini = format === 'gemini' ? createGeminiParser() : null;

  const read = (line: string): ParsedLine => {
    if (gemini !== null) return gemini.push(line);
    if (format !== 'aider') return parseWith(format, line, ledger, rollout);
    const step = reduceAiderLine(aider, line);
    aider = step.state;
    return { events: step.events };
  };

  return {
    format,
    push(line) {
      const parsed = withLimits(guarded(() => read(line)));
      if ('malformed' in parsed) return parsed;
      for (const event of parsed.events) {
        if (event.toolId === undefined) continue;
        if (event.kind === 'tool_start' && event.tool !== undefined) {
          toolNames.set(event.toolId, event.tool);
          if (toolNames.size > TOOL_NAMES_KEPT) {
            const oldest = toolNames.keys().next().value;
            if (oldest !== undefined) toolNames.delete(oldest);
          }
        } else if (event.kind === 'tool_end' && event.tool === undefined) {
          const tool = toolNames.get(event.toolId);
          if (tool !== undefined) event.tool = tool;
        }
      }
      return parsed;
    },
  };
}

/** The last line of defence: a parser bug on one odd line must cost that line, not the dashboard. */
function guarded(parse: () => ParsedLine): ParsedLine {
  try {
    return parse();
  } catch (error) {
    return { malformed: `parser error: ${error instanceof Error ? error.message : String(error)}` };
  }
}
