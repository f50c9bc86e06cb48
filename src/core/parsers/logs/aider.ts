/**
 * Aider's `.aider.chat.history.md`: markdown, not JSON. `# aider chat started at …` opens a session,
 * `#### ` lines are what the person typed, `> ` lines are aider's own output (errors, `Tokens: … Cost:`,
 * commits, applied edits), everything else is the model's reply.
 *
 * A pure reducer `(state, line) → { state, events }` rather than a class: the state is a few fields, a
 * reducer is tested line by line with no setup, and a caller can keep or drop the state as it likes
 * (createLogParser keeps it). State is needed because meaning spans lines: a prompt or a reply spans
 * many lines but is one event, a Python traceback is read up to its exception line, and a multi-line
 * aider message carries `> ` on its first line only.
 */
import { logEvent, type LogEvent, type LogTokens } from './event.js';

export interface AiderState {
  /** What the last lines belonged to. */
  block: 'none' | 'prompt' | 'reply' | 'thinking' | 'traceback' | 'continuation';
  /** Whether the current prompt or reply has produced its one event yet. */
  emitted: boolean;
  /** Inside a ``` fence of a reply (code says nothing in one line). */
  fence: boolean;
}

export const AIDER_INITIAL: AiderState = { block: 'none', emitted: false, fence: false };

export interface AiderStep {
  state: AiderState;
  events: LogEvent[];
}

const SESSION = /^# aider chat started at (.+)$/;
const TOOL_LINE = /^>(?: |$)/;
// Aider's confirm questions are logged with the answer: "Run pip install? (Y)es/(N)o [Yes]: y".
const CONFIRM = /^(.*\?) \(Y\)es\/\(N\)o.*\[(?:Yes|No)\]: ?(.*)$/;

/** One line of the history. Never throws; lines it does not understand become nothing or a debug status. */
export function reduceAiderLine(state: AiderState, raw: string): AiderStep {
  const line = raw.replace(/\r$/, '');
  const text = line.trimEnd();
  const session = SESSION.exec(text);
  // Times in the file have no zone: kept in the text, not guessed into epoch ms.
  if (session) return { state: AIDER_INITIAL, events: [logEvent('status', null, `aider chat started at ${session[1]}`)] };

  if (state.block === 'traceback' && !TOOL_LINE.test(line)) {
    // Cut short before its exception line: still an error, said so rather than lost.
    const rest = reduceAiderLine(AIDER_INITIAL, raw);
    return { state: rest.state, events: [logEvent('error', null, 'Traceback (cut short before its exception line)'), ...rest.events] };
  }
  if (text.startsWith('####')) return promptLine(state, text.slice(4).trim());

  if (TOOL_LINE.test(line)) {
    const content = text.replace(/^> ?/, '').trim();
    // Aider writes its output as "> " + message + "  " (a markdown line break): a multi-line message has
    // "> " on its first line only and goes on, unmarked, to the line ending in two spaces.
    const continues = content !== '' && !line.endsWith('  ');
    if (state.block === 'traceback') return tracebackLine(content);
    const events = toolLine(content);
    const block = /^Traceback \(most recent call last\)/.test(content) ? 'traceback' : continues ? 'continuation' : 'none';
    return { state: { block, emitted: false, fence: false }, events };
  }

  if (state.block === 'continuation') {
    return { state: line.endsWith('  ') ? AIDER_INITIAL : state, events: [] };
  }
  return replyLine(state, text);
}

function promptLine(state: AiderState, content: string): AiderStep {
  const inPrompt = state.block === 'prompt';
  const emitted = inPrompt && state.emitted;
  if (content === '' || emitted) return { state: { block: 'prompt', emitted, fence: false }, events: [] };
  const confirm = CONFIRM.exec(content);
  if (confirm) return { state: { block: 'prompt', emitted, fence: false }, events: [answered(confirm)] };
  return { state: { block: 'prompt', emitted: true, fence: false }, events: [promptEvent(content)] };
}

/**
 * Aider's own commands, as its `/help` lists them (0.8x). Aider reads any input that starts with `/` or
 * `!` as a command, never as a message to the model, and takes a unique prefix for the command
 * (`/ex` is `/exit`); an unknown or ambiguous one only gets "Invalid command" back.
 */
const AIDER_COMMANDS = [
  'add', 'architect', 'ask', 'chat-mode', 'clear', 'code', 'commit', 'context', 'copy', 'copy-context', 'diff', 'drop',
  'edit', 'editor', 'editor-model', 'exit', 'git', 'help', 'lint', 'load', 'ls', 'map', 'map-refresh', 'model', 'models',
  'multiline-mode', 'ok', 'paste', 'quit', 'read-only', 'reasoning-effort', 'report', 'reset', 'run', 'save', 'settings',
  'test', 'think-tokens', 'tokens', 'undo', 'voice', 'weak-model', 'web',
];
/** The commands that send the person's words to the model: a turn, like a plain message. */
const TO_THE_MODEL = new Set(['ask', 'code', 'architect', 'context', 'help', 'ok']);

function aiderCommand(word: string): string | undefined {
  if (AIDER_COMMANDS.includes(word)) return word;
  const matches = AIDER_COMMANDS.filter((name) => name.startsWith(word));
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * A `####` line: a message to the model opens a turn; aider's own commands do not (they act at once and
 * print their result as `> ` lines); `/exit` and `/quit` end the session.
 */
function promptEvent(content: string): LogEvent {
  const slash = /^\/(\S*)\s*(.*)$/s.exec(content);
  if (content.startsWith('!')) return logEvent('status', null, `shell: ${content.slice(1).trim()}`);
  if (!slash) return logEvent('prompt', null, content);
  const command = aiderCommand(slash[1] ?? '');
  if (command === 'exit' || command === 'quit') return logEvent('turn_end', null, `session ended (/${command})`, { ok: true, endsSession: true });
  if (command !== undefined && TO_THE_MODEL.has(command) && (slash[2] ?? '') !== '') return logEvent('prompt', null, content);
  return logEvent('status', null, content);
}

const answered = (match: RegExpExecArray) => logEvent('status', null, `${match[1] ?? ''} → ${match[2] || '(default)'}`);

function tracebackLine(content: string): AiderStep {
  // The exception line ends a traceback: "TypeError: can't multiply sequence by non-int of type 'float'".
  if (/^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b(:|$)/.test(content)) {
    return { state: AIDER_INITIAL, events: [logEvent('error', null, `Traceback: ${content}`)] };
  }
  return { state: { block: 'traceback', emitted: false, fence: false }, events: [] };
}

/** What one `> ` line of aider's own output means. */
function toolLine(content: string): LogEvent[] {
  if (content === '') return [];
  const tokens = /^Tokens: (.+?)\.(?: Cost: (.+))?$/.exec(content);
  if (tokens) return [usageEvent(content, tokens[1] ?? '', tokens[2])];
  const commit = /^Commit ([0-9a-f]{7,40}) (.*)$/.exec(content);
  if (commit) return [logEvent('checkpoint', null, `commit ${commit[1] ?? ''} ${commit[2] ?? ''}`)];
  if (/^Applied edit to /.test(content)) return [logEvent('tool_end', null, content, { tool: 'edit', ok: true })];
  if (/^Traceback \(most recent call last\)/.test(content)) return [];
  if (/^(?:litellm\.)?[A-Za-z]*(Error|Exception)\b.*?:/.test(content) || /^Error:/.test(content)) return [logEvent('error', null, content)];
  if (/SEARCH\/REPLACE blocks? failed to match/.test(content)) return [logEvent('error', null, content)];
  const confirm = CONFIRM.exec(content);
  if (confirm) return [answered(confirm)];
  // Aider's Ctrl-C: the first stops the reply (or clears the input) and returns to the prompt, saying
  // "^C again to exit"; a second within two seconds says "^C KeyboardInterrupt" and exits. Either way
  // no reply is running after it; whether one was cut short the line does not say, so `ok` is absent.
  if (/^\^C KeyboardInterrupt/.test(content)) {
    return [logEvent('turn_end', null, '^C KeyboardInterrupt: aider stopped by the person', { level: 'warn', endsSession: true })];
  }
  if (/^\^C again to exit/.test(content)) return [logEvent('turn_end', null, '^C: interrupted by the person, aider back at its prompt', { level: 'warn' })];
  const model = /^(?:Main model|Model): (\S+)/.exec(content);
  if (model) return [logEvent('status', null, content, { model: model[1] })];
  if (/^(Aider v|Processing your request)/.test(content)) return [logEvent('status', null, content)];
  if (/^(Warning\b|The API provider|The LLM did not conform|Retrying in )/.test(content)) return [logEvent('status', null, content, { level: 'warn' })];
  return [logEvent('status', null, content, { level: 'debug' })];
}

/** `Tokens: 9.7k sent, 1.2k cache write, 3k cache hit, 85 received. Cost: $0.01 message, $0.03 session.` */
function usageEvent(content: string, counts: string, cost: string | undefined): LogEvent {
  const tokens: LogTokens = { input: 0, output: 0 };
  for (const part of counts.split(',')) {
    const match = /^\s*([\d.]+)([kKmM]?) (sent|received|cache write|cache hit)\s*$/.exec(part);
    if (!match) continue;
    const scale = /k/i.test(match[2] ?? '') ? 1e3 : /m/i.test(match[2] ?? '') ? 1e6 : 1;
    const count = Math.round(Number(match[1]) * scale);
    if (match[3] === 'sent') tokens.input = count;
    else if (match[3] === 'received') tokens.output = count;
    else if (match[3] === 'cache write') tokens.cacheWrite = count;
    else tokens.cacheRead = count;
  }
  const message = cost ? /\$([\d.]+) message/.exec(cost) : null;
  // The reply is over once aider prints its usage; edits and commits follow as their own lines.
  return logEvent('turn_end', null, content, { ok: true, tokens, costUsd: message ? Number(message[1]) : undefined });
}

function replyLine(state: AiderState, text: string): AiderStep {
  const inReply = state.block === 'reply' || state.block === 'thinking';
  const current: AiderState = inReply ? state : { block: text === '' ? 'none' : 'reply', emitted: false, fence: false };
  if (text === '') return { state: current, events: [] };
  // Reasoning models: <thinking-content-…> … </thinking-content-…>, or ► **THINKING** … ► **ANSWER**.
  if (/^<thinking-content-\w+>$/.test(text) || text === '► **THINKING**') return { state: { ...current, block: 'thinking' }, events: [] };
  if (/^<\/thinking-content-\w+>$/.test(text) || text === '► **ANSWER**') return { state: { ...current, block: 'reply' }, events: [] };
  if (current.block === 'thinking') return { state: current, events: [] };
  if (/^(```|~~~)/.test(text)) return { state: { ...current, fence: !current.fence }, events: [] };
  if (current.fence || current.emitted || /^-{3,}$/.test(text)) return { state: current, events: [] };
  return { state: { ...current, emitted: true }, events: [logEvent('message', null, text)] };
}
