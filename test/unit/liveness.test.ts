import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogParser } from '../../src/core/parsers/logs/index.js';
import { EMPTY_ACTIVITY, foldEvent, type Activity } from '../../src/core/rules/activity.js';
import type { LogEvent } from '../../src/core/parsers/logs/event.js';
import { assessLiveness, DEFAULT_LIVENESS_RULES, settle, waitingLine } from '../../src/core/rules/liveness.js';

const t0 = Date.UTC(2026, 10, 23, 14, 0, 0);
const ev = (kind: LogEvent['kind'], extra: Partial<LogEvent> = {}): LogEvent => ({ time: null, kind, text: `${kind} text`, level: 'info', ...extra });
const fold = (events: LogEvent[], start = EMPTY_ACTIVITY, at = t0): Activity => events.reduce((a, e, i) => foldEvent(a, e, at + i), start);

describe('foldEvent', () => {
  it('adds token increments and keeps the larger running total, never both', () => {
    const a = fold([ev('message', { tokens: { input: 100, output: 10 } }), ev('message', { tokens: { input: 50, output: 5 } })]);
    expect(a.tokens).toEqual({ input: 150, output: 15 });
    const b = fold([ev('status', { tokens: { input: 500, output: 40 }, tokensCumulative: true }), ev('status', { tokens: { input: 900, output: 80 }, tokensCumulative: true })]);
    expect(b.tokens).toEqual({ input: 900, output: 80 });
  });

  it('opens a turn on work and closes it on a result, with the outcome', () => {
    const a = fold([ev('prompt', { text: 'Fix login redirect' }), ev('tool_start', { tool: 'Bash', text: 'npm test' })]);
    expect(a).toMatchObject({ turnOpen: true, openTools: 1, lastPrompt: 'Fix login redirect', lastTool: { name: 'Bash', open: true } });
    const b = fold([ev('tool_end', { tool: 'Bash', ok: true }), ev('result', { ok: true, text: 'done', costUsd: 0.31 })], a);
    // A second turn's cost adds; a running total (stream-json) replaces.
    expect(fold([ev('result', { costUsd: 0.2 })], b).costUsd).toBeCloseTo(0.51);
    expect(fold([ev('result', { costUsd: 0.4, tokensCumulative: true })], b).costUsd).toBeCloseTo(0.4);
    expect(b).toMatchObject({ turnOpen: false, openTools: 0, lastTool: { name: 'Bash', open: false }, lastOutcome: { ok: true, text: 'done' }, costUsd: 0.31 });
  });

  it('keeps a pending question until something other than a heartbeat follows', () => {
    const a = fold([ev('tool_start', { tool: 'AskUserQuestion', pending: 'question', text: 'Which database?' }), ev('heartbeat')]);
    expect(a.pending).toMatchObject({ kind: 'question', text: 'Which database?' });
    expect(fold([ev('tool_end')], a).pending).toBeNull();
  });

  it('counts errors and remembers the last', () => {
    const a = fold([ev('error', { level: 'error', text: 'rate limited' }), ev('message', { level: 'error', text: 'Traceback' })]);
    expect(a).toMatchObject({ errors: 2, lastError: 'Traceback' });
  });
});

describe('assessLiveness', () => {
  const base = { paneActivityAt: null, screen: [] as string[], startedAt: t0, rules: DEFAULT_LIVENESS_RULES };

  it('says working while a turn is open, idle as soon as the log ends it, whatever moves after', () => {
    expect(assessLiveness({ ...base, activity: fold([ev('prompt'), ev('tool_start', { tool: 'Bash' })]), now: t0 + 5_000 }).state).toBe('working');
    const done = fold([ev('prompt'), ev('result', { ok: true })]);
    expect(assessLiveness({ ...base, activity: done, now: t0 + 5_000 })).toMatchObject({ state: 'idle', evidence: 'turn done · quiet for <1m' });
    // The agent redrawing its prompt, a status it declares, token counts: none of them is a turn.
    const after = fold([ev('status', { text: 'waiting for the next task' }), ev('heartbeat')], done, t0 + 2_000);
    expect(assessLiveness({ ...base, activity: after, paneActivityAt: t0 + 3_000, now: t0 + 4_000 }).state).toBe('idle');
    expect(assessLiveness({ ...base, activity: fold([ev('result', { ok: true })]), now: t0 + 60_000 })).toMatchObject({ state: 'idle', evidence: 'turn done · quiet for 1m' });
    // The next prompt opens the next turn.
    expect(assessLiveness({ ...base, activity: fold([ev('prompt')], after, t0 + 5_000), now: t0 + 6_000 }).state).toBe('working');
  });

  it('says working while output is recent for a worker whose log never ended a turn', () => {
    const started = fold([ev('status', { text: 'starting up' })]);
    expect(assessLiveness({ ...base, activity: started, now: t0 + 5_000 }).state).toBe('working');
    expect(assessLiveness({ ...base, activity: started, now: t0 + 60_000 }).state).toBe('idle');
  });

  it('after the agent’s own /exit: idle, and says the session ended rather than a turn done', () => {
    const ended = fold([ev('prompt'), ev('turn_end', { ok: true, text: 'session ended (/exit)', endsSession: true })]);
    expect(assessLiveness({ ...base, activity: ended, now: t0 + 60_001 })).toMatchObject({ state: 'idle', evidence: 'session ended · quiet for 1m' });
  });

  it('says stuck when a turn is open and nothing happened past the threshold, naming the open tool', () => {
    const activity = fold([ev('tool_start', { tool: 'Bash' })]);
    const s = assessLiveness({ ...base, activity, now: t0 + 12 * 60_000 });
    expect(s).toMatchObject({ state: 'stuck', evidence: 'no output for 12m · running Bash' });
    // A heartbeat is a sign of life: not stuck.
    const beat = foldEvent(activity, ev('heartbeat'), t0 + 11 * 60_000);
    expect(assessLiveness({ ...base, activity: beat, now: t0 + 12 * 60_000 }).state).toBe('working');
  });

  it('counts pane activity (screen output) as life for a worker without logs', () => {
    const s = assessLiveness({ ...base, activity: EMPTY_ACTIVITY, paneActivityAt: t0 + 100_000, now: t0 + 110_000 });
    expect(s.state).toBe('working');
    expect(assessLiveness({ ...base, activity: EMPTY_ACTIVITY, paneActivityAt: t0, now: t0 + 100_000 }).state).toBe('idle');
  });

  it('says waiting, with the question, from the screen or from a pending tool', () => {
    const screen = ['● Editing src/auth/session.ts', '? Allow Bash(npm install)? [y/n] ', '', ''];
    const s = assessLiveness({ ...base, activity: EMPTY_ACTIVITY, screen, now: t0 + 1000 });
    expect(s).toMatchObject({ state: 'waiting', evidence: 'asks: Allow Bash(npm install)? [y/n]' });
    const plan = fold([ev('tool_start', { tool: 'ExitPlanMode', pending: 'plan', text: 'Refactor the loader' })]);
    expect(assessLiveness({ ...base, activity: plan, now: t0 + 1000 })).toMatchObject({ state: 'waiting', evidence: 'plan to approve: Refactor the loader' });
  });
});

describe('evidence durations', () => {
  it('count to the shown minute, so workers quiet since different seconds tick over together', () => {
    const minute = Math.ceil(t0 / 60_000) * 60_000;
    const at = (lastActive: number, now: number) =>
      assessLiveness({ ...{ paneActivityAt: null, screen: [], rules: DEFAULT_LIVENESS_RULES }, activity: fold([ev('result')], EMPTY_ACTIVITY, lastActive), startedAt: lastActive, now, shownNow: Math.floor(now / 60_000) * 60_000 }).evidence;
    // Quiet since 10 s and 50 s before a minute: at 50 s past, the real quiet times are 100 s and 60 s, both shown as of the minute.
    expect(at(minute - 10_000, minute + 50_000)).toBe('turn done · quiet for <1m');
    expect(at(minute - 50_000, minute + 50_000)).toBe('turn done · quiet for <1m');
    expect(at(minute - 10_000, minute + 60_000)).toBe('turn done · quiet for 1m');
    expect(at(minute - 50_000, minute + 60_000)).toBe('turn done · quiet for 1m');
  });
});

describe('waitingLine', () => {
  it.each([
    ['Do you want to proceed?', 'Do you want to proceed?'],
    ['❯ 1. Yes', '1. Yes'],
    ['Apply edit? (Y)es/(N)o [Yes]:', 'Apply edit? (Y)es/(N)o [Yes]:'],
    ['Allow command? git push', null],
    ['? Allow Bash(make deploy)? [y/n] y', null],
    ['Apply edit? (Y)es/(N)o [Yes]: y', null],
    ['Allowed commands: ls, cat', null],
    ['Allow command npm test?', 'Allow command npm test?'],
  ])('%j → %j', (line, expected) => {
    expect(waitingLine(['output', line], DEFAULT_LIVENESS_RULES)).toBe(expected);
  });

  it('ignores a question that has scrolled above the last lines, and ordinary output', () => {
    expect(waitingLine(['? Allow Bash(ls)? [y/n] y', 'a', 'b', 'c', 'd'], DEFAULT_LIVENESS_RULES)).toBeNull();
    expect(waitingLine(['Yesterday we said yes', 'npm test passed'], DEFAULT_LIVENESS_RULES)).toBeNull();
  });
});

describe('settle', () => {
  it('shows a new state only after it held for the hold time, and ignores a blip', () => {
    let s = settle<'working' | 'idle'>(null, 'working', t0, 1500);
    s = settle(s, 'idle', t0 + 1000, 1500);
    expect(s.shown).toBe('working');
    s = settle(s, 'working', t0 + 1200, 1500);
    s = settle(s, 'idle', t0 + 1400, 1500);
    s = settle(s, 'idle', t0 + 2000, 1500);
    expect(s.shown).toBe('working');
    s = settle(s, 'idle', t0 + 2900, 1500);
    expect(s).toMatchObject({ shown: 'idle', shownSince: t0 + 2900 });
  });
});

describe('a Claude Code reply the log never marks as the turn’s end (transcripts of 1.0.x and 2.1.29)', () => {
  const read = (file: string): Activity => {
    const lines = readFileSync(new URL(`../fixtures/agent-logs/claude-code/${file}`, import.meta.url), 'utf8').trim().split('\n');
    const parser = createLogParser('claude-code');
    let a = EMPTY_ACTIVITY;
    for (const line of lines) {
      const parsed = parser.push(line);
      if ('events' in parsed) for (const e of parsed.events) a = foldEvent(a, e, t0);
    }
    return a;
  };
  const base = { paneActivityAt: null, screen: [] as string[], startedAt: t0 - 60_000, rules: DEFAULT_LIVENESS_RULES };

  it.each([
    ['alfredjeanlab-claudeless__5bd47723-950c-4c20-917e-77acb15dc4ea.jsonl', '2.1.29, "3 + 3 = 6"'],
    ['claude-code-viewer__5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl', '1.0.108, a summary after TodoWrite'],
  ])('%s (%s): idle once quiet, never stuck, though the turn stays open by the log', (file) => {
    const a = read(file);
    expect(a.turnOpen).toBe(true);
    expect(a.replied).toBe(true);
    expect(assessLiveness({ ...base, activity: a, now: t0 + 5_000 }).state).toBe('working');
    expect(assessLiveness({ ...base, activity: a, now: t0 + 60_000 })).toMatchObject({ state: 'idle', evidence: 'replied (the log marks no turn end) · quiet for 1m' });
    expect(assessLiveness({ ...base, activity: a, now: t0 + 15 * 60_000 }).state).toBe('idle');
    // The screen still moving (the agent's spinner) is work going on.
    expect(assessLiveness({ ...base, activity: a, paneActivityAt: t0 + 55_000, now: t0 + 60_000 }).state).toBe('working');
  });

  it('a call with no result is not a reply: 1.0.71’s Read left open is stuck after the threshold', () => {
    const a = read('slopus-happy__task_sdk.jsonl');
    expect(a.replied).toBe(false);
    expect(assessLiveness({ ...base, activity: a, now: t0 + 11 * 60_000 })).toMatchObject({ state: 'stuck' });
  });
});
