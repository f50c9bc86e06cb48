// Codex: a real session rollout and a real `codex exec --json` stream from test/fixtures/agent-logs/codex
// (SOURCES.md). The rollout's free text was redacted by its source repository; its structure is intact.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCodexExecJsonLine } from '../../../src/core/parsers/logs/codex-exec-json.js';
import { parseCodexRolloutLine } from '../../../src/core/parsers/logs/codex-rollout.js';
import { createLogParser, type ConcreteLogFormat, type LogEvent } from '../../../src/core/parsers/logs/index.js';

function readAll(format: ConcreteLogFormat, name: string): LogEvent[] {
  const parser = createLogParser(format);
  const text = readFileSync(new URL(`../../fixtures/agent-logs/codex/${name}`, import.meta.url), 'utf8');
  return text.split('\n').filter((line) => line !== '').flatMap((line) => {
    const parsed = parser.push(line);
    if ('malformed' in parsed) throw new Error(parsed.malformed);
    return parsed.events;
  });
}

describe('Codex 0.104 session rollout: five MCP calls, then task_complete', () => {
  const events = readAll('codex-rollout', 'localpush__rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl');

  it('lists the tool calls in order, each paired with its output and named on both ends', () => {
    const starts = events.filter((e) => e.kind === 'tool_start');
    expect(starts.map((e) => e.tool)).toEqual([
      'mcp__cloud-associates__search_workflows',
      '[REDACTED_NAME len=43 sha=c186413b]',
      'mcp__cloud-associates__execute_workflow',
      'mcp__cloud-associates__execute_workflow',
      'mcp__cloud-associates__execute_workflow',
    ]);
    expect(starts.map((e) => e.toolId)).toEqual([
      'call_OIMY41RetdVChp5U51mMLGOD', 'call_SengCcPYInk46d62DPE6eqqb', 'call_B6bYQ40tItkpgpg7DLdo8mEG', 'call_wt673E9ScmRn47BB5LRf0kwk', 'call_kTYGACDKLb03RGgGqdx4XgBl',
    ]);
    const ends = events.filter((e) => e.kind === 'tool_end');
    expect(ends.map((e) => [e.toolId, e.tool])).toEqual(starts.map((e) => [e.toolId, e.tool]));
    // The outputs are redacted: no exit status to read, so none is claimed.
    expect(ends.every((e) => e.ok === undefined)).toBe(true);
  });

  it('tells the turn started, the prompt, and that the turn completed at 19:36:02.635Z', () => {
    expect(events.filter((e) => e.kind === 'prompt').map((e) => e.text)).toEqual(['[REDACTED_MESSAGE len=98 sha=c002ff99]']);
    const end = events.filter((e) => e.kind === 'turn_end');
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ ok: true, time: Date.parse('2026-02-23T19:36:02.635Z') });
    expect(events.at(-1)).toBe(end[0]);
  });

  it('reads each agent message once, though the rollout writes it twice (event_msg and response_item)', () => {
    expect(events.filter((e) => e.kind === 'message' && e.level !== 'debug')).toHaveLength(6);
  });

  it('reports token_count as running totals, cached tokens apart from input', () => {
    const counts = events.filter((e) => e.tokens !== undefined);
    expect(counts.every((e) => e.tokensCumulative === true)).toBe(true);
    // Last total_token_usage: input 298373 of which 238848 cached, output 1123.
    expect(counts.at(-1)?.tokens).toEqual({ input: 298373 - 238848, output: 1123, cacheRead: 238848 });
  });

  it('names the model from turn_context', () => {
    expect(new Set(events.filter((e) => e.model).map((e) => e.model))).toEqual(new Set(['gpt-5.3-codex']));
  });

  it('records no error: rollouts never write them', () => {
    expect(events.filter((e) => e.kind === 'error' || e.level === 'error')).toEqual([]);
  });
});

describe('codex exec --json 0.46: one command, one answer, turn.completed', () => {
  const events = readAll('codex-exec-json', 'agentcmd__codex-exec-json__stream-output-5.jsonl');

  it('tells the command that ran, its exit code, the answer and the outcome, in order', () => {
    const visible = events.filter((e) => e.level !== 'debug');
    expect(visible.map((e) => e.kind)).toEqual(['status', 'status', 'tool_start', 'tool_end', 'message', 'turn_end']);
    expect(visible[2]).toMatchObject({ tool: 'shell', toolId: 'item_1', text: 'shell ls' });
    expect(visible[3]).toMatchObject({ tool: 'shell', toolId: 'item_1', ok: true });
    expect(visible[3]?.text.startsWith('exit 0: ')).toBe(true);
    expect(visible[4]?.text.startsWith('Found 1 text file `hello.txt`')).toBe(true);
    expect(visible[5]).toMatchObject({ kind: 'turn_end', ok: true });
  });

  it('reads the turn’s usage: 6086 input of which 2944 cached, 223 output', () => {
    expect(events.at(-1)?.tokens).toEqual({ input: 6086 - 2944, output: 223, cacheRead: 2944 });
  });

  it('keeps the reasoning summaries at debug level', () => {
    expect(events.filter((e) => e.level === 'debug').map((e) => e.text)).toEqual([
      'thinking: **Listing files in directory**',
      'thinking: **Preparing summary with caution**',
    ]);
  });
});

describe('Codex lines not in the fixtures', () => {
  it('reads turn.failed as a failed turn and a declined command as a rejected call', () => {
    expect(parseCodexExecJsonLine('{"type":"turn.failed","error":{"message":"stream disconnected"}}')).toMatchObject({
      events: [{ kind: 'turn_end', ok: false, level: 'error', text: 'turn failed: stream disconnected' }],
    });
    const declined = '{"type":"item.completed","item":{"id":"item_2","type":"command_execution","command":"bash -lc \'rm -rf build\'","aggregated_output":"","exit_code":null,"status":"declined"}}';
    expect(parseCodexExecJsonLine(declined)).toMatchObject({ events: [{ kind: 'tool_end', ok: false, text: 'declined by the user' }] });
  });

  it('reads a failed shell call from an older rollout (JSON output with metadata.exit_code)', () => {
    const line = JSON.stringify({
      timestamp: '2025-08-01T10:00:00.000Z', type: 'response_item',
      payload: { type: 'function_call_output', call_id: 'call_1', output: JSON.stringify({ output: 'npm ERR! missing script: tset\n', metadata: { exit_code: 1, duration_seconds: 0.4 } }) },
    });
    expect(parseCodexRolloutLine(line)).toMatchObject({ events: [{ kind: 'tool_end', ok: false, text: 'exit 1: npm ERR! missing script: tset' }] });
  });

  it('reads a turn aborted by the person, and passes unknown events through', () => {
    const aborted = '{"timestamp":"2025-08-01T10:00:00.000Z","type":"event_msg","payload":{"type":"turn_aborted","reason":"interrupted"}}';
    expect(parseCodexRolloutLine(aborted)).toMatchObject({ events: [{ kind: 'turn_end', ok: false, text: 'turn aborted: interrupted' }] });
    expect(parseCodexRolloutLine('{"timestamp":"2025-08-01T10:00:00.000Z","type":"event_msg","payload":{"type":"brand_new_thing"}}')).toEqual({ events: [] });
    expect(parseCodexExecJsonLine('{"type":"thread.paused"}')).toMatchObject({ events: [{ kind: 'status', level: 'debug' }] });
  });
});

describe('a rollout that records its turns (task_started / task_complete)', () => {
  it('ends a turn only at task_complete, even where its messages carry no phase', () => {
    // The real 0.104 rollout with every `phase` taken out, as a version between 0.40 and 0.104 might
    // write it: once task_started was seen, a message must not end the turn; task_complete does.
    const lines = readFileSync(new URL('../../fixtures/agent-logs/codex/localpush__rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/,"phase":"[a-z_]+"/g, ''));
    expect(lines.some((line) => line.includes('"phase"'))).toBe(false);
    const parser = createLogParser('codex-rollout');
    const ends = lines.flatMap((line) => {
      const parsed = parser.push(line);
      return 'events' in parsed ? parsed.events.filter((e) => e.kind === 'turn_end') : [];
    });
    expect(ends).toHaveLength(1);
    // Read line by line with no memory, the same file would end a turn at each message.
    const stateless = lines.flatMap((line) => {
      const parsed = parseCodexRolloutLine(line);
      return 'events' in parsed ? parsed.events.filter((e) => e.kind === 'turn_end') : [];
    });
    expect(stateless.length).toBeGreaterThan(1);
  });
});
