// The observation loop's hand-over of snapshots while log lines pour in: how often (each snapshot handed
// on is a frame to draw), and that a worker whose snapshot did not change is handed on as the same object.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LOG_PUBLISH_EVERY_MS, ObservationLoop } from '../../src/control/loop.js';
import type { Observer } from '../../src/control/observer.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

function snapshot(name: string, screen: string): WorkerSnapshot {
  return {
    name,
    lane: 'app',
    health: { state: 'working', badge: 'working', evidence: 'log active', since: T0 },
    upSince: T0,
    screen: [screen],
    worktree: `/w/${name}`,
    command: 'node',
    restarts: null,
    summary: null,
  };
}

/** An observer whose snapshot is whatever the test says the workers are now. */
function setup(intervalMs = 60_000, settleMs = 80) {
  const messages: Record<string, string> = { w1: 'one', w2: 'two' };
  const observer = {
    pollTmux: async () => {},
    snapshot: () => Object.keys(messages).map((name) => snapshot(name, messages[name] ?? '')),
  } as unknown as Observer;
  const published: { at: number; workers: WorkerSnapshot[] }[] = [];
  const loop = new ObservationLoop(observer, {
    intervalMs,
    logSettleMs: settleMs,
    screenLines: () => 5,
    logs: undefined,
    leader: false,
    leaderActions: async () => [],
    onSnapshot: (workers) => published.push({ at: Date.now(), workers }),
    onActions: () => {},
    onAlert: () => {},
    onError: (error) => {
      throw error;
    },
    now: Date.now,
  });
  return { loop, messages, published };
}

/** Starts the loop, then gives w1 a new line every 10 ms, `count` times: the snapshots published meanwhile. */
async function pourLines({ loop, messages, published }: ReturnType<typeof setup>, count: number) {
  loop.start();
  await vi.advanceTimersByTimeAsync(1_000);
  const from = published.length;
  for (let i = 0; i < count; i++) {
    messages.w1 = `line ${i}`;
    loop.logsChanged();
    await vi.advanceTimersByTimeAsync(10);
  }
  return published.slice(from);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ObservationLoop: snapshots from the logs', () => {
  it('shows a lone line after the settle time', async () => {
    const { loop, messages, published } = setup();
    loop.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(published).toHaveLength(1);
    messages.w1 = 'a new line';
    loop.logsChanged();
    await vi.advanceTimersByTimeAsync(79);
    expect(published).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(published).toHaveLength(2);
    await loop.stop();
  });

  it(`hands on at most one snapshot every ${LOG_PUBLISH_EVERY_MS} ms while lines keep coming`, async () => {
    const rig = setup();
    const shown = await pourLines(rig, 200);
    // 2 s of lines: 10 snapshots, not the 25 an 80 ms settle alone would give.
    expect(shown.length).toBeGreaterThanOrEqual(9);
    expect(shown.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < shown.length; i++) expect((shown[i]?.at ?? 0) - (shown[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(LOG_PUBLISH_EVERY_MS);
    await rig.loop.stop();
  });

  it("the tick's snapshot joins the ones lines bring, never one more frame between two", async () => {
    const rig = setup(1_000);
    const { loop, published } = rig;
    const shown = await pourLines(rig, 400);
    expect(shown.length).toBeGreaterThanOrEqual(18);
    for (let i = 1; i < shown.length; i++) expect((shown[i]?.at ?? 0) - (shown[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(LOG_PUBLISH_EVERY_MS);
    // The last line is on screen within an interval of its arrival.
    await vi.advanceTimersByTimeAsync(LOG_PUBLISH_EVERY_MS);
    expect(published.at(-1)?.workers[0]?.screen).toEqual(['line 399']);
    await loop.stop();
  });

  it('hands on an unchanged worker as the same object, a changed one anew', async () => {
    const { loop, messages, published } = setup();
    loop.start();
    await vi.advanceTimersByTimeAsync(1_000);
    const before = published.at(-1)?.workers ?? [];
    messages.w2 = 'w2 moved on';
    loop.logsChanged();
    await vi.advanceTimersByTimeAsync(LOG_PUBLISH_EVERY_MS);
    const after = published.at(-1)?.workers ?? [];
    expect(after).not.toBe(before);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[1]?.screen).toEqual(['w2 moved on']);
    await loop.stop();
  });

  it('hands on nothing when nothing a person could see changed', async () => {
    const { loop, published } = setup();
    loop.start();
    await vi.advanceTimersByTimeAsync(1_000);
    const count = published.length;
    loop.logsChanged();
    await vi.advanceTimersByTimeAsync(LOG_PUBLISH_EVERY_MS * 2);
    expect(published).toHaveLength(count);
    await loop.stop();
  });
});
