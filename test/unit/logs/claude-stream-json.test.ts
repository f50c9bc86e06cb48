// `claude -p --output-format stream-json`: the real golden file in test/fixtures/agent-logs (SOURCES.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClaudeStreamJsonLine } from '../../../src/core/parsers/logs/claude-stream-json.js';
import { createLogParser, type LogEvent } from '../../../src/core/parsers/logs/index.js';

const lines = readFileSync(new URL('../../fixtures/agent-logs/claude-code-stream-json/claude-agent-sdk-gleam__golden-basic_query.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '');

describe('stream-json, Claude Code 2.1.7: one question, answer "4", result/success', () => {
  const parser = createLogParser('claude-stream-json');
  const events: LogEvent[] = lines.flatMap((line) => {
    const parsed = parser.push(line);
    if ('malformed' in parsed) throw new Error(parsed.malformed);
    return parsed.events;
  });

  it('tells the session start, the answer, the turn end and the result, in order', () => {
    expect(events.map((e) => e.kind)).toEqual(['status', 'message', 'turn_end', 'result']);
    expect(events[0]).toMatchObject({ model: 'claude-opus-4-5-20251101' });
    expect(events[0]?.text).toContain('Claude Code 2.1.7');
    expect(events[1]?.text).toBe('4');
  });

  it('reads the outcome, cost and duration of the run from the result line', () => {
    const result = events.at(-1);
    expect(result).toMatchObject({ kind: 'result', ok: true, costUsd: 0.1354875, level: 'info' });
    expect(result?.text).toBe('done (2.4 s, 1 turn): 4');
  });

  it('reports the result’s usage as the run’s total, the message’s as its own', () => {
    expect(events[1]?.tokens).toEqual({ input: 10, output: 5, cacheRead: 0, cacheWrite: 21570 });
    expect(events[1]?.tokensCumulative).toBeUndefined();
    expect(events.at(-1)?.tokens).toEqual({ input: 10, output: 25, cacheRead: 0, cacheWrite: 21570 });
    expect(events.at(-1)?.tokensCumulative).toBe(true);
  });

  it('has no times: stream-json lines carry none', () => {
    expect(events.every((e) => e.time === null)).toBe(true);
  });
});

describe('stream-json lines not in the fixture', () => {
  it('reads an error result as a failed run with its reason', () => {
    const line = '{"type":"result","subtype":"error_max_turns","is_error":true,"duration_ms":61000,"num_turns":10,"total_cost_usd":0.5,"session_id":"s"}';
    expect(parseClaudeStreamJsonLine(line)).toMatchObject({
      events: [{ kind: 'result', ok: false, level: 'error', costUsd: 0.5, text: 'stopped: reached the maximum number of turns (61.0 s, 10 turns)' }],
    });
  });

  it('reads a tool result that Claude Code refused for lack of permission as a failed call', () => {
    const line = JSON.stringify({
      type: 'user', session_id: 's',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content: "Claude requested permissions to use Bash, but you haven't granted it yet." }] },
    });
    expect(parseClaudeStreamJsonLine(line)).toMatchObject({ events: [{ kind: 'tool_end', toolId: 'toolu_1', ok: false }] });
  });

  it('ignores partial-message deltas and passes unknown types as debug status', () => {
    expect(parseClaudeStreamJsonLine('{"type":"stream_event","event":{"type":"content_block_delta"}}')).toEqual({ events: [] });
    expect(parseClaudeStreamJsonLine('{"type":"telemetry","x":1}')).toMatchObject({ events: [{ kind: 'status', level: 'debug' }] });
  });
});
