/**
 * Process epochs in health: a log outlives the process that wrote it. After a crash, a killed tmux
 * server or a reboot, the old process's open turn, running tool and question must not make the new
 * process "working", "stuck" or "waiting"; what the old run was doing is said once, as what it was.
 * The events are the demo agent's own (muxctl's event format), as its log holds them after a SIGHUP.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_ACTIVITY, foldEvent, type Activity } from '../../src/core/rules/activity.js';
import { currentEpoch } from '../../src/core/rules/epoch.js';
import { assessLiveness, DEFAULT_LIVENESS_RULES } from '../../src/core/rules/liveness.js';
import type { LogEvent } from '../../src/core/parsers/logs/event.js';

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const S = 1000;
const ev = (kind: LogEvent['kind'], text: string, extra: Partial<LogEvent> = {}): LogEvent => ({ time: null, kind, text, level: 'info', ...extra });

function fold(events: Array<[number, LogEvent]>, from: Activity = EMPTY_ACTIVITY): Activity {
  return events.reduce((a, [at, e]) => foldEvent(a, e, at), from);
}

/** The old process: a task, a message, a tool left running, then SIGHUP when its tmux server died. */
const oldRun = fold([
  [T0, ev('prompt', 'T2 Cache npm in CI')],
  [T0 + 5 * S, ev('message', 'Looking at the CI config')],
  [T0 + 9 * S, ev('tool_start', 'npm ci', { tool: 'Bash' })],
  [T0 + 10 * S, ev('message', 'interrupted (SIGHUP)')],
]);
const EPOCH = T0 + 60 * S;
/** The new process only says it waits for a task: a status, no turn. */
const newRun = fold([[EPOCH + 2 * S, ev('status', 'no task yet; waiting for one from the board')]], oldRun);

const rules = { ...DEFAULT_LIVENESS_RULES, idleAfterMs: 5 * S };
const live = (activity: Activity, now: number, previousRun: string | null = null, screen: string[] = []) =>
  assessLiveness({ activity, paneActivityAt: null, screen, startedAt: EPOCH, now, rules, previousRun });

describe('the activity fold dates the turn it opens', () => {
  it("records the open turn's last event and forgets it when the turn ends", () => {
    expect(oldRun.turnOpen).toBe(true);
    expect(oldRun.turnSeenAt).toBe(T0 + 10 * S);
    // A status or a heartbeat is not the turn going on.
    expect(newRun.turnSeenAt).toBe(T0 + 10 * S);
    const ended = foldEvent(oldRun, ev('result', 'done', { ok: true }), T0 + 20 * S);
    expect(ended.turnSeenAt).toBeNull();
    expect(foldEvent(ended, ev('message', 'again'), T0 + 30 * S).turnSeenAt).toBe(T0 + 30 * S);
  });
});

describe('currentEpoch', () => {
  it("closes what the previous process left open and says what it was doing", () => {
    const { activity, previousRun } = currentEpoch(newRun, EPOCH);
    expect(activity).toMatchObject({ turnOpen: false, openTools: 0, pending: null });
    expect(activity.lastTool).toMatchObject({ name: 'Bash', open: false, ok: false });
    expect(previousRun).toBe('previous run ended mid-turn: interrupted (SIGHUP)');
    // History stays: the last message, tokens and errors are still there for the log view and the panel.
    expect(activity.lastMessage).toBe('interrupted (SIGHUP)');
    expect(activity.status?.text).toBe('no task yet; waiting for one from the board');
  });

  it('leaves a turn of the current process alone, even one it carries on from the log (a resumed conversation)', () => {
    const working = fold([[EPOCH + 3 * S, ev('prompt', 'T4 Fix the flaky test')]], newRun);
    expect(currentEpoch(working, EPOCH).previousRun).toBeNull();
    expect(currentEpoch(working, EPOCH).activity.turnOpen).toBe(true);
    const resumed = fold([[EPOCH + 3 * S, ev('message', 'Resuming: the CI config again')]], newRun);
    expect(currentEpoch(resumed, EPOCH).activity).toMatchObject({ turnOpen: true, lastPrompt: 'T2 Cache npm in CI' });
  });

  it('drops a question the old process asked: nobody is asking it any more', () => {
    const asked = fold([[T0 + 11 * S, ev('question', 'asks: Allow Bash(npm install)?', { pending: 'question' })]], oldRun);
    expect(currentEpoch(asked, EPOCH).activity.pending).toBeNull();
  });
});

describe('health of the new process', () => {
  it('was "working · log active" on the old turn; now idle, saying how the previous run ended', () => {
    const now = EPOCH + 3 * 60 * S;
    expect(live(newRun, now)).toMatchObject({ state: 'working', evidence: expect.stringContaining('running Bash') });
    const { activity, previousRun } = currentEpoch(newRun, EPOCH);
    const shown = live(activity, now, previousRun);
    expect(shown.state).toBe('idle');
    expect(shown.evidence).toBe('previous run ended mid-turn: interrupted (SIGHUP) · quiet for 2m');
  });

  it('is working again as soon as the new process opens a turn of its own', () => {
    const working = fold([[EPOCH + 90 * S, ev('prompt', 'T4 Fix the flaky test')]], newRun);
    const { activity, previousRun } = currentEpoch(working, EPOCH);
    expect(live(activity, EPOCH + 100 * S, previousRun).state).toBe('working');
  });

  it('still reads a question off the screen: the screen is the live process', () => {
    const { activity, previousRun } = currentEpoch(newRun, EPOCH);
    expect(live(activity, EPOCH + 100 * S, previousRun, ['Allow Bash(npm install)? [y/n]']).state).toBe('waiting');
  });
});
