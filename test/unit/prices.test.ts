// Cost where the log does not carry it: the tokens at their models' list prices, an estimate, counted once
// per message. Each real log's figure is worked out here another way (each message's last usage line, or
// the rollout's last running total, times the list price) and compared with the fold's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogParser, type ConcreteLogFormat } from '../../src/core/parsers/logs/index.js';
import { EMPTY_ACTIVITY, foldEvent, type Activity } from '../../src/core/rules/activity.js';
import { costText, priceOf } from '../../src/core/rules/prices.js';

function fold(format: ConcreteLogFormat, path: string): { activity: Activity; lines: string[] } {
  const lines = readFileSync(new URL(`../fixtures/agent-logs/${path}`, import.meta.url), 'utf8').trim().split('\n');
  const parser = createLogParser(format);
  let activity = EMPTY_ACTIVITY;
  for (const line of lines) {
    const parsed = parser.push(line);
    if ('events' in parsed) for (const e of parsed.events) activity = foldEvent(activity, e, 0);
  }
  return { activity, lines };
}

/** $ for one Claude message's usage at its model's price, per million. */
function claudeDollars(lines: string[]): number {
  const last = new Map<string, { model: string; usage: Record<string, number> }>();
  for (const line of lines) {
    const entry = JSON.parse(line) as { message?: { id?: string; model?: string; usage?: Record<string, number> } };
    const m = entry.message;
    if (m?.id === undefined || m.usage === undefined || m.model === undefined) continue;
    // Lines of one message repeat its usage, growing: the last one holds the message's whole usage.
    last.set(m.id, { model: m.model, usage: m.usage });
  }
  let usd = 0;
  for (const { model, usage } of last.values()) {
    const p = priceOf(model);
    if (p === null) continue;
    usd += ((usage['input_tokens'] ?? 0) * p.input + (usage['output_tokens'] ?? 0) * p.output + (usage['cache_read_input_tokens'] ?? 0) * p.cacheRead + (usage['cache_creation_input_tokens'] ?? 0) * p.cacheWrite) / 1e6;
  }
  return usd;
}

describe('the price table', () => {
  it.each([
    ['claude-sonnet-4-5-20250929', 3, 15],
    ['claude-sonnet-4-20250514', 3, 15],
    ['claude-opus-4-20250514', 15, 75],
    ['claude-opus-4-1-20250805', 15, 75],
    ['claude-opus-4-5-20251101', 5, 25],
    ['claude-haiku-4-5-20251001', 1, 5],
    ['gpt-5-codex', 1.25, 10],
    ['gemini-2.5-pro', 1.25, 10],
  ])('%s: $%s in, $%s out per million', (model, input, output) => {
    expect(priceOf(model)).toMatchObject({ input, output });
  });

  it.each(['gpt-5.3-codex', 'gpt-5.5', 'gemini-3-flash-preview', 'claude-opus-4-7', '<synthetic>', 'sonnet'])('%s: not known, never guessed from an older one', (model) => {
    expect(priceOf(model)).toBeNull();
  });
});

describe('estimates on real logs', () => {
  it.each([
    ['claude-code/jnarowski-agentcmd__06381696-0074-49f8-863e-6ad4fac507f9.jsonl', 'Sonnet 4.5'],
    ['claude-code/slopus-happy__task_sdk.jsonl', 'Opus 4.1, a subagent'],
    ['claude-code/oneryalcin-fasthooks__sample_main_transcript.jsonl', 'Haiku 4.5'],
  ])('Claude Code %s (%s): each message once, cache reads and writes at their own price', (file) => {
    const { activity, lines } = fold('claude-code', file);
    const expected = claudeDollars(lines);
    expect(expected).toBeGreaterThan(0);
    expect(activity.estimate.usd).toBeCloseTo(expected, 9);
    expect(activity.estimate.unpricedTokens).toBe(0);
    // The log gives no dollar figure: only the estimate.
    expect(activity.costUsd).toBeNull();
  });

  it('a Codex rollout (gpt-5-codex): the last running total, cached input at its price, counted once', () => {
    const { activity } = fold('codex-rollout', 'codex/jnarowski-agentcmd__rollout-2025-09-25T15-12-14-019982b8-3422-79e0-8b3b-05abaf4f3c3e.jsonl');
    // The file's last total_token_usage: input 536834 of which 472320 cached, output 6654.
    const expected = ((536_834 - 472_320) * 1.25 + 472_320 * 0.125 + 6654 * 10) / 1e6;
    expect(activity.estimate.usd).toBeCloseTo(expected, 9);
    expect(activity.cache.read).toBe(472_320);
  });

  it('a model the table does not know: its tokens are counted, never priced', () => {
    const { activity } = fold('codex-rollout', 'codex/localpush__rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl');
    expect(activity.model).toBe('gpt-5.3-codex');
    expect(activity.estimate.usd).toBe(0);
    expect(activity.estimate.unpricedTokens).toBe(activity.tokens.input + activity.tokens.output + activity.cache.read + activity.cache.write);
    expect(activity.estimate.unpricedTokens).toBeGreaterThan(0);
  });

  it('stream-json gives its own figure: that is shown, not an estimate', () => {
    const { activity } = fold('claude-stream-json', 'claude-code-stream-json/claude-agent-sdk-gleam__golden-basic_query.ndjson');
    expect(activity.costUsd).not.toBeNull();
    expect(costText(activity.costUsd, { usd: 9, partial: false })).toBe(`$${(activity.costUsd ?? 0).toFixed(2)}`);
  });
});

describe('how the figure is written', () => {
  it('as the log gives it, as an estimate, or as a partial estimate', () => {
    expect(costText(0.4212, null)).toBe('$0.42');
    expect(costText(null, { usd: 1.234, partial: false })).toBe('≈$1.23 est.');
    expect(costText(null, { usd: 1.234, partial: true })).toBe('≈$1.23+ est.');
    expect(costText(null, null)).toBe('');
    expect(costText(null, { usd: 0.0004, partial: false })).toBe('<$0.01 est.');
  });
});
