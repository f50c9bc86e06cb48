/**
 * `muxctl explain` on real logs (test/fixtures/agent-logs, see SOURCES.md): what a person reading the
 * file concludes — its format and why, the turns with their lines, how the last one ended, the last
 * tool, tokens — and the unreadable lines named with their numbers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainLog, renderExplanation } from '../../src/core/views/explain.js';

const fixture = (path: string): string[] => {
  const lines = readFileSync(new URL(`../fixtures/agent-logs/${path}`, import.meta.url), 'utf8').split('\n');
  lines.pop();
  return lines;
};
const iso = (ms: number) => new Date(ms).toISOString();

describe('explainLog', () => {
  it('a transcript that hit the usage limit: the limit and its reset; a transcript with no dollar figure: an estimate, so marked', () => {
    const limited = 'claude-code/slopus-happy__rate-limit.jsonl';
    const l = explainLog(limited, fixture(limited), 'auto');
    expect(l.limit).toEqual({ text: "You've hit your limit · resets Jul 23 at 6pm (America/Los_Angeles)", resetsAt: Date.parse('2026-07-24T01:00:00Z') });
    expect(renderExplanation(l, iso)).toContain("usage limit: You've hit your limit · resets Jul 23 at 6pm (America/Los_Angeles) · resets 2026-07-24T01:00:00.000Z");

    const priced = 'claude-code/jnarowski-agentcmd__06381696-0074-49f8-863e-6ad4fac507f9.jsonl';
    const p = explainLog(priced, fixture(priced), 'auto');
    expect(p.costUsd).toBeNull();
    expect(p.estimate?.usd).toBeGreaterThan(0);
    expect(p.tokens?.cacheRead ?? 0).toBeGreaterThan(0);
    expect(renderExplanation(p, iso)).toMatch(/^cost: ≈\$\d+\.\d{4}, an estimate at the models' API list prices \(the log gives none\)$/m);
  });

  it('a Claude Code 2.1.29 transcript: one turn, rejected and interrupted, then the session ended by /exit', () => {
    const file = 'claude-code/claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl';
    const e = explainLog(file, fixture(file), 'auto');
    expect(e).toMatchObject({ format: 'claude-code', lines: 10, sessionEnded: true, model: 'claude-haiku-4-5-20251001', pending: null, unreadable: { count: 0 } });
    expect(e.why).toMatch(/shaped as claude-code/);
    expect(e.turns).toEqual([
      { startLine: 2, startedAt: Date.parse('2026-02-01T04:11:53.760Z'), prompt: 'Use the Bash tool to run: touch /tmp/test_file.txt', endLine: 6, endedAt: expect.any(Number), outcome: 'interrupted by the user', ok: false },
    ]);
    expect(e.lastTool).toEqual({ name: 'Bash', text: 'Bash touch /tmp/test_file.txt', open: false, ok: false });
    const text = renderExplanation(e, iso);
    expect(text).toContain('last turn: done · the session ended');
    expect(text).toContain('last tool: Bash "Bash touch /tmp/test_file.txt" · failed');
  });

  it('a Codex 0.104 rollout: one turn, from its prompt to task_complete, and its tokens', () => {
    const file = 'codex/localpush__rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl';
    const e = explainLog(file, fixture(file), 'auto');
    expect(e).toMatchObject({ format: 'codex-rollout', lines: 63, model: 'gpt-5.3-codex', sessionEnded: false, unreadable: { count: 0 } });
    expect(e.why).toBe('a line of type "session_meta" shaped as codex-rollout writes it');
    expect(e.turns).toHaveLength(1);
    expect(e.turns[0]).toMatchObject({ startLine: 10, endLine: 63, ok: true });
    expect(e.tokens).toMatchObject({ input: 59525, output: 1123 });
  });

  it('an Aider history: read as aider because of its first line', () => {
    const file = 'aider/Monochromatic__.aider.chat.history.md';
    const e = explainLog('history.md', fixture(file), 'auto');
    expect(e.format).toBe('aider');
    expect(e.why).toBe('its first line is "# aider chat started at …"');
    expect(e.turns.length).toBeGreaterThan(1);
  });

  it('names unreadable lines by number, the first three, and counts them all', () => {
    const file = 'codex/agentcmd__codex-exec-json__stream-output-5.jsonl';
    const lines = fixture(file);
    const broken = [...lines.slice(0, 2), '{"type": "item.completed", "item": {', 'not json', lines[2] ?? '', '{oops', '{"half":'];
    const e = explainLog(file, broken, 'codex-exec-json');
    expect(e.why).toBe('set in the config (log.format)');
    expect(e.unreadable.count).toBe(4);
    expect(e.unreadable.first.map((u) => u.line)).toEqual([3, 4, 6]);
    expect(renderExplanation(e, iso)).toMatch(/unreadable lines \(4\):\n {2}line 3: /);
  });

  it('a whole JSON document is refused with the reason, not read as hundreds of bad lines', () => {
    const e = explainLog('chat.json', ['{', '  "messages": []', '}'], 'auto');
    expect(e.format).toBe('refused');
    expect(e.unreadable.first[0]?.why).toMatch(/one JSON document, not JSON lines/);
  });
});
