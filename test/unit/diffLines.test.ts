/**
 * The diff view's lines, pure: a diff (parsed from literal git 2.39.5 output, plus an untracked file)
 * becomes the file list, a blank line and the patch, each line marked with what it is; and the
 * scheduler that decides when a worker's diff is read again (movedReads.ts), on an injected clock.
 */
import { describe, expect, it } from 'vitest';
import { diffTotals, parseDiffZ, untrackedEntry, withSections } from '../../src/core/parsers/gitDiff.js';
import { diffHeader, diffScreen, printableLine } from '../../src/core/views/diffLines.js';
import { INITIAL_LOG_VIEW, logWindow } from '../../src/core/views/logView.js';
import { MovedReads, activityOf, type Activity, type Timers } from '../../src/control/movedReads.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';

/** A new binary file and a rename with an edit (git 2.39.5, verbatim). */
const BINARY_RENAME =
  ':000000 100644 0000000 8352675 A\x00logo.png\x00:100644 100644 0970e47 a6e0e24 R085\x00old.md\x00new.md\x00' +
  '-\t-\tlogo.png\x001\t1\t\x00old.md\x00new.md\x00\x00' +
  'diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000..8352675\nBinary files /dev/null and b/logo.png differ\n' +
  'diff --git a/old.md b/new.md\nsimilarity index 85%\nrename from old.md\nrename to new.md\nindex 0970e47..a6e0e24 100644\n--- a/old.md\n+++ b/new.md\n@@ -4,3 +4,3 @@ l3\n l4\n-l5\n+l5\tand a tab\n';

function sampleDiff() {
  const { files, patch } = parseDiffZ(BINARY_RENAME);
  const sections = withSections(files, patch);
  const notes = untrackedEntry({ path: 'notes.txt', mode: '100644', head: new TextEncoder().encode('b\n'), complete: true, lines: 1, binary: false, endsWithNewline: true });
  const all = [...sections.map((s) => ({ ...s.file, patch: s.patch })), { ...notes.file, patch: notes.patch }];
  return { worker: 'w1', branch: 'muxctl/w1', base: 'main', mergeBase: '45db6b0e8b34e595f27ecc7c889d7e3fbdc93b53', files: all, totals: diffTotals(all) };
}

describe('the diff view as lines', () => {
  it('lists the files with their counts (binary, rename, untracked marked), then the patch, each line by kind', () => {
    const screen = diffScreen(sampleDiff());
    expect(screen.summary).toBe('3 files · +2 −1');
    expect(screen.against).toBe('muxctl/w1 against main (merge-base 45db6b0)');
    expect(screen.problem).toBeNull();
    expect(screen.totals).toEqual({ files: 3, added: 2, removed: 1 });
    const rows = screen.lines.map((l) => `${l.kind}|${l.text}`);
    expect(rows.slice(0, 4)).toEqual([
      'diff-file|  binary  logo.png         added',
      'diff-file|  +1 −1   old.md → new.md  renamed (85% similar)',
      'diff-file|  +1 −0   notes.txt        untracked',
      'diff-blank|',
    ]);
    expect(rows).toContain('diff-header|diff --git a/logo.png b/logo.png');
    expect(rows).toContain('diff-meta|Binary files /dev/null and b/logo.png differ');
    expect(rows).toContain('diff-meta|--- a/old.md');
    expect(rows).toContain('diff-hunk|@@ -4,3 +4,3 @@ l3');
    expect(rows).toContain('diff-context| l4');
    expect(rows).toContain('diff-remove|-l5');
    // A tab is spaces on screen.
    expect(rows).toContain('diff-add|+l5    and a tab');
    expect(rows.slice(-4)).toEqual(['diff-meta|--- /dev/null', 'diff-meta|+++ b/notes.txt', 'diff-hunk|@@ -0,0 +1 @@', 'diff-add|+b']);
  });

  it('marks the caps\' "… N more lines" and keeps control bytes off the terminal', () => {
    const diff = sampleDiff();
    const cut = { ...diff, files: [{ ...diff.files[2]!, patch: 'diff --git a/n b/n\n--- /dev/null\n+++ b/n\n@@ -0,0 +1,9 @@\n+a\r\n+\x1b[31mred\n… 7 more lines (a file shows at most 2)\n' }] };
    const rows = diffScreen(cut).lines.map((l) => `${l.kind}|${l.text}`);
    expect(rows).toContain('diff-add|+a');
    expect(rows).toContain('diff-add|+?[31mred');
    expect(rows.at(-1)).toBe('diff-cut|… 7 more lines (a file shows at most 2)');
    expect(printableLine('a\tb\r')).toBe('a    b');
  });

  it('says there is nothing when nothing changed, and where the window is in its title', () => {
    const empty = diffScreen({ ...sampleDiff(), files: [], totals: diffTotals([]) });
    expect(empty.summary).toBe('no changes');
    expect(empty.lines.map((l) => l.text)).toEqual(['nothing committed, uncommitted or untracked since the merge-base']);
    const screen = diffScreen(sampleDiff());
    const view = { ...INITIAL_LOG_VIEW, follow: false };
    expect(diffHeader(screen, view, logWindow(screen.lines, view, 5))).toBe(`diff · 3 files · +2 −1 · lines 1–5 of ${screen.lines.length} · muxctl/w1 against main (merge-base 45db6b0)`);
    expect(diffHeader(screen, { search: 'l5' }, logWindow(screen.lines, { ...view, search: 'l5' }, 5))).toBe('diff · 3 files · +2 −1 · search "l5" · 2 lines · muxctl/w1 against main (merge-base 45db6b0)');
  });
});

/** A clock and timers the test moves by hand: nothing waits for real time. */
function fakeTime() {
  let now = 1_000_000;
  const pending = new Map<number, { at: number; run: () => void }>();
  let next = 1;
  const timers: Timers = {
    set: (run, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, run });
      return id;
    },
    clear: (id) => void pending.delete(id as number),
  };
  return {
    timers,
    now: () => now,
    pending: () => pending.size,
    /** Moves the clock on, running each timer that comes due, in order. */
    async advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        pending.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].run();
        // Let the read's promise chain settle before the next timer.
        for (let i = 0; i < 10; i++) await Promise.resolve();
      }
      now = until;
    },
  };
}

function reads(time: ReturnType<typeof fakeTime>, quietMs = 2000) {
  const made: string[] = [];
  const got: string[] = [];
  const moved = new MovedReads<string>({
    read: async (name) => (made.push(`${name}@${time.now()}`), `${name} read`),
    onRead: (name, value) => void got.push(`${name}: ${value}`),
    minIntervalMs: 10_000,
    quietMs,
    now: time.now,
    timers: time.timers,
  });
  return { made, got, moved };
}

const still = (name: string, movedAt: number): Activity => ({ name, key: `k${movedAt}`, movedAt });

describe('when a worker\'s diff is read again (movedReads)', () => {
  it('reads each worker once at first sight, then never while it stands still: no read, no timer', async () => {
    const time = fakeTime();
    const { made, got, moved } = reads(time);
    moved.observe([still('w1', 0), still('w2', 0)]);
    await time.advance(0);
    await time.advance(0);
    expect(made).toEqual(['w1@1000000', 'w2@1000000']);
    expect(got).toEqual(['w1: w1 read', 'w2: w2 read']);
    // The same activity again (a snapshot for another reason), and an hour passing: nothing.
    moved.observe([still('w1', 0), still('w2', 0)]);
    await time.advance(3_600_000);
    expect(made).toHaveLength(2);
    expect(time.pending()).toBe(0);
    expect(moved.busy()).toBe(false);
  });

  it('reads a worker that moved again, but not before its interval since the last read', async () => {
    const time = fakeTime();
    const { made, moved } = reads(time);
    moved.observe([still('w1', 0)]);
    await time.advance(0);
    await time.advance(3_000);
    moved.observe([still('w1', time.now() - 5_000)]);
    await time.advance(6_000);
    expect(made).toEqual(['w1@1000000']);
    await time.advance(1_000);
    expect(made).toEqual(['w1@1000000', 'w1@1010000']);
    expect(time.pending()).toBe(0);
  });

  it('reads once more after a read made while the worker was active within quietMs: the last read follows the work', async () => {
    const time = fakeTime();
    const { made, moved } = reads(time);
    // Moved half a second ago: it may write a file right after this read.
    moved.observe([still('w1', time.now() - 500)]);
    await time.advance(0);
    expect(made).toEqual(['w1@1000000']);
    expect(moved.busy()).toBe(true);
    await time.advance(10_000);
    expect(made).toEqual(['w1@1000000', 'w1@1010000']);
    // Quiet since: that was the last.
    await time.advance(60_000);
    expect(made).toHaveLength(2);
    expect(time.pending()).toBe(0);
  });

  it('reads one worker at a time, forgets workers gone from the snapshot, and stops on close', async () => {
    const time = fakeTime();
    let release: () => void = () => {};
    const made: string[] = [];
    const moved = new MovedReads<string>({
      read: (name) => {
        made.push(name);
        return new Promise((resolve) => (release = () => resolve(name)));
      },
      onRead: (name) => void made.push(`shown ${name}`),
      minIntervalMs: 10_000,
      now: time.now,
      timers: time.timers,
    });
    moved.observe([still('w1', 0), still('w2', 0)]);
    await time.advance(0);
    expect(made).toEqual(['w1']);
    moved.observe([still('w1', 0)]);
    release();
    await time.advance(0);
    expect(made).toEqual(['w1', 'shown w1']);
    moved.observe([still('w1', 1)]);
    moved.close();
    await time.advance(60_000);
    expect(made).toEqual(['w1', 'shown w1']);
  });

  it("takes a worker's activity from its screen clock, its log and its process start", () => {
    const base = { name: 'w1', screenActiveAt: 5_000, upSince: 1_000, summary: null } as unknown as WorkerSnapshot;
    expect(activityOf(base)).toEqual({ name: 'w1', key: '5000:-:1000', movedAt: 5_000 });
    const logged = { ...base, summary: { lastActiveAt: 9_000 } } as unknown as WorkerSnapshot;
    expect(activityOf(logged)).toEqual({ name: 'w1', key: '5000:9000:1000', movedAt: 9_000 });
    expect(activityOf({ ...base, screenActiveAt: null, upSince: null } as unknown as WorkerSnapshot)).toEqual({ name: 'w1', key: '-:-:-', movedAt: null });
  });
});
