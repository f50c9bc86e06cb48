/**
 * How a tool call reads in one line ("Bash npm test", "Edit src/app.ts", "asks: Which database?"), and
 * which tools wait for the person. Shared by every format that names tools.
 */
import { firstLine } from './event.js';
import { asArray, asObject, asString, type JsonObject } from './json.js';

/** Tools whose call means "the agent now waits for the person", not "a tool is running". */
const PENDING_TOOLS: Record<string, 'question' | 'plan'> = {
  AskUserQuestion: 'question',
  ExitPlanMode: 'plan',
  request_user_input: 'question',
};

export function pendingKind(tool: string): 'question' | 'plan' | undefined {
  return Object.hasOwn(PENDING_TOOLS, tool) ? PENDING_TOOLS[tool] : undefined;
}

/** Input fields that say what a call is about, most telling first. */
const SUBJECT_FIELDS = ['command', 'cmd', 'file_path', 'notebook_path', 'path', 'pattern', 'query', 'url', 'description', 'prompt', 'plan'];

/** The one thing a person wants to know about a call: the command, the file, the pattern. */
export function toolSubject(tool: string, input: unknown): string {
  const fields = asObject(input);
  if (fields === undefined) return typeof input === 'string' ? firstLine(input) : '';
  if (tool === 'AskUserQuestion') return askedQuestion(fields);
  if (tool === 'TodoWrite') {
    const todos = asArray(fields['todos']);
    return todos ? `${todos.length} todo${todos.length === 1 ? '' : 's'}` : '';
  }
  for (const key of SUBJECT_FIELDS) {
    const value = fields[key];
    if (typeof value === 'string' && value.trim() !== '') return firstLine(value);
    // Codex's shell tool takes an argv.
    if (Array.isArray(value) && value.every((part) => typeof part === 'string')) return unwrapShell(value.join(' '));
  }
  return '';
}

function askedQuestion(fields: JsonObject): string {
  const first = asObject(asArray(fields['questions'])?.[0]);
  return asString(first?.['question']) ?? asString(fields['question']) ?? '';
}

/** "Bash npm test", "asks: Which database?", "plan ready: Migrate the config loader". */
export function describeToolCall(tool: string, input: unknown): string {
  const subject = toolSubject(tool, input);
  const pending = pendingKind(tool);
  if (pending === 'question') return `asks: ${subject || 'a question'}`;
  if (pending === 'plan') return `plan ready for review${subject ? `: ${subject}` : ''}`;
  return subject ? `${tool} ${subject}` : tool;
}

/** `bash -lc 'npm test'` → `npm test`: the wrapper codex adds says nothing to a person. */
export function unwrapShell(command: string): string {
  const match = /^(?:\S*\/)?(?:ba|z)?sh -l?c (.*)$/s.exec(command.trim());
  if (!match?.[1]) return command;
  const inner = match[1].trim();
  const quoted = /^'(.*)'$/s.exec(inner) ?? /^"(.*)"$/s.exec(inner);
  return quoted?.[1] ?? inner;
}
