/**
 * The diff view (`d`) and the panels' `+N −M`, rendered with ink-testing-library from a store filled by
 * hand: the feed is faked the way the dashboard's (app/dashboardDiffs.ts) fills `detail`. The commands
 * are recorded, not run.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import { diffTotals, untrackedEntry } from '../../src/core/parsers/gitDiff.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { diffProblem, diffScreen, type DiffScreen } from '../../src/core/views/diffLines.js';
import { createActions, type Commands } from '../../src/state/actions.js';
import { createDashboardStore, type DashboardStore } from '../../src/state/store.js';
import { waitFor } from '../helpers/waitFor.js';

const now = Date.UTC(2026, 10, 23, 14, 2, 0);

function worker(name: string): WorkerSnapshot {
  return {
    name,
    lane: 'app',
    health: { state: 'running', badge: 'running', evidence: 'running evidence', since: now - 65_000 },
    screen: [`${name} last line`],
    worktree: `/w/${name}`,
    command: 'node',
    restarts: null,
    summary: null,
    upSince: now - 65_000,
  };
}

/** Every command recorded by name; the few whose answer matters answer as the real ones would. */
function recordingCommands(calls: string[]): Commands {
  const answers: Record<string, unknown> = {
    restartDecision: Promise.resolve({ action: 'idle', reasons: ['the worker has no task; the worker comes back idle'], backupRef: false }),
  };
  return new Proxy({} as Commands, {
    get: (_target, name: string) =>
      (...args: unknown[]) => {
        calls.push(name === 'watchDetail' ? (args[0] ? `detail ${(args[0] as { mode: string }).mode} ${(args[0] as { worker: string }).worker}` : 'detail closed') : `${name} ${args.join(' ')}`.trim());
        return name in answers ? answers[name] : name === 'watchDetail' || name === 'attach' || name === 'quit' ? undefined : Promise.resolve(`${name}: done`);
      },
  });
}

function setup(columns = 100, rows = 24) {
  const calls: string[] = [];
  const store = createDashboardStore({ project: 'demo', socket: 'muxctl-demo', configFile: '/r/sessions.json', size: { columns, rows }, now });
  store.setState({ ready: true, workers: [worker('app-1'), worker('app-2')] });
  const ui = render(<App store={store} actions={createActions(store, recordingCommands(calls))} />);
  return { store, calls, ui };
}

/** What the dashboard's diff feed does once it read the diff: fills the open view's lines and title. */
function feed(store: DashboardStore, screen: DiffScreen): void {
  const detail = store.getState().detail;
  if (detail?.mode !== 'diff') throw new Error('no diff view is open');
  store.setState({ detail: { ...detail, events: screen.lines, diff: { summary: screen.summary, against: screen.against, problem: screen.problem } } });
}

/** a.txt committed (one line), notes.txt untracked with 40 lines: more than a screen. */
function sampleScreen(): DiffScreen {
  const committed = {
    path: 'a.txt',
    status: 'added' as const,
    added: 1,
    removed: 0,
    binary: false,
    untracked: false,
    patch: 'diff --git a/a.txt b/a.txt\nnew file mode 100644\nindex 0000000..7898192\n--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+a\n',
  };
  const body = Array.from({ length: 40 }, (_, i) => `note ${i}`).join('\n') + '\n';
  const notes = untrackedEntry({ path: 'notes.txt', mode: '100644', head: new TextEncoder().encode(body), complete: true, lines: 40, binary: false, endsWithNewline: true });
  const files = [committed, { ...notes.file, patch: notes.patch }];
  return diffScreen({ worker: 'app-1', branch: 'muxctl/app-1', base: 'main', mergeBase: '45db6b0e8b34e595f27ecc7c889d7e3fbdc93b53', files, totals: diffTotals(files) });
}

const frame = (ui: ReturnType<typeof render>): string => ui.lastFrame() ?? '';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('the diff view (d)', () => {
  it("opens the selected worker's diff from the grid: the file list with counts, then the patch; Esc goes back", async () => {
    const { ui, store, calls } = setup(140);
    cleanup = ui.unmount;
    ui.stdin.write('d');
    await waitFor(() => calls.includes('detail diff app-1'), { what: 'the diff feed asked for app-1' });
    await waitFor(() => frame(ui).includes('diff · reading…'), { what: 'the view open before the diff is read' });
    feed(store, sampleScreen());
    await waitFor(() => frame(ui).includes('notes.txt  untracked'), { what: 'the file list', detail: () => frame(ui) });
    const text = frame(ui);
    const total = store.getState().detail?.events.length ?? 0;
    expect(text).toContain(`app-1 · ● running · diff · 2 files · +41 −0 · lines 1–20 of ${total} · muxctl/app-1 against main (merge-base 45db6b0)`);
    expect(text).toContain('  +1 −0   a.txt      added\n  +40 −0  notes.txt  untracked\n');
    expect(text).toContain('diff --git a/a.txt b/a.txt');
    expect(text).toContain('+a');
    // From the top: the last note is below the window.
    expect(text).not.toContain('note 39');
    ui.stdin.write('\x1b');
    await waitFor(() => frame(ui).includes('app-2 last line'), { what: 'back to the grid' });
    expect(calls).toContain('detail closed');
    expect(store.getState().detail).toBeNull();
  });

  it('scrolls like the log view: j, PgDn, G to the end, g back to the top', async () => {
    const { ui, store } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('d');
    await waitFor(() => store.getState().detail?.mode === 'diff', { what: 'the diff view' });
    feed(store, sampleScreen());
    await waitFor(() => frame(ui).includes('lines 1–20'), { what: 'the first page' });
    const total = store.getState().detail?.events.length ?? 0;
    ui.stdin.write('j');
    await waitFor(() => frame(ui).includes('lines 2–21'), { what: 'one line down' });
    ui.stdin.write('\x1b[6~');
    await waitFor(() => frame(ui).includes('lines 21–40'), { what: 'a page down (one line kept)' });
    ui.stdin.write('G');
    await waitFor(() => frame(ui).includes(`lines ${total - 19}–${total} of ${total}`), { what: 'the last page' });
    expect(frame(ui)).toContain('+note 39');
    ui.stdin.write('g');
    await waitFor(() => frame(ui).includes('lines 1–20'), { what: 'the top again' });
    expect(frame(ui)).not.toContain('+note 39');
  });

  it('/ searches the diff: the matching lines from the first, an empty search shows all again', async () => {
    const { ui, store } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('d');
    await waitFor(() => store.getState().detail?.mode === 'diff', { what: 'the diff view' });
    feed(store, sampleScreen());
    await waitFor(() => frame(ui).includes('lines 1–20'), { what: 'the first page' });
    ui.stdin.write('/');
    await waitFor(() => frame(ui).includes('diff · search: '), { what: 'the search prompt' });
    ui.stdin.write('note 3');
    await waitFor(() => frame(ui).includes('search: note 3'), { what: 'the search typed' });
    ui.stdin.write('\r');
    // note 3 and note 30–39: eleven lines, all on one screen, the first first.
    await waitFor(() => frame(ui).includes('search "note 3" · 11 lines'), { what: 'the search applied' });
    expect(frame(ui)).toContain('+note 3\n');
    expect(frame(ui)).toContain('+note 39');
    expect(frame(ui)).not.toContain('note 29');
    ui.stdin.write('/');
    ui.stdin.write('\r');
    await waitFor(() => frame(ui).includes('lines 1–20'), { what: 'the search cleared' });
  });

  it('says so when the worker has no worktree yet; r there still asks to restart, never refreshes', async () => {
    const { ui, store, calls } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('d');
    await waitFor(() => store.getState().detail?.mode === 'diff', { what: 'the diff view' });
    feed(store, diffProblem('app-1 has no worktree yet (/w/app-1): u starts the worker, which makes one'));
    await waitFor(() => frame(ui).includes('app-1 has no worktree yet'), { what: 'the missing worktree said' });
    ui.stdin.write('r');
    await waitFor(() => frame(ui).includes('Restart app-1?'), { what: 'the restart confirmation' });
    expect(calls.filter((c) => c.startsWith('detail'))).toEqual(['detail diff app-1']);
  });

  it('opens from the preview and the log view too, on the worker they show', async () => {
    const { ui, store, calls } = setup();
    cleanup = ui.unmount;
    ui.stdin.write('\x1b[C');
    await waitFor(() => store.getState().selected === 1, { what: 'app-2 selected' });
    ui.stdin.write('p');
    await waitFor(() => store.getState().detail?.mode === 'preview', { what: 'the preview' });
    ui.stdin.write('d');
    await waitFor(() => calls.includes('detail diff app-2'), { what: 'the diff of app-2' });
    ui.stdin.write('q');
    await waitFor(() => store.getState().detail === null, { what: 'back' });
    ui.stdin.write('l');
    await waitFor(() => store.getState().detail?.mode === 'log', { what: 'the log view' });
    ui.stdin.write('d');
    await waitFor(() => store.getState().detail?.mode === 'diff', { what: 'the diff view from the log view' });
  });

  it('lists its keys in its help, within the screen', async () => {
    const { ui, store } = setup(100, 30);
    cleanup = ui.unmount;
    ui.stdin.write('d');
    await waitFor(() => store.getState().detail?.mode === 'diff', { what: 'the diff view' });
    ui.stdin.write('?');
    await waitFor(() => frame(ui).includes('Keys in the diff view'), { what: 'the help' });
    expect(frame(ui)).toContain('search the lines');
    expect(frame(ui)).not.toContain('lowest level shown');
    expect(frame(ui).split('\n').length).toBeLessThanOrEqual(30);
  });
});

describe("the panels' +N −M", () => {
  it('shows each worker its figure at the end of the evidence line, once read, within the panel', async () => {
    const { ui, store } = setup(80, 24);
    cleanup = ui.unmount;
    expect(frame(ui)).not.toMatch(/\+\d+ −\d+/);
    store.setState({ diffFigures: { 'app-1': { added: 12, removed: 3 }, 'app-2': { added: 0, removed: 0 } } });
    await waitFor(() => frame(ui).includes('+12 −3'), { what: 'the figure of app-1' });
    const evidence = frame(ui).split('\n').find((line) => line.includes('+12 −3')) ?? '';
    expect(evidence).toMatch(/[│║]running evidence · up 1m +\+12 −3[│║]/);
    // A clean worker shows no figure: "+0 −0" on every idle panel would be noise.
    expect(frame(ui)).not.toContain('+0 −0');
    for (const line of frame(ui).split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
  });
});
