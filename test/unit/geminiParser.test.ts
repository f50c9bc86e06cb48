// Gemini CLI: real saved chats (one JSON document up to 0.38, JSONL from 0.39) and real
// `--output-format stream-json` runs from test/fixtures/agent-logs/gemini (SOURCES-gemini.md). Each
// file is fed line by line, as the tailer does, and the test asserts what a person reading it concludes.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/core/parsers/logs/event.js';
import { createGeminiParser, looksLikeGemini } from '../../src/core/parsers/logs/gemini.js';

const FIXTURES = new URL('../fixtures/agent-logs/', import.meta.url);

function linesOf(name: string, dir = 'gemini'): string[] {
  const text = readFileSync(new URL(`${dir}/${name}`, FIXTURES), 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

interface Read {
  events: LogEvent[];
  malformed: string[];
  /** How many lines gave events (a whole document gives them all on its last line). */
  linesWithEvents: number;
}

function feed(lines: readonly string[], parser = createGeminiParser()): Read {
  const read: Read = { events: [], malformed: [], linesWithEvents: 0 };
  for (const line of lines) {
    const parsed = parser.push(line);
    if ('malformed' in parsed) read.malformed.push(parsed.malformed);
    else if (parsed.events.length > 0) {
      read.linesWithEvents += 1;
      read.events.push(...parsed.events);
    }
  }
  return read;
}

const of = (events: readonly LogEvent[], kind: LogEvent['kind']) => events.filter((e) => e.kind === kind);

/** What a panel would show: the last tool and its outcome, the sums of the tokens, the models, the turn. */
function summary(events: readonly LogEvent[]) {
  const starts = of(events, 'tool_start');
  const last = starts.at(-1);
  const end = last && of(events, 'tool_end').find((e) => e.toolId === last.toolId);
  const tokens = { input: 0, output: 0, cacheRead: 0 };
  for (const e of events) {
    tokens.input += e.tokens?.input ?? 0;
    tokens.output += e.tokens?.output ?? 0;
    tokens.cacheRead += e.tokens?.cacheRead ?? 0;
  }
  let turnOpen = false;
  for (const e of events) {
    if (e.kind === 'prompt' || e.kind === 'tool_start' || (e.kind === 'message' && e.level !== 'debug')) turnOpen = true;
    if (e.kind === 'turn_end' || e.kind === 'result') turnOpen = false;
  }
  const models: string[] = [];
  for (const e of events) if (e.model !== undefined && models.at(-1) !== e.model) models.push(e.model);
  return {
    prompts: of(events, 'prompt').map((e) => e.text),
    lastTool: last ? { name: last.tool, ok: end?.ok } : null,
    tokens,
    models,
    turnOpen,
  };
}

describe('a saved chat of Gemini CLI 0.10/0.11, one JSON document: three prompts, a cancelled shell, an error', () => {
  const lines = linesOf('jnarowski-agentcmd__session-2025-10-27T19-55-981c87cb.json');
  const read = feed(lines);
  const s = summary(read.events);

  it('reads nothing until the document is whole, and no line as malformed', () => {
    expect(read.malformed).toEqual([]);
    expect(read.linesWithEvents).toBe(1);
    expect(lines.length).toBeGreaterThan(100);
  });

  it('tells the three prompts the person typed, with their times', () => {
    expect(s.prompts).toEqual([
      'Can you make me an ai agent in python that I can execute built in pythin',
      'python',
      'can you audit this codebase and provide me with detailed suggestions for improvement?',
    ]);
    expect(of(read.events, 'prompt')[0]?.time).toBe(Date.parse('2025-10-27T19:56:01.701Z'));
  });

  it('pairs all 13 tool calls; the failed ones are the cancelled python3 and the relative path', () => {
    const starts = of(read.events, 'tool_start');
    expect(starts).toHaveLength(13);
    expect(of(read.events, 'tool_end').map((e) => e.toolId)).toEqual(starts.map((e) => e.toolId));
    const failed = of(read.events, 'tool_end').filter((e) => e.ok === false);
    expect(failed.map((e) => [e.tool, e.text])).toEqual([
      ['run_shell_command', 'cancelled: [Operation Cancelled] Reason: User cancelled the operation.'],
      ['list_directory', 'error: Path must be absolute: .'],
    ]);
    expect(starts[2]?.text).toBe('run_shell_command python3');
  });

  it('ends each turn: answered, stopped by the cancel, answered; the last tool wrote main.py and succeeded', () => {
    expect(of(read.events, 'turn_end').map((e) => [e.ok, e.time])).toEqual([
      [true, Date.parse('2025-10-27T20:11:51.828Z')],
      [false, Date.parse('2025-10-27T20:22:31.120Z')],
      [true, Date.parse('2025-10-27T20:24:29.688Z')],
    ]);
    expect(of(read.events, 'turn_end')[1]?.text).toBe('turn cancelled: run_shell_command cancelled');
    expect(s.turnOpen).toBe(false);
    expect(read.events.at(-1)?.kind).toBe('turn_end');
    expect(s.lastTool).toEqual({ name: 'write_file', ok: true });
  });

  it('adds up the tokens of the 15 replies, cached apart from input, thinking counted as output', () => {
    // Σ(input − cached) = 57420, Σ(output + thoughts) = 6456, Σ cached = 45385.
    expect(s.tokens).toEqual({ input: 57420, output: 6456, cacheRead: 45385 });
    expect(s.models).toEqual(['gemini-2.5-pro']);
  });
});

describe('a saved chat of gemini -p 0.11.0: the only tool call fails and the file ends there', () => {
  const read = feed(linesOf('jnarowski-agentcmd__session-2025-10-29T10-39-a63242d9.json'));
  const s = summary(read.events);

  it('tells the prompt, and that write_file was not found', () => {
    expect(read.malformed).toEqual([]);
    expect(s.prompts).toEqual(["Create a file test-default.txt with content 'test'"]);
    expect(s.lastTool).toEqual({ name: 'write_file', ok: false });
    expect(of(read.events, 'tool_end')[0]?.text.startsWith('error: Tool "write_file" not found in registry.')).toBe(true);
  });

  it('leaves the turn open: the model never answered after the failed call', () => {
    expect(of(read.events, 'turn_end')).toEqual([]);
    expect(s.turnOpen).toBe(true);
  });

  it('counts the one reply’s tokens, its two thoughts at debug level', () => {
    expect(s.tokens).toEqual({ input: 4657, output: 151, cacheRead: 0 });
    expect(of(read.events, 'message').map((e) => [e.level, e.text])).toEqual([
      ['debug', 'thinking: Defining File Creation Parameters'],
      ['debug', 'thinking: Crafting the Tool Call'],
    ]);
  });
});

describe('a saved chat of gemini -p 0.11.0: read, replace, read, "Done."', () => {
  const read = feed(linesOf('jnarowski-agentcmd__session-2025-10-29T10-36-453aa339.json'));
  const s = summary(read.events);

  it('names each call by its file and ends the turn on the answer', () => {
    expect(read.malformed).toEqual([]);
    expect(of(read.events, 'tool_start').map((e) => e.text)).toEqual([
      'read_file /private/tmp/gemini-test/created.txt',
      'replace /private/tmp/gemini-test/created.txt',
      'read_file /private/tmp/gemini-test/created.txt',
    ]);
    expect(of(read.events, 'tool_end').every((e) => e.ok === true)).toBe(true);
    expect(read.events.at(-1)).toMatchObject({ kind: 'turn_end', ok: true, text: 'turn done: Done.' });
    expect(s.prompts).toEqual(["Change 'Hello' to 'Goodbye' in /tmp/gemini-test/created.txt"]);
    expect(s.tokens).toEqual({ input: 17665, output: 563, cacheRead: 4029 });
  });
});

describe('a saved chat of Gemini CLI 0.8/0.9 (2025-10-11): those versions recorded no tool calls', () => {
  const read = feed(linesOf('Mai0313-VibeCodingTracker__2025-10-11__test_conversation_gemini.json'));
  const s = summary(read.events);

  it('reads 13 replies and no tool at all', () => {
    expect(read.malformed).toEqual([]);
    expect(of(read.events, 'message').filter((e) => e.level !== 'debug')).toHaveLength(13);
    expect(of(read.events, 'tool_start')).toEqual([]);
    expect(s.prompts).toHaveLength(1);
    expect(s.prompts[0]?.startsWith('## 任務：將專案描述中的 "Vibe Coding Tracker" 改為 "Vibe Code Tracker"')).toBe(true);
  });

  it('ends the turn once, on the last reply: the replies before it are followed by more of the model', () => {
    const ends = of(read.events, 'turn_end');
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ ok: true, time: Date.parse('2025-10-11T13:02:03.227Z') });
    expect(read.events.at(-1)).toBe(ends[0]);
  });

  it('adds up the tokens, skipping the replies 0.8 wrote with all-zero counts', () => {
    expect(s.tokens).toEqual({ input: 54874, output: 2397, cacheRead: 121305 });
    expect(s.models).toEqual(['gemini-2.5-pro']);
  });
});

describe('a saved chat of Gemini CLI 0.35 (2026-03-27, still one document; content as parts)', () => {
  const read = feed(linesOf('Mai0313-VibeCodingTracker__2026-03-27__test_conversation_gemini.json'));
  const s = summary(read.events);

  it('reads the prompt from its parts, three reads then four writes, and the answer as done', () => {
    expect(read.malformed).toEqual([]);
    expect(s.prompts).toHaveLength(1);
    expect(s.prompts[0]?.startsWith('請幫我依照專案實際狀況更新 README.md README.zh-CN.md README.zh-TW.md')).toBe(true);
    expect(of(read.events, 'tool_start').map((e) => e.text)).toEqual([
      'read_file README.md', 'read_file README.zh-CN.md', 'read_file README.zh-TW.md',
      'write_file README.md', 'write_file README.zh-CN.md', 'write_file README.zh-TW.md', 'write_file CONTRIBUTING.md',
    ]);
    expect(of(read.events, 'tool_end').every((e) => e.ok === true)).toBe(true);
    expect(s.lastTool).toEqual({ name: 'write_file', ok: true });
    expect(read.events.at(-1)).toMatchObject({ kind: 'turn_end', ok: true });
    expect(s.turnOpen).toBe(false);
  });

  it('counts the tokens and names the model', () => {
    expect(s.tokens).toEqual({ input: 36522, output: 20941, cacheRead: 39826 });
    expect(s.models).toEqual(['gemini-3.1-pro-preview-customtools']);
  });
});

describe('a JSONL chat of Gemini CLI 0.39 (2026-04-23): /init, an automatic "continue", an edit, a cancel', () => {
  const lines = linesOf('Mai0313-VibeCodingTracker__gemini.jsonl');
  const read = feed(lines);
  const s = summary(read.events);

  it('reads every line, and tells the prompts as typed: /init (not its expansion), then the request', () => {
    expect(read.malformed).toEqual([]);
    expect(s.prompts).toEqual(['/init', '幫我做一個小修改 請幫我將上面確保執行時要透過 uv run 來執行 避免環境有問題']);
    // "System: Please continue." is written by the CLI after an invalid reply, not by the person.
    const resumed = read.events.find((e) => e.text.includes('System: Please continue.'));
    expect(resumed).toMatchObject({ kind: 'status', level: 'debug' });
  });

  it('tells each of the 12 tool calls once, though every message with calls is written twice', () => {
    const starts = of(read.events, 'tool_start');
    expect(starts).toHaveLength(12);
    expect(new Set(starts.map((e) => e.toolId)).size).toBe(12);
    expect(of(read.events, 'tool_end').map((e) => e.toolId).sort()).toEqual(starts.map((e) => e.toolId).sort());
    expect(s.lastTool).toEqual({ name: 'replace', ok: true });
  });

  it('counts each reply’s tokens once, and follows the model from flash to pro', () => {
    expect(s.tokens).toEqual({ input: 153635, output: 4293, cacheRead: 48951 });
    expect(s.models).toEqual(['gemini-3-flash-preview', 'gemini-3.1-pro-preview']);
  });

  it('ends the last turn as the person cancelled it ("Request cancelled."), after the edit', () => {
    expect(read.events.at(-1)).toMatchObject({ kind: 'turn_end', ok: false, text: 'turn cancelled: Request cancelled.', time: Date.parse('2026-04-23T12:58:35.591Z') });
    expect(s.turnOpen).toBe(false);
  });

  it('reads a reply with text as the end of the turn until the same message comes back with a tool call', () => {
    // edf94f05: the summary is written alone (turn done), then again with update_topic (the turn goes on).
    const kinds = read.events.filter((e) => e.time === Date.parse('2026-04-23T12:53:35.150Z')).map((e) => e.kind);
    expect(kinds).toEqual(['message', 'turn_end', 'tool_start']);
    expect(of(read.events, 'turn_end').map((e) => e.ok)).toEqual([true, true, false]);
  });

  it('passes the CLI’s info line through as a status', () => {
    expect(read.events.find((e) => e.kind === 'status' && e.text === 'Empty GEMINI.md created. Now analyzing the project to populate it.')).toBeDefined();
  });
});

describe('gemini --output-format stream-json 0.37.1: read a file, answer in three chunks, result', () => {
  const read = feed(linesOf('seanrobertwright-Gemini-CLI-SDK__tool-use-builtin.ndjson'));
  const s = summary(read.events);
  const visible = read.events.filter((e) => e.kind !== 'heartbeat');

  it('tells the run in order, a chunked reply as one message', () => {
    expect(read.malformed).toEqual([]);
    expect(visible.map((e) => e.kind)).toEqual(['status', 'prompt', 'message', 'tool_start', 'tool_end', 'message', 'result']);
    expect(of(read.events, 'heartbeat')).toHaveLength(4);
    expect(visible[5]?.text).toBe(
      'The contents of `test.txt` are: ```text This is a fixture file used by the tool-use-builtin scenario. Phase 1 of the Gemini SDK. The gemini-cli read_file tool should return this content verbatim. ```',
    );
    expect(visible[4]).toMatchObject({ tool: 'read_file', toolId: 'read_file_1775953086139_0', ok: true });
    expect(s.prompts).toEqual(['Read the file test.txt in the current directory and show its contents.']);
  });

  it('ends the run on the result: done, its tokens, the model that did the work', () => {
    expect(read.events.at(-1)).toMatchObject({
      kind: 'result', ok: true, text: 'done (3.8 s, 1 tool call)', model: 'gemini-3-flash-preview', time: Date.parse('2026-04-12T00:18:07.284Z'),
    });
    // input_tokens 17144 (none cached), output_tokens 120 + 173 more in total_tokens (thinking).
    expect(s.tokens).toEqual({ input: 17144, output: 293, cacheRead: 0 });
    expect(s.turnOpen).toBe(false);
    expect(s.models).toEqual(['auto-gemini-3', 'gemini-3-flash-preview']);
  });
});

describe('gemini --output-format stream-json 0.37.1: save_memory is not registered, the model answers anyway', () => {
  const read = feed(linesOf('seanrobertwright-Gemini-CLI-SDK__resume-session-turn1.ndjson'));
  const s = summary(read.events);

  it('tells the failed call by name, the answer, and a successful run', () => {
    expect(read.malformed).toEqual([]);
    expect(s.lastTool).toEqual({ name: 'save_memory', ok: false });
    const end = of(read.events, 'tool_end')[0];
    expect(end?.tool).toBe('save_memory');
    expect(end?.text.startsWith('error: Tool "save_memory" not found.')).toBe(true);
    expect(of(read.events, 'message').at(-1)?.text).toBe('Understood. I have noted that your favorite number is exactly 47.');
    expect(read.events.at(-1)).toMatchObject({ kind: 'result', ok: true });
    expect(s.turnOpen).toBe(false);
  });

  it('reads the stats: 10758 uncached input, 8739 cached, 73 + 1313 thinking output', () => {
    expect(s.tokens).toEqual({ input: 10758, output: 1386, cacheRead: 8739 });
  });
});

describe('a chat document the CLI rewrites as it grows, read by one parser', () => {
  const lines = linesOf('jnarowski-agentcmd__session-2025-10-27T19-55-981c87cb.json');
  const full = JSON.parse(lines.join('\n')) as { messages: unknown[] };
  // The file as the CLI wrote it four messages in (chatRecordingService writes JSON.stringify(chat, null, 2)).
  const earlier = JSON.stringify({ ...full, messages: full.messages.slice(0, 4) }, null, 2).split('\n');

  it('tells only the messages that are new when the document parses again', () => {
    const parser = createGeminiParser();
    const first = feed(earlier, parser);
    expect(summary(first.events).prompts).toEqual(['Can you make me an ai agent in python that I can execute built in pythin']);
    expect(of(first.events, 'turn_end')).toHaveLength(1);
    const second = feed(lines, parser);
    expect(second.malformed).toEqual([]);
    expect(summary(second.events).prompts).toEqual(['python', 'can you audit this codebase and provide me with detailed suggestions for improvement?']);
    expect(of([...first.events, ...second.events], 'tool_start')).toHaveLength(13);
    expect(feed(lines, parser).events).toEqual([]);
  });

  it('holds an unfinished document without calling its lines malformed', () => {
    const parser = createGeminiParser();
    const half = Math.floor(lines.length / 2);
    const cut = feed(lines.slice(0, half), parser);
    expect(cut).toEqual({ events: [], malformed: [], linesWithEvents: 0 });
    expect(feed(lines.slice(half), parser).events.length).toBeGreaterThan(0);
  });

  it('reads the document without its last "}": the CLI writes no newline after it, so a follower never gets that line', () => {
    const parser = createGeminiParser();
    const withoutBrace = feed(lines.slice(0, -1), parser);
    expect(lines.at(-1)).toBe('}');
    expect(withoutBrace.malformed).toEqual([]);
    expect(withoutBrace.events.length).toBeGreaterThan(0);
    // The brace itself, if it ever comes (the file closed or replaced), adds nothing twice.
    expect(feed(lines.slice(-1), parser).events.filter((e) => e.kind !== 'status')).toEqual([]);
  });
});

describe('looksLikeGemini', () => {
  const gemini = readdirSync(new URL('gemini/', FIXTURES));

  it('knows every Gemini fixture by its first lines alone', () => {
    expect(gemini.length).toBeGreaterThanOrEqual(8);
    for (const name of gemini) expect([name, looksLikeGemini(linesOf(name).slice(0, 10), `/logs/${name}`)]).toEqual([name, true]);
  });

  it('knows the name the CLI gives a saved chat', () => {
    expect(looksLikeGemini([], '/home/u/.gemini/tmp/abc/chats/session-2025-10-27T19-55-981c87cb.json')).toBe(true);
    expect(looksLikeGemini([], '/home/u/.gemini/tmp/abc/chats/session-2026-04-23T12-52-0ab84937.jsonl')).toBe(true);
  });

  it('does not take the other agents’ real logs for Gemini', () => {
    for (const dir of ['claude-code', 'claude-code-stream-json', 'codex', 'aider']) {
      for (const name of readdirSync(new URL(`${dir}/`, FIXTURES))) {
        expect([dir, name, looksLikeGemini(linesOf(name, dir).slice(0, 10), name)]).toEqual([dir, name, false]);
      }
    }
  });
});
