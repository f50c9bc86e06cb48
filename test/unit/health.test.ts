import { describe, expect, it } from 'vitest';
import { clockTime, deriveHealth, shortDuration, STARTING_GRACE_MS, type PaneFacts } from '../../src/core/rules/health.js';

const now = Date.UTC(2026, 10, 23, 14, 2, 0);
const seconds = (ms: number): number => Math.floor(ms / 1000);
const alive: PaneFacts = { dead: false, deadStatus: null, deadSignal: null, created: seconds(now) - 600, deadTime: null, currentCommand: 'node' };
const base = { desired: 'running' as const, startedAt: null, stoppedAt: null, now };

describe('deriveHealth', () => {
  it('says running, with since when, for a live pane past the start grace', () => {
    const h = deriveHealth({ ...base, pane: alive });
    expect(h.state).toBe('running');
    expect(h.since).toBe((seconds(now) - 600) * 1000);
    expect(h.evidence).toBe(`process alive (node) since ${clockTime((seconds(now) - 600) * 1000)}`);
  });

  it('says starting just after a (re)start, even in an old session', () => {
    const h = deriveHealth({ ...base, pane: alive, startedAt: now - STARTING_GRACE_MS / 2 });
    expect(h.state).toBe('starting');
  });

  it('says exited 0 with the time for a clean exit', () => {
    const h = deriveHealth({ ...base, pane: { ...alive, dead: true, deadStatus: 0, deadTime: seconds(now) - 60 } });
    expect(h).toMatchObject({ state: 'exited', badge: 'exited 0' });
    expect(h.evidence).toBe(`exit 0 at ${clockTime((seconds(now) - 60) * 1000)}`);
  });

  it('says crashed with the exit status, and explains 127', () => {
    const h = deriveHealth({ ...base, pane: { ...alive, dead: true, deadStatus: 127, deadTime: seconds(now) } });
    expect(h).toMatchObject({ state: 'crashed', badge: 'exited 127' });
    expect(h.evidence).toMatch(/^exit 127: command not found at /);
    expect(h.evidence).not.toContain('install');
  });

  it('for an agent preset whose program is not found, says how to install it', () => {
    const pane = { ...alive, dead: true, deadStatus: 127, deadTime: seconds(now) };
    expect(deriveHealth({ ...base, pane, install: 'npm install -g @openai/codex' }).evidence).toMatch(/^exit 127: command not found at \S+ · install it: npm install -g @openai\/codex$/);
    // Another failure is not a missing program.
    expect(deriveHealth({ ...base, pane: { ...pane, deadStatus: 1 }, install: 'npm install -g @openai/codex' }).evidence).not.toContain('install');
  });

  it('says crashed with the signal name when killed by a signal', () => {
    const h = deriveHealth({ ...base, pane: { ...alive, dead: true, deadStatus: null, deadSignal: 15, deadTime: seconds(now) } });
    expect(h).toMatchObject({ state: 'crashed', badge: 'crashed (SIGTERM)' });
    expect(h.evidence).toMatch(/killed by SIGTERM/);
  });

  it('tells missing (wanted, no session) from stopped (the person stopped it)', () => {
    // Never started (a new project) is said so; one started before has lost its session.
    expect(deriveHealth({ ...base, pane: undefined })).toMatchObject({ state: 'missing', evidence: 'not started yet · u starts it', neverStarted: true });
    const gone = deriveHealth({ ...base, pane: undefined, startedAt: now - 60_000 });
    expect(gone).toMatchObject({ state: 'missing', evidence: 'no tmux session · u starts it' });
    expect(gone.neverStarted).toBeUndefined();
    const stopped = deriveHealth({ ...base, pane: undefined, desired: 'stopped', stoppedAt: now - 5000 });
    expect(stopped.state).toBe('stopped');
    expect(stopped.evidence).toContain('stopped by you at');
  });
});

describe('shortDuration', () => {
  it.each([
    [0, '<1m'],
    [42_000, '<1m'],
    [3 * 60_000, '3m'],
    [125 * 60_000, '2h05m'],
    [50 * 3_600_000, '2d2h'],
  ])('%i ms → %s', (ms, text) => {
    expect(shortDuration(ms)).toBe(text);
  });
});

describe('displayedTimeKey', () => {
  it('changes when a shown duration or the clock ticks over a minute, not in between', async () => {
    const { displayedTimeKey } = await import('../../src/core/rules/health.js');
    const start = Math.ceil(now / 60_000) * 60_000 + 1;
    const fresh = start - 10_000;
    expect(displayedTimeKey([fresh, null], start)).toBe(displayedTimeKey([fresh, null], start + 30_000));
    expect(displayedTimeKey([fresh], start)).not.toBe(displayedTimeKey([fresh], start + 60_000));
    const old = start - 10 * 60_000;
    expect(displayedTimeKey([old], start)).toBe(displayedTimeKey([old], start + 59_000));
    expect(displayedTimeKey([old], start)).not.toBe(displayedTimeKey([old], start + 60_000));
  });
});
