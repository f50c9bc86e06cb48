// Usage limits: the agents' words for a limit reached, the reset time read out of them, and the `limited`
// state they give a worker. The wordings are the agents' own (test/fixtures/agent-logs/SOURCES-limits.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogParser } from '../../src/core/parsers/logs/index.js';
import type { LogEvent } from '../../src/core/parsers/logs/event.js';
import { EMPTY_ACTIVITY, foldEvent, type Activity } from '../../src/core/rules/activity.js';
import { clockMinutes } from '../../src/core/rules/health.js';
import { describeReset, readLimit, resetTime, saysLimit } from '../../src/core/rules/limits.js';
import { assessLiveness, DEFAULT_LIVENESS_RULES, screenLimitLine } from '../../src/core/rules/liveness.js';

const at = Date.parse('2026-07-21T23:52:28.148Z');

describe('the agents’ words for a limit reached', () => {
  // Each as the agent wrote it (test/fixtures/agent-logs/SOURCES-limits.md and the bug reports it cites).
  it.each([
    'You\'ve hit your session limit · resets 12:50am (America/Los_Angeles)',
    'You\'ve hit your weekly limit · resets Jul 31, 2am (UTC)',
    'Weekly limit reached · resets Dec 2, 7pm (Europe/Moscow) ·',
    'Session limit reached ∙ resets 10am',
    'You\'ve hit your usage limit. To get more access now, send a request to your admin or try again at 9:01 AM.',
    'You’ve hit your usage limit. Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or try again at Aug 27th, 2026 8:00 PM.',
    'Your workspace is out of credits. Add credits to continue.',
    'Usage limit reached for gemini-3-flash-preview. Access resets at 10:57 PM GMT-3.',
    '⚡ You have reached your daily gemini-2.5-pro quota limit.',
    'You have exhausted your daily quota on this model.',
    "You've hit your limit · resets Jul 23 at 6pm (America/Los_Angeles)",
    'Claude AI usage limit reached|1753286400',
    'Claude usage limit reached. Your limit will reset at 3pm (America/New_York).',
    '5-hour limit reached ∙ resets 3pm',
    'Weekly limit reached ∙ resets Oct 9 at 10am',
    "You've hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing) or try again in 2 days 3 hours 5 minutes.",
  ])('%s', (text) => {
    expect(saysLimit(text)).toBe(true);
  });

  it.each([
    'Approaching usage limit · resets at 10pm',
    'Fixed the rate limiter in src/limit.ts',
    'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
  ])('not a limit reached: %s', (text) => {
    expect(saysLimit(text)).toBe(false);
  });
});

describe('the reset time', () => {
  it('a date and an IANA zone: Jul 23 at 6pm in Los Angeles is 01:00 UTC the next day', () => {
    expect(new Date(resetTime("You've hit your limit · resets Jul 23 at 6pm (America/Los_Angeles)", at) ?? 0).toISOString()).toBe('2026-07-24T01:00:00.000Z');
  });

  it('epoch seconds after a bar', () => {
    expect(resetTime('Claude AI usage limit reached|1753286400', at)).toBe(1_753_286_400_000);
  });

  it('a time of day alone is the next such time after the message, in the zone when named', () => {
    // 23:52 UTC is 19:52 in New York (EDT): 3pm there has passed, so it is tomorrow's.
    expect(new Date(resetTime('Your limit will reset at 3pm (America/New_York).', at) ?? 0).toISOString()).toBe('2026-07-22T19:00:00.000Z');
    expect(new Date(resetTime('resets 6:30pm (Europe/Berlin)', Date.parse('2026-01-10T12:00:00Z')) ?? 0).toISOString()).toBe('2026-01-10T17:30:00.000Z');
    // Without a zone, this machine's clock: the result is a 3pm here, within a day after the message.
    const local = resetTime('5-hour limit reached ∙ resets 3pm', at) ?? 0;
    expect(new Date(local).getHours()).toBe(15);
    expect(local - at).toBeGreaterThan(0);
    expect(local - at).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it('Claude Code 2.x: a date with a comma, a zone such as UTC', () => {
    expect(new Date(resetTime("You've hit your weekly limit · resets Jul 31, 2am (UTC)", at) ?? 0).toISOString()).toBe('2026-07-31T02:00:00.000Z');
    expect(new Date(resetTime('Weekly limit reached · resets Dec 2, 7pm (Europe/Moscow) ·', at) ?? 0).toISOString()).toBe('2026-12-02T16:00:00.000Z');
    expect(new Date(resetTime("You've hit your session limit · resets 12:50am (America/Los_Angeles)", at) ?? 0).toISOString()).toBe('2026-07-22T07:50:00.000Z');
  });

  it('Codex: local time, the date with its ordinal and year when not today', () => {
    const morning = new Date(2025, 10, 13, 8, 34).getTime();
    expect(resetTime('or try again at 9:01 AM.', morning)).toBe(new Date(2025, 10, 13, 9, 1).getTime());
    expect(resetTime('or try again at Aug 27th, 2026 8:00 PM.', morning)).toBe(new Date(2026, 7, 27, 20, 0).getTime());
  });

  it('Gemini CLI: a time with Intl’s short zone (GMT-3, CDT)', () => {
    expect(new Date(resetTime('Access resets at 10:57 PM GMT-3.', Date.parse('2026-03-10T20:00:00Z')) ?? 0).toISOString()).toBe('2026-03-11T01:57:00.000Z');
    expect(new Date(resetTime('Access resets at 11:09 AM CDT.', Date.parse('2026-06-10T12:00:00Z')) ?? 0).toISOString()).toBe('2026-06-10T16:09:00.000Z');
  });

  it('a span counts from the message', () => {
    // Codex before about 0.40 (openai/codex#3899).
    expect(resetTime('Upgrade to Pro (https://openai.com/chatgpt/pricing) or try again in 5 days 22 hours 11 minutes.', at)).toBe(at + ((5 * 24 + 22) * 60 + 11) * 60_000);
    expect(resetTime('try again in 2 days 3 hours 5 minutes.', at)).toBe(at + ((2 * 24 + 3) * 60 + 5) * 60_000);
    expect(resetTime('or try again in 45 minutes', at)).toBe(at + 45 * 60_000);
  });

  it('said as a clock time, with the date when it is not today', () => {
    const noon = new Date(2026, 6, 23, 12, 0).getTime();
    expect(describeReset(new Date(2026, 6, 23, 18, 0).getTime(), noon)).toBe('resets 18:00');
    expect(describeReset(new Date(2026, 6, 24, 1, 0).getTime(), noon)).toBe('resets 2026-07-24 01:00');
    expect(describeReset(new Date(2026, 6, 23, 9, 30).getTime(), noon)).toBe('reset 09:30');
  });

  it('none given: null, said so', () => {
    expect(readLimit('Usage limit reached for gemini-2.5-pro.', at)).toEqual({ text: 'Usage limit reached for gemini-2.5-pro.', resetsAt: null });
    expect(describeReset(null, at)).toBe('reset time not given');
  });
});

const fold = (events: LogEvent[], start: Activity = EMPTY_ACTIVITY, t = at): Activity => events.reduce((a, e, i) => foldEvent(a, e, t + i), start);
const ev = (kind: LogEvent['kind'], extra: Partial<LogEvent> = {}): LogEvent => ({ time: null, kind, text: `${kind} text`, level: 'info', ...extra });

describe('a real Claude Code transcript that hit the limit (slopus/happy, 2.1.179)', () => {
  const lines = readFileSync(new URL('../fixtures/agent-logs/claude-code/slopus-happy__rate-limit.jsonl', import.meta.url), 'utf8').trim().split('\n');
  const parser = createLogParser('claude-code');
  const events = lines.flatMap((line) => {
    const parsed = parser.push(line);
    return 'events' in parsed ? parsed.events : [];
  });
  // Read soon after it was written, as a dashboard following the worker would.
  const activity = fold(events, EMPTY_ACTIVITY, at + 1_000);

  it('reads the limit with its words and reset, counted from the line’s own time', () => {
    expect(activity.limit).toEqual({
      text: "You've hit your limit · resets Jul 23 at 6pm (America/Los_Angeles)",
      resetsAt: Date.parse('2026-07-24T01:00:00Z'),
      at: Date.parse('2026-07-21T23:52:28.148Z'),
    });
    expect(activity.turnOpen).toBe(false);
  });

  it('makes the worker limited until the reset, then idle saying the limit reset', () => {
    const rules = DEFAULT_LIVENESS_RULES;
    const before = assessLiveness({ activity, paneActivityAt: null, screen: [], startedAt: at, now: Date.parse('2026-07-23T12:00:00Z'), rules });
    expect(before.state).toBe('limited');
    const reset = Date.parse('2026-07-24T01:00:00Z');
    expect(before.evidence).toBe(`usage limit · ${describeReset(reset, Date.parse('2026-07-23T12:00:00Z'))} · You've hit your limit · resets Jul 23 at 6pm (America/Los_Angeles)`);
    const after = assessLiveness({ activity, paneActivityAt: null, screen: [], startedAt: at, now: Date.parse('2026-07-24T02:00:00Z'), rules });
    expect(after.state).toBe('idle');
    expect(after.evidence.startsWith(`limit reset ${clockMinutes(Date.parse('2026-07-24T01:00:00Z'))} · `)).toBe(true);
    expect(after.evidence).toContain('turn failed');
  });

  it('a prompt, a reply or a tool after it: at work again, the limit is over', () => {
    expect(fold([ev('prompt', { text: 'continue' })], activity).limit).toBeNull();
    // A heartbeat or a status is not work.
    expect(fold([ev('heartbeat'), ev('status')], activity).limit).not.toBeNull();
  });
});

describe('a limit on the screen (a worker whose log does not say it)', () => {
  const rules = DEFAULT_LIVENESS_RULES;
  const screen = ['> fix the login redirect', '', '  ⎿  5-hour limit reached ∙ resets 3pm', '     /upgrade to increase your usage limit.'];

  it('finds the line among the last ones and reads its reset from when it was first seen', () => {
    expect(screenLimitLine(screen, rules)).toBe('5-hour limit reached ∙ resets 3pm');
    const seen = new Date(2026, 6, 22, 13, 0).getTime();
    const s = assessLiveness({ activity: EMPTY_ACTIVITY, paneActivityAt: null, screen, startedAt: seen, now: seen + 60_000, screenLimitSeenAt: seen, rules });
    expect(s).toMatchObject({ state: 'limited', evidence: 'usage limit · resets 15:00 · 5-hour limit reached ∙ resets 3pm' });
    // Past 3pm the same line no longer holds the worker: tomorrow's 3pm is not what it meant.
    expect(assessLiveness({ activity: EMPTY_ACTIVITY, paneActivityAt: null, screen, startedAt: seen, now: seen + 3 * 3_600_000, screenLimitSeenAt: seen, rules }).state).toBe('idle');
  });

  it('a question on the screen comes first: the person is asked something', () => {
    const asking = [...screen, 'Do you want to proceed?'];
    expect(assessLiveness({ activity: EMPTY_ACTIVITY, paneActivityAt: null, screen: asking, startedAt: at, now: at + 60_000, rules }).state).toBe('waiting');
  });
});

describe('a real `codex exec --json` run that hit the limit (link-assistant/hive-mind, Nov 2025)', () => {
  const lines = readFileSync(new URL('../fixtures/agent-logs/codex/link-assistant-hive-mind__codex-exec-json-usage-limit.jsonl', import.meta.url), 'utf8').trim().split('\n');
  const parser = createLogParser('codex-exec-json');
  const events = lines.flatMap((line) => {
    const parsed = parser.push(line);
    return 'events' in parsed ? parsed.events : [];
  });
  // The lines carry no time: the reset counts from when they were read, here 08:34 on the run's day.
  const read = new Date(2025, 10, 13, 8, 34, 49).getTime();
  const activity = fold(events, EMPTY_ACTIVITY, read);

  it('its error and its turn.failed both carry the limit; the reset is 9:01 that morning', () => {
    expect(events.filter((e) => e.limit !== undefined).map((e) => e.kind)).toEqual(['error', 'turn_end']);
    expect(activity.limit?.resetsAt).toBe(new Date(2025, 10, 13, 9, 1).getTime());
    const s = assessLiveness({ activity, paneActivityAt: null, screen: [], startedAt: read, now: read + 5 * 60_000, rules: DEFAULT_LIVENESS_RULES });
    expect(s).toMatchObject({ state: 'limited', until: new Date(2025, 10, 13, 9, 1).getTime() });
  });

  it('a later word of the same limit that lost its time (cut short) keeps the reset already known', () => {
    const cut = fold([ev('error', { text: "You've hit your usage limit. To get more access now, send a request to your admin or…", limit: { text: "You've hit your usage limit. …" } })], activity, read + 1_000);
    expect(cut.limit?.resetsAt).toBe(new Date(2025, 10, 13, 9, 1).getTime());
  });
});

describe('a Codex rollout’s rate_limits (its only word on a limit: rollouts do not keep Codex’s errors)', () => {
  // L2 of localpush__rollout-2026-02-23…jsonl as Codex wrote it (4% and 10% used: no limit), and the same
  // line with the 5-hour window used up, as the field reads at 100 (a derived line: no real rollout of a
  // limit reached is known, SOURCES-limits.md).
  const real = '{"timestamp":"2026-02-23T19:34:34.390Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"limit_id":"codex","limit_name":null,"primary":{"used_percent":4.0,"window_minutes":300,"resets_at":1771890497},"secondary":{"used_percent":10.0,"window_minutes":10080,"resets_at":1772355702},"credits":{"has_credits":false,"unlimited":false,"balance":null},"plan_type":null}}}';
  const usedUp = real.replace('"used_percent":4.0', '"used_percent":100.0');
  const read = (line: string) => {
    const parsed = createLogParser('codex-rollout').push(line);
    return 'events' in parsed ? parsed.events : [];
  };

  it('a window partly used is no limit', () => {
    expect(read(real).filter((e) => e.limit !== undefined)).toEqual([]);
  });

  it('the 5-hour window used up: limited until that window resets', () => {
    const [event] = read(usedUp).filter((e) => e.limit !== undefined);
    expect(event).toMatchObject({ kind: 'error', text: 'usage limit reached: 5-hour window used up', limit: { resetsAt: 1_771_890_497_000 } });
    expect(fold(read(usedUp)).limit).toMatchObject({ resetsAt: 1_771_890_497_000, at: Date.parse('2026-02-23T19:34:34.390Z') });
  });
});
