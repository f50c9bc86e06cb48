// Claude Code transcripts: real files from test/fixtures/agent-logs/claude-code (see SOURCES.md there).
// Expected values were read from the files with jq, not copied from the parser's output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClaudeCodeLine } from '../../../src/core/parsers/logs/claude-code.js';
import { createLogParser, parseLine, type LogEvent } from '../../../src/core/parsers/logs/index.js';
import { EMPTY_ACTIVITY, foldEvent } from '../../../src/core/rules/activity.js';

const fixture = (name: string) => {
  const lines = readFileSync(new URL(`../../fixtures/agent-logs/claude-code/${name}`, import.meta.url), 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
};

function readAll(lines: readonly string[]): { events: LogEvent[]; malformed: string[] } {
  const parser = createLogParser('claude-code');
  const events: LogEvent[] = [];
  const malformed: string[] = [];
  for (const line of lines) {
    const parsed = parser.push(line);
    if ('malformed' in parsed) malformed.push(parsed.malformed);
    else events.push(...parsed.events);
  }
  return { events, malformed };
}

/** Tool calls with no tool_end yet: what a reader pairs by toolId. */
const openCalls = (events: LogEvent[]) => {
  const ended = new Set(events.filter((e) => e.kind === 'tool_end').map((e) => e.toolId));
  return events.filter((e) => e.kind === 'tool_start' && !ended.has(e.toolId));
};

const sumTokens = (events: LogEvent[]) =>
  events.reduce(
    (sum, e) => ({
      input: sum.input + (e.tokens?.input ?? 0),
      output: sum.output + (e.tokens?.output ?? 0),
      cacheRead: sum.cacheRead + (e.tokens?.cacheRead ?? 0),
      cacheWrite: sum.cacheWrite + (e.tokens?.cacheWrite ?? 0),
    }),
    { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  );

describe('Claude Code 2.1.29: Bash permission dialog, the person rejects, then /exit', () => {
  const lines = fixture('claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl');
  const { events, malformed } = readAll(lines);

  it('reads every line', () => {
    expect(lines).toHaveLength(10);
    expect(malformed).toEqual([]);
  });

  it('tells the prompt, the Bash call, its rejection, the interruption and /exit, in order', () => {
    const visible = events.filter((e) => e.level !== 'debug').map((e) => [e.kind, e.text]);
    expect(visible).toEqual([
      ['prompt', 'Use the Bash tool to run: touch /tmp/test_file.txt'],
      ['tool_start', 'Bash touch /tmp/test_file.txt'],
      ['tool_end', 'rejected by the user'],
      ['turn_end', 'interrupted by the user'],
      // The agent's own command ends the session: no prompt, no turn opened.
      ['turn_end', 'session ended (/exit)'],
    ]);
    expect(events.filter((e) => e.kind === 'prompt')).toHaveLength(1);
    expect(events.at(-2)).toMatchObject({ kind: 'turn_end', endsSession: true });
  });

  it('folds to a closed turn that says the session ended (what a person reading it concludes)', () => {
    const activity = events.reduce((a, e) => foldEvent(a, e, e.time ?? 0), EMPTY_ACTIVITY);
    expect(activity.turnOpen).toBe(false);
    // The session ended; how its last turn went is kept: the person interrupted it.
    expect(activity.lastOutcome).toMatchObject({ text: 'interrupted by the user', ok: false, endsSession: true });
    expect(activity.lastPrompt).toBe('Use the Bash tool to run: touch /tmp/test_file.txt');
  });

  it('pairs the rejected call with its start, names its tool and marks it failed', () => {
    const start = events.find((e) => e.kind === 'tool_start');
    const end = events.find((e) => e.kind === 'tool_end');
    expect(start).toMatchObject({ tool: 'Bash', toolId: 'toolu_013WZc6b6s3vxp7drx1wUuWF' });
    expect(start?.pending).toBeUndefined();
    expect(end).toMatchObject({ tool: 'Bash', toolId: 'toolu_013WZc6b6s3vxp7drx1wUuWF', ok: false, level: 'warn' });
    expect(events.find((e) => e.kind === 'turn_end')?.ok).toBe(false);
  });

  it('leaves the Bash call open while the dialog is up (the file cut after the tool_use line)', () => {
    const { events: early } = readAll(lines.slice(0, 4));
    expect(openCalls(early).map((e) => e.text)).toEqual(['Bash touch /tmp/test_file.txt']);
    expect(openCalls(events)).toEqual([]);
  });

  it('counts the usage of message msg_01RstS2z… once, though two lines repeat it', () => {
    expect(sumTokens(events)).toEqual({ input: 10, output: 8, cacheRead: 10351, cacheWrite: 7756 });
    // Stateless, each line reports what it carries: twice.
    const stateless = lines.flatMap((line) => {
      const parsed = parseLine('claude-code', line);
      return 'events' in parsed ? parsed.events : [];
    });
    expect(sumTokens(stateless).output).toBe(16);
  });

  it('carries the time and the model', () => {
    expect(events[0]?.time).toBe(Date.parse('2026-02-01T04:11:53.760Z'));
    expect(events.find((e) => e.model !== undefined)?.model).toBe('claude-haiku-4-5-20251001');
  });

  it('skips bookkeeping lines (file-history-snapshot) and the /exit caveat', () => {
    expect(parseClaudeCodeLine(lines[0] ?? '')).toEqual({ events: [] });
    expect(parseClaudeCodeLine(lines[7] ?? '')).toEqual({ events: [] });
  });
});

describe('Claude Code 1.0.108: multi-tool session with an inline subagent', () => {
  const lines = fixture('claude-code-viewer__5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl');
  const { events, malformed } = readAll(lines);
  const starts = events.filter((e) => e.kind === 'tool_start');
  const isSubagent = (e: LogEvent) => e.text.startsWith('subagent: ');

  it('reads all 53 lines', () => {
    expect(lines).toHaveLength(53);
    expect(malformed).toEqual([]);
  });

  it('starts from the /orchestrator slash command', () => {
    expect(events[0]).toMatchObject({ kind: 'prompt', time: Date.parse('2025-09-07T09:52:03.071Z') });
    expect(events[0]?.text.startsWith('/orchestrator @CLAUDE.md')).toBe(true);
    // The slash command's expansion is isMeta: injected by Claude Code, not typed.
    expect(events.filter((e) => e.kind === 'prompt')).toHaveLength(1);
  });

  it('lists the main agent’s tools in order', () => {
    expect(starts.filter((e) => !isSubagent(e)).map((e) => e.tool)).toEqual([
      'TodoWrite', 'Glob', 'Glob', 'TodoWrite', 'Task', 'Task', 'TodoWrite', 'Task', 'TodoWrite', 'Edit', 'Read', 'MultiEdit', 'TodoWrite',
    ]);
  });

  it('lists the subagents’ tools in order, marked as a subagent’s', () => {
    expect(starts.filter(isSubagent).map((e) => e.tool)).toEqual(['Glob', 'Read', 'Bash', 'Bash', 'Bash', 'Bash', 'Read', 'Bash']);
    expect(starts.filter(isSubagent).map((e) => e.text)).toContain('subagent: Bash ls -la /path/to/Demo');
  });

  it('tells which three calls failed, and why', () => {
    const failed = events.filter((e) => e.kind === 'tool_end' && e.ok === false);
    expect(failed.map((e) => [e.tool, e.toolId])).toEqual([
      ['Task', 'toolu_018t5jce2ZNoGr2ADsHGQife'],
      ['Bash', 'toolu_01KDiLyJT1VsszVhG4d3p6jV'],
      ['Edit', 'toolu_019ctBEHhLKehUi4xPDkYwvc'],
    ]);
    expect(failed[0]?.text).toContain('InputValidationError');
    expect(failed[2]?.text).toBe('error: File has not been read yet. Read it first before writing to it.');
  });

  it('leaves no call without its result', () => {
    expect(starts).toHaveLength(21);
    expect(openCalls(events)).toEqual([]);
  });

  it('ends on the final Japanese summary, without a turn_end (stop_reason is null there)', () => {
    const last = events.at(-1);
    expect(last?.kind).toBe('message');
    expect(last?.text.startsWith('CLAUDE.mdファイルを最新の状態にアップデートしました。')).toBe(true);
    expect(last?.time).toBe(Date.parse('2025-09-07T09:54:26.499Z'));
    // The subagent's end_turn is not the person's turn ending.
    expect(events.filter((e) => e.kind === 'turn_end')).toEqual([]);
  });

  it('sums tokens per API message, not per line: 20 messages over 28 lines', () => {
    expect(sumTokens(events)).toEqual({ input: 129, output: 3629, cacheRead: 324259, cacheWrite: 47747 });
    // The per-line sum would report 4031 output tokens.
  });

  it('keeps one readable line for every event', () => {
    for (const e of events) {
      expect(e.text).not.toMatch(/\n/);
      expect(Array.from(e.text).length).toBeLessThanOrEqual(200);
    }
  });
});

describe('Claude Code lines not in the fixtures (version drift)', () => {
  it('reads a 2.x turn_duration line as the end of a turn', () => {
    const line = '{"type":"system","subtype":"turn_duration","durationMs":59902,"timestamp":"2026-07-25T11:24:05.514Z","isSidechain":false}';
    expect(parseClaudeCodeLine(line)).toEqual({
      events: [{ time: Date.parse('2026-07-25T11:24:05.514Z'), kind: 'turn_end', text: 'turn ended after 59.9 s', level: 'info', ok: true }],
    });
  });

  it('reads an API error message (rate limit) as an error that ends the turn', () => {
    const line = JSON.stringify({
      type: 'assistant', isApiErrorMessage: true, timestamp: '2026-01-01T00:00:00Z',
      message: { id: 'x', model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text: 'API Error: Rate limit reached' }] },
    });
    const parsed = parseClaudeCodeLine(line);
    const time = Date.parse('2026-01-01T00:00:00Z');
    expect(parsed).toEqual({
      events: [
        { time, kind: 'error', text: 'API Error: Rate limit reached', level: 'error' },
        // Claude Code gave up: the synthetic message is the turn's last word.
        { time, kind: 'turn_end', text: 'turn stopped by an API error', level: 'warn', ok: false },
      ],
    });
  });

  it('marks AskUserQuestion and ExitPlanMode as waiting for the person', () => {
    const call = (name: string, input: object) =>
      JSON.stringify({ type: 'assistant', message: { id: 'm', content: [{ type: 'tool_use', id: `t-${name}`, name, input }] } });
    const ask = parseClaudeCodeLine(call('AskUserQuestion', { questions: [{ question: 'Which database?', options: [] }] }));
    const plan = parseClaudeCodeLine(call('ExitPlanMode', { plan: 'Migrate the loader\nthen test' }));
    expect(ask).toMatchObject({ events: [{ kind: 'tool_start', pending: 'question', text: 'asks: Which database?' }] });
    expect(plan).toMatchObject({ events: [{ kind: 'tool_start', pending: 'plan', text: 'plan ready for review: Migrate the loader' }] });
  });

  it('passes unknown line types through as a debug status', () => {
    expect(parseClaudeCodeLine('{"type":"hologram","sessionId":"s"}')).toMatchObject({
      events: [{ kind: 'status', level: 'debug', text: 'claude-code: unrecognised line type "hologram"' }],
    });
  });
});
