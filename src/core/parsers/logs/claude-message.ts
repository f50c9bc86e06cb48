/**
 * Anthropic messages as Claude Code writes them, in its transcripts and in `--output-format stream-json`
 * alike: content blocks (text, thinking, tool_use, tool_result) and usage. Both parsers read through here.
 */
import { firstLine, logEvent, type LogEvent, type LogTokens } from './event.js';
import { asArray, asBoolean, asNumber, asObject, asString, type JsonObject } from './json.js';
import { describeToolCall, pendingKind } from './tools.js';
import { saysLimit } from '../../rules/limits.js';

export interface ClaudeLineContext {
  time: number | null;
  /** A subagent's line (transcripts inline them with isSidechain): its turn is not the person's turn. */
  sidechain: boolean;
  /** Claude Code writes API failures (rate limits, quota, overload) as an assistant message flagged so. */
  apiError: boolean;
}

/**
 * Claude Code splits one API message over several lines (one per content block) that share
 * `message.id` and repeat its usage, output tokens growing as the reply streams. The ledger remembers
 * what was already reported per id, so each line reports only the increase and a sum over events is the
 * true total. Bounded: lines of one message are adjacent, so a few hundred ids is plenty.
 */
export class MessageUsageLedger {
  private readonly reported = new Map<string, LogTokens>();

  constructor(private readonly capacity = 256) {}

  /** The part of `usage` not yet reported for `id`; undefined when there is nothing new. */
  increase(id: string, usage: LogTokens): LogTokens | undefined {
    const before = this.reported.get(id);
    // Delete then set: a Map iterates in insertion order, so the oldest id is the first key.
    this.reported.delete(id);
    if (before === undefined) {
      this.reported.set(id, usage);
      if (this.reported.size > this.capacity) {
        const oldest = this.reported.keys().next().value;
        if (oldest !== undefined) this.reported.delete(oldest);
      }
      return usage;
    }
    const grown = (now: number | undefined, then: number | undefined) => Math.max(0, (now ?? 0) - (then ?? 0));
    const delta: LogTokens = { input: grown(usage.input, before.input), output: grown(usage.output, before.output) };
    const cacheRead = grown(usage.cacheRead, before.cacheRead);
    const cacheWrite = grown(usage.cacheWrite, before.cacheWrite);
    if (cacheRead > 0) delta.cacheRead = cacheRead;
    if (cacheWrite > 0) delta.cacheWrite = cacheWrite;
    const most = (now: number | undefined, then: number | undefined) => Math.max(now ?? 0, then ?? 0);
    this.reported.set(id, {
      input: most(usage.input, before.input),
      output: most(usage.output, before.output),
      cacheRead: most(usage.cacheRead, before.cacheRead),
      cacheWrite: most(usage.cacheWrite, before.cacheWrite),
    });
    const anything = delta.input + delta.output + cacheRead + cacheWrite > 0;
    return anything ? delta : undefined;
  }
}

/** Anthropic `usage` → tokens; undefined when the message carries none. */
export function claudeUsage(value: unknown): LogTokens | undefined {
  const usage = asObject(value);
  const input = asNumber(usage?.['input_tokens']);
  const output = asNumber(usage?.['output_tokens']);
  if (usage === undefined || (input === undefined && output === undefined)) return undefined;
  const tokens: LogTokens = { input: input ?? 0, output: output ?? 0 };
  const cacheRead = asNumber(usage['cache_read_input_tokens']);
  const cacheWrite = asNumber(usage['cache_creation_input_tokens']);
  if (cacheRead !== undefined) tokens.cacheRead = cacheRead;
  if (cacheWrite !== undefined) tokens.cacheWrite = cacheWrite;
  return tokens;
}

/** "Claude AI usage limit reached|1753286400" (Claude Code before 1.0.60): the reset in epoch seconds. */
function epochReset(text: string): { resetsAt?: number } {
  const epoch = /\|(\d{10})\s*$/.exec(text)?.[1];
  return epoch === undefined ? {} : { resetsAt: Number(epoch) * 1000 };
}

const subagent = (ctx: ClaudeLineContext, text: string) => (ctx.sidechain ? `subagent: ${text}` : text);

/** An assistant message: its text, thinking and tool calls, then how the turn stopped. */
export function assistantEvents(message: JsonObject, ctx: ClaudeLineContext, ledger?: MessageUsageLedger): LogEvent[] {
  const events: LogEvent[] = [];
  const content = message['content'];
  const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : (asArray(content) ?? []);
  // Claude Code's own words (model "<synthetic>"): a usage limit is one of them, the model's text never is.
  const ownWords = ctx.apiError || asString(message['model']) === '<synthetic>';
  for (const raw of blocks) {
    const block = asObject(raw);
    if (block === undefined) continue;
    const type = asString(block['type']);
    if (type === 'text') {
      const text = asString(block['text']) ?? '';
      if (text.trim() === '') continue;
      const limit = ownWords && saysLimit(text) ? { text: text.replace(/\|\d{10}\s*$/, '').trim() || text, ...epochReset(text) } : undefined;
      if (limit !== undefined) events.push(logEvent('error', ctx.time, limit.text, { limit }));
      else events.push(ctx.apiError ? logEvent('error', ctx.time, text) : logEvent('message', ctx.time, subagent(ctx, text)));
    } else if (type === 'thinking') {
      events.push(logEvent('message', ctx.time, `thinking: ${asString(block['thinking']) ?? ''}`, { level: 'debug' }));
    } else if (type === 'redacted_thinking') {
      events.push(logEvent('message', ctx.time, 'thinking (redacted)', { level: 'debug' }));
    } else if (type === 'tool_use' || type === 'server_tool_use' || type === 'mcp_tool_use') {
      const tool = asString(block['name']) ?? 'tool';
      const pending = ctx.sidechain ? undefined : pendingKind(tool);
      const text = subagent(ctx, describeToolCall(tool, block['input']));
      events.push(logEvent('tool_start', ctx.time, text, { tool, toolId: asString(block['id']), pending }));
    }
  }
  const stopReason = asString(message['stop_reason']);
  // A reply that is text alone, with no stop reason written (transcripts of 1.0.x and 2.1.29 write none):
  // the turn's end if nothing follows it. A line with a tool call goes on; a subagent's reply is not the turn's.
  const lastReply = events.at(-1);
  if (!ctx.sidechain && !ctx.apiError && stopReason === undefined && lastReply?.kind === 'message' && lastReply.level !== 'debug' && !events.some((e) => e.kind === 'tool_start')) {
    lastReply.mayEndTurn = true;
  }
  events.push(...stopEvents(stopReason, ctx));

  const usage = claudeUsage(message['usage']);
  const id = asString(message['id']);
  const tokens = usage && ledger && id ? ledger.increase(id, usage) : usage;
  const modelName = asString(message['model']);
  const model = modelName === '<synthetic>' ? undefined : modelName;
  if (tokens !== undefined && events.length === 0) events.push(logEvent('status', ctx.time, 'tokens used', { level: 'debug' }));
  const first = events[0];
  if (first !== undefined) {
    if (tokens !== undefined) first.tokens = tokens;
    if (model !== undefined) first.model = model;
  }
  return events;
}

function stopEvents(stopReason: string | undefined, ctx: ClaudeLineContext): LogEvent[] {
  // A subagent finishing is not the person's turn ending: the parent's Task call is still running.
  if (ctx.sidechain) return [];
  switch (stopReason) {
    case 'end_turn':
      return [logEvent('turn_end', ctx.time, 'turn ended', { ok: true })];
    case 'refusal':
      return [logEvent('turn_end', ctx.time, 'the model refused to continue', { ok: false })];
    case 'max_tokens':
      return [logEvent('status', ctx.time, 'reply cut off at the output token limit', { level: 'warn' })];
    default:
      return [];
  }
}

const REJECTED = /doesn't want to (proceed with this tool use|take this action)/;
const INTERRUPTED = /^\[Request interrupted by user/;

/** A user message: the person's prompt, a slash command, tool results, or an interruption. */
export function userEvents(message: JsonObject, ctx: ClaudeLineContext): LogEvent[] {
  const content = message['content'];
  if (typeof content === 'string') return userTextEvents(content, ctx);
  const events: LogEvent[] = [];
  const texts: string[] = [];
  for (const raw of asArray(content) ?? []) {
    const block = asObject(raw);
    const type = asString(block?.['type']);
    if (block === undefined) continue;
    if (type === 'tool_result') events.push(toolResultEvent(block, ctx));
    else if (type === 'text') texts.push(asString(block['text']) ?? '');
  }
  const text = texts.join('\n');
  if (text.trim() !== '') events.push(...userTextEvents(text, ctx));
  return events;
}

function toolResultEvent(block: JsonObject, ctx: ClaudeLineContext): LogEvent {
  const output = resultText(block['content']).replace(/<\/?tool_use_error>/g, '');
  const isError = asBoolean(block['is_error']) === true;
  const toolId = asString(block['tool_use_id']);
  if (REJECTED.test(output)) return logEvent('tool_end', ctx.time, subagent(ctx, 'rejected by the user'), { toolId, ok: false });
  const line = firstLine(output).trim();
  const text = isError ? `error: ${line || 'tool failed'}` : line || '(no output)';
  return logEvent('tool_end', ctx.time, subagent(ctx, text), { toolId, ok: !isError });
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  return (asArray(content) ?? [])
    .map((part) => asString(asObject(part)?.['text']) ?? '')
    .filter((text) => text !== '')
    .join('\n');
}

/**
 * Claude Code's own commands: they act on the session, not on the work, so none opens a turn. `/exit`
 * and `/quit` end the session; `/clear` begins a new conversation (a new transcript); `/compact` is
 * reported by its compact_boundary line, with the token counts. A command not listed here is a custom
 * one (`.claude/commands/*.md`): its expansion is a prompt like any other.
 */
const SESSION_ENDS = new Set(['/exit', '/quit']);
const LOCAL_COMMANDS = new Set([
  '/clear', '/compact', '/model', '/help', '/config', '/cost', '/status', '/context', '/resume', '/login', '/logout', '/doctor',
  '/memory', '/permissions', '/hooks', '/mcp', '/agents', '/add-dir', '/vim', '/theme', '/terminal-setup', '/ide', '/export',
  '/bug', '/release-notes', '/upgrade', '/usage', '/privacy-settings', '/output-style', '/statusline', '/todos', '/rewind', '/init',
]);

function commandEvents(command: string, args: string, ctx: ClaudeLineContext): LogEvent[] {
  const said = args === '' ? command : `${command} ${args}`;
  if (SESSION_ENDS.has(command)) return [logEvent('turn_end', ctx.time, `session ended (${command})`, { ok: true, endsSession: true })];
  if (command === '/clear') return [logEvent('status', ctx.time, 'a new conversation (/clear)')];
  if (command === '/model' && args !== '') return [logEvent('status', ctx.time, `model: ${args}`, { model: args })];
  if (LOCAL_COMMANDS.has(command)) return [logEvent('status', ctx.time, said)];
  return [logEvent('prompt', ctx.time, said)];
}

const tag = (text: string, name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text)?.[1];

function userTextEvents(text: string, ctx: ClaudeLineContext): LogEvent[] {
  if (INTERRUPTED.test(text.trim())) {
    return [logEvent('turn_end', ctx.time, subagent(ctx, 'interrupted by the user'), { ok: false })];
  }
  if (ctx.sidechain) return [logEvent('message', ctx.time, `subagent task: ${text}`, { level: 'debug' })];
  if (text.includes('<local-command-caveat>')) return [];
  const command = tag(text, 'command-name');
  if (command !== undefined) return commandEvents(command.trim(), (tag(text, 'command-args') ?? '').trim(), ctx);
  const stdout = tag(text, 'local-command-stdout') ?? tag(text, 'bash-stdout');
  if (stdout !== undefined) return [logEvent('status', ctx.time, stdout || '(no output)', { level: 'debug' })];
  const stderr = tag(text, 'local-command-stderr') ?? tag(text, 'bash-stderr');
  if (stderr !== undefined) return stderr.trim() === '' ? [] : [logEvent('status', ctx.time, stderr, { level: 'warn' })];
  const bash = tag(text, 'bash-input');
  if (bash !== undefined) return [logEvent('prompt', ctx.time, `! ${bash}`)];
  return [logEvent('prompt', ctx.time, text)];
}
