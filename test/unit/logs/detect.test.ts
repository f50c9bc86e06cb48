// Format detection on the real fixtures (by their content and real file names) and on hand-made lines.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/core/parsers/logs/index.js';

const head = (path: string, count = 20) =>
  readFileSync(new URL(`../../fixtures/agent-logs/${path}`, import.meta.url), 'utf8').split('\n').slice(0, count);

describe('detectFormat on the real agent logs', () => {
  it.each([
    ['claude-code/claude-code-viewer__5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl', 'claude-code'],
    ['claude-code/claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl', 'claude-code'],
    ['claude-code-stream-json/claude-agent-sdk-gleam__golden-basic_query.ndjson', 'claude-stream-json'],
    ['codex/localpush__rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl', 'codex-rollout'],
    ['codex/agentcmd__codex-exec-json__stream-output-5.jsonl', 'codex-exec-json'],
    ['aider/Monochromatic__.aider.chat.history.md', 'aider'],
  ])('%s → %s', (path, format) => {
    expect(detectFormat(head(path), path)).toBe(format);
  });

  it('tells each format from its content alone, under a neutral name', () => {
    expect(detectFormat(head('claude-code/claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl'), 'log.jsonl')).toBe('claude-code');
    expect(detectFormat(head('claude-code-stream-json/claude-agent-sdk-gleam__golden-basic_query.ndjson'), 'out.log')).toBe('claude-stream-json');
    expect(detectFormat(head('codex/localpush__rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl'), 'a.jsonl')).toBe('codex-rollout');
    expect(detectFormat(head('codex/agentcmd__codex-exec-json__stream-output-5.jsonl'), 'out.log')).toBe('codex-exec-json');
    expect(detectFormat(head('aider/Monochromatic__.aider.chat.history.md'), 'history.md')).toBe('aider');
  });

  it('tells a stream-json file that starts at an assistant line from a transcript', () => {
    // The second line of the golden file: session_id, no sessionId or parentUuid.
    expect(detectFormat(head('claude-code-stream-json/claude-agent-sdk-gleam__golden-basic_query.ndjson').slice(1), 'out.log')).toBe('claude-stream-json');
  });
});

describe('detectFormat by file name', () => {
  it('knows rollouts and aider histories before a line is written', () => {
    expect(detectFormat([], '/home/me/.codex/sessions/2026/02/23/rollout-2026-02-23T20-34-25-019c8bfe.jsonl')).toBe('codex-rollout');
    expect(detectFormat([], 'C:\\work\\repo\\.aider.chat.history.md')).toBe('aider');
  });
});

describe('detectFormat on other lines', () => {
  it('reads muxctl’s own events, pino lines and plain text', () => {
    expect(detectFormat(['{"time":"2026-11-23T02:11:48.077Z","type":"message","text":"demo agent started (profile quick, seed 7)"}'], 'events.jsonl')).toBe('muxctl');
    expect(detectFormat(['{"level":30,"time":1717236000123,"pid":1,"hostname":"h","msg":"hi"}'], 'app.log')).toBe('json-lines');
    expect(detectFormat(['{"time":"2026-01-01T00:00:00Z","type":"message","level":"info","msg":"x"}'], 'app.log')).toBe('json-lines');
    expect(detectFormat(['\u001b[1m> build\u001b[0m', 'compiling…'], 'screen.log')).toBe('text');
    expect(detectFormat(['[2024-05-01 12:00:01] server started', '[2024-05-01 12:00:02] ready'], 'server.log')).toBe('text');
    expect(detectFormat([], 'empty.log')).toBe('text');
  });

  it('reads old codex exec {id, msg} lines as codex-exec-json', () => {
    expect(detectFormat(['{"id":"0","msg":{"type":"task_started"}}'], 'out.jsonl')).toBe('codex-exec-json');
  });

  it('keeps a JSON-lines verdict when one of the first lines is truncated', () => {
    const lines = head('codex/agentcmd__codex-exec-json__stream-output-5.jsonl');
    lines[2] = (lines[2] ?? '').slice(0, 30);
    expect(detectFormat(lines, 'out.log')).toBe('codex-exec-json');
  });

  it.each([
    ['a pretty-printed object', JSON.stringify({ type: 'result', total_cost_usd: 0.1 }, null, 2).split('\n')],
    ['a pretty-printed array', JSON.stringify([{ type: 'result' }], null, 2).split('\n')],
    ['an array on one line', ['[{"type":"assistant"},{"type":"result"}]']],
    ['an object after blank lines', ['', '  ', '{', '  "a": 1', '}']],
  ])('refuses a single JSON document: %s', (_what, lines) => {
    const detected = detectFormat(lines, 'transcript.json');
    expect(typeof detected).toBe('object');
    if (typeof detected === 'object') {
      expect(detected.malformed).toMatch(/^this file is one JSON document, not JSON lines: /);
      expect(detected.malformed).toContain('one JSON object per line');
    }
  });
});
