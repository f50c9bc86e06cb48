// Aider 0.84.0's .aider.chat.history.md: the real file in test/fixtures/agent-logs/aider (SOURCES.md).
// Expected counts were taken with grep and awk over the file, not from the parser.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AIDER_INITIAL, reduceAiderLine, type AiderState } from '../../../src/core/parsers/logs/aider.js';
import { createLogParser, parseLine, type LogEvent } from '../../../src/core/parsers/logs/index.js';

const lines = readFileSync(new URL('../../fixtures/agent-logs/aider/Monochromatic__.aider.chat.history.md', import.meta.url), 'utf8').split('\n');

const parser = createLogParser('aider');
const events: LogEvent[] = lines.flatMap((line) => {
  const parsed = parser.push(line);
  if ('malformed' in parsed) throw new Error(parsed.malformed);
  return parsed.events;
});
const ofKind = (kind: LogEvent['kind']) => events.filter((e) => e.kind === kind);

describe('Aider chat history: 19 sessions on one repository', () => {
  it('opens a session at each "# aider chat started at"', () => {
    const sessions = events.filter((e) => e.text.startsWith('aider chat started at'));
    expect(sessions).toHaveLength(19);
    expect(sessions[0]?.text).toBe('aider chat started at 2025-06-02 11:47:49');
    // No zone in the file: the time stays in the text, not guessed.
    expect(events.every((e) => e.time === null)).toBe(true);
  });

  it('reads each multi-line #### block as one prompt, its first line, in order', () => {
    const prompts = ofKind('prompt').map((e) => e.text);
    expect(prompts).toHaveLength(23);
    expect(prompts.slice(0, 3)).toEqual(['What can you say about this package?', "what's this dir doing?", "What's this dir doing?"]);
    expect(prompts).toContain('look at my CONVENTIONS.md');
    // Aider's own command (line 2576) goes to no model and opens no turn: a status, not a prompt.
    expect(prompts).not.toContain('/undo');
    expect(events.find((e) => e.text === '/undo')?.kind).toBe('status');
    expect(prompts.at(-1)).toBe('In CONVENTIONS.md');
    // Confirm answers logged with #### ("Add file to the chat? … [Yes]: all") are not prompts.
    expect(prompts.some((p) => p.includes('(Y)es'))).toBe(false);
  });

  it('reads every "> Tokens: … Cost:" line as the end of a reply, with tokens and its cost', () => {
    const ends = ofKind('turn_end').filter((e) => e.tokens !== undefined);
    expect(ends).toHaveLength(39);
    expect(ends[0]).toMatchObject({ ok: true, tokens: { input: 9700, output: 85 }, costUsd: 0.01 });
    expect(ends.find((e) => e.text.includes('1.3k received'))?.tokens).toEqual({ input: 22000, output: 1300 });
    expect(ends.at(-1)).toMatchObject({ tokens: { input: 29000, output: 253 }, costUsd: 0.04 });
    expect(ends.at(-1)?.text).toBe('Tokens: 29k sent, 253 received. Cost: $0.04 message, $0.35 session.');
    const total = ends.reduce((sum, e) => sum + (e.costUsd ?? 0), 0);
    expect(total).toBeCloseTo(1.0084, 6);
  });

  it('tells the rate-limit errors, the other API errors, the traceback and the failed edits', () => {
    const errors = ofKind('error');
    expect(errors.filter((e) => e.text.startsWith('litellm.RateLimitError'))).toHaveLength(6);
    expect(errors.filter((e) => e.text.startsWith('litellm.'))).toHaveLength(11);
    expect(errors.filter((e) => e.text.startsWith('Error: Read-only file'))).toHaveLength(2);
    expect(errors.filter((e) => e.text === '# 1 SEARCH/REPLACE block failed to match!')).toHaveLength(7);
    expect(errors.filter((e) => e.text.startsWith('Traceback')).map((e) => e.text)).toEqual([
      "Traceback: TypeError: can't multiply sequence by non-int of type 'float'",
    ]);
    expect(errors).toHaveLength(11 + 2 + 7 + 1);
    expect(errors.every((e) => e.level === 'error')).toBe(true);
  });

  it('tells each ^C: 19 back at the prompt, 15 exits (each followed by a new session or the end of the file)', () => {
    const interrupts = events.filter((e) => e.text.startsWith('^C'));
    const exits = interrupts.filter((e) => e.text.includes('KeyboardInterrupt'));
    expect(exits).toHaveLength(15);
    expect(exits.every((e) => e.endsSession === true)).toBe(true);
    expect(interrupts.filter((e) => e.text.startsWith('^C: interrupted by the person'))).toHaveLength(19);
    // No reply runs after either: the turn is over, how it went the line does not say.
    expect(interrupts.every((e) => e.kind === 'turn_end' && e.ok === undefined && e.level === 'warn')).toBe(true);
  });

  it('records the 43 commits as checkpoints and the 20 applied edits', () => {
    const commits = ofKind('checkpoint');
    expect(commits).toHaveLength(43);
    expect(commits[0]?.text).toBe('commit 54d022e docs: Add coding conventions document');
    expect(commits.at(-1)?.text).toBe('commit e45f791 docs: Add TSDoc for intersectionIterables');
    const edits = ofKind('tool_end');
    expect(edits).toHaveLength(20);
    expect(edits[0]).toMatchObject({ tool: 'edit', ok: true, text: 'Applied edit to packages\\module\\es\\src\\CONVENTIONS.md' });
  });

  it('names the models in the order they were used', () => {
    const models = events.flatMap((e) => (e.model ? [e.model] : []));
    expect([...new Set(models)]).toEqual([
      'qwen3-235b-a22b', 'openrouter/qwen3-235b-a22b', 'openrouter/qwen/qwen3-235b-a22b', 'vertex_ai/claude-sonnet-4@20250514', 'gemini/gemini-2.5-pro-preview-05-06',
    ]);
  });

  it('reads one message per reply, skipping thinking blocks and code', () => {
    const messages = ofKind('message').map((e) => e.text);
    // Line 135, after a <thinking-content-…> block.
    expect(messages[0]?.startsWith("You haven't shared the full contents of any files")).toBe(true);
    expect(messages.some((m) => m.startsWith('```') || m.startsWith('<<<<<<<') || m.startsWith('>>>>>>>'))).toBe(false);
    // The detail under "# 1 SEARCH/REPLACE block failed to match!" belongs to that error, not to a reply.
    expect(messages.some((m) => m.startsWith('## SearchReplaceNoExactMatch'))).toBe(false);
  });
});

describe('the Aider reducer', () => {
  it('is pure: the same state and line give the same result, and the state is not mutated', () => {
    const state: AiderState = { block: 'prompt', emitted: true, fence: false };
    const frozen = Object.freeze({ ...state });
    const a = reduceAiderLine(frozen, '#### and more');
    const b = reduceAiderLine(frozen, '#### and more');
    expect(a).toEqual(b);
    expect(a.events).toEqual([]);
    expect(reduceAiderLine(AIDER_INITIAL, '#### and more').events).toMatchObject([{ kind: 'prompt', text: 'and more' }]);
  });

  it('says when a traceback is cut short before its exception line', () => {
    let state = AIDER_INITIAL;
    const out: LogEvent[] = [];
    for (const line of ['> Traceback (most recent call last):  ', '> File "x.py", line 1, in f  ', '', 'A reply.']) {
      const step = reduceAiderLine(state, line);
      state = step.state;
      out.push(...step.events);
    }
    expect(out.map((e) => [e.kind, e.text])).toEqual([
      ['error', 'Traceback (cut short before its exception line)'],
      ['message', 'A reply.'],
    ]);
  });

  it('reads cache tokens when aider reports them, and single lines without state through parseLine', () => {
    const line = '> Tokens: 2.5k sent, 1.2k cache write, 3k cache hit, 85 received. Cost: $0.0123 message, $0.05 session.  ';
    expect(parseLine('aider', line)).toMatchObject({
      events: [{ kind: 'turn_end', tokens: { input: 2500, output: 85, cacheRead: 3000, cacheWrite: 1200 }, costUsd: 0.0123 }],
    });
  });
});
