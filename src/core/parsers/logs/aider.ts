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
  return { state: { block: 'prompt', emitted: true, fence: false }, events: [logEvent('prompt', null, content)] };
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
  if (/^\^C KeyboardInterrupt/.test(content)) return [logEvent('status', null, '^C KeyboardInterrupt: aider stopped by the person', { level: 'warn' })];
  if (/^\^C again to exit/.test(content)) return [logEvent('status', null, '^C: reply interrupted by the person', { level: 'warn' })];
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
