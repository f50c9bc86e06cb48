/**
 * End-to-end: the BUILT muxctl dashboard in a real pseudo-terminal, against a real tmux server (a
 * private socket per project) and a real git repository, read off the screen the way a person sees it
 * (a headless xterm, not the byte stream): what the grid shows, selection, layout at several sizes, the
 * help overlay, two dashboards on one project. Every test makes its own project.
 * lifecycle.test.ts covers quit/stop/restart/crash, attach.test.ts attach, reload.test.ts config edits.
 *
 * Set MUXCTL_E2E_TIMINGS=1 to print how long the first full frame took.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { keymap } from '../../src/core/views/keymap.js';
import type { WorkerJson } from '../helpers/project.js';
import { keys } from '../helpers/pty.js';
import {
  escapeRegExp,
  findPanels,
  LIVE_BADGE,
  livePanePids,
  openDashboard,
  panelOf,
  panelsPerRow,
  sessions,
  tick,
  timingLog,
  useStartedProjects,
  waitForGridIntact,
  waitForPanel,
  waitForScreen,
  waitForSelected,
  type Panel,
} from './dashboardScreen.js';

const startedProject = useStartedProjects();
const timings = timingLog();
afterAll(() => timings.print('dashboard e2e'));

describe('muxctl dashboard, built, in a pseudo-terminal', () => {
  it('shows a panel per worker (name · lane, running badge, its output), a header with project and count, and the key hints', async () => {
    const project = await startedProject('panels', [tick('w1'), tick('w2', 'infra'), tick('w3')]);
    const spawned = Date.now();
    const screen = openDashboard(project, 120, 35);
    for (const name of ['w1', 'w2', 'w3']) await waitForPanel(screen, name, `tick-${name}`);
    timings.note('first full frame', Date.now() - spawned);

    await waitForPanel(screen, 'w1', /^w1 · app /);
    await waitForPanel(screen, 'w2', /^w2 · infra /);
    await waitForPanel(screen, 'w3', /^w3 · app /);
    // Alive (running, working, idle…) once past the 2 s "starting" grace.
    for (const name of ['w1', 'w2', 'w3']) await waitForPanel(screen, name, LIVE_BADGE);

    await screen.waitForText(/^ muxctl · panels · 3 workers/);
    await waitForScreen(screen, () => /attach.*quit/.test(screen.lines().at(-1) ?? ''), 'the hints bar with attach and quit on the last row');
    await waitForGridIntact(screen);
  });

  it('marks the selected panel with a double border and moves it with →, ←, j/↓ and k/↑', async () => {
    const project = await startedProject('select', [tick('w1'), tick('w2'), tick('w3'), tick('w4')]);
    // 100 columns hold two 34-column panels a row: w1 w2 / w3 w4.
    const screen = openDashboard(project, 100, 30);
    await waitForPanel(screen, 'w4', 'tick-w4');
    await waitForSelected(screen, 'w1');

    let at: Record<string, Panel> = {};
    await waitForScreen(screen, () => {
      at = Object.fromEntries(findPanels(screen.lines()).map((p) => [p.name, p]));
      return ['w1', 'w2', 'w3', 'w4'].every((name) => at[name] !== undefined);
    }, 'all four panels drawn');
    const [w1, w2, w3, w4] = (['w1', 'w2', 'w3', 'w4'] as const).map((name) => at[name] as Panel);
    expect(w2?.top).toBe(w1?.top);
    expect(w2?.left).toBeGreaterThan(w1?.left ?? Infinity);
    expect(w3?.left).toBe(w1?.left);
    expect(w4?.left).toBe(w2?.left);
    expect(w4?.top).toBeGreaterThan(w2?.top ?? Infinity);

    // → and ← move sideways (l and h are taken: l opens the log view), j/↓ and k/↑ up and down.
    screen.write(keys.right);
    await waitForSelected(screen, 'w2');
    screen.write(keys.left);
    await waitForSelected(screen, 'w1');
    screen.write(keys.right);
    await waitForSelected(screen, 'w2');
    screen.write('j');
    await waitForSelected(screen, 'w4');
    screen.write(keys.left);
    await waitForSelected(screen, 'w3');
    screen.write('k');
    await waitForSelected(screen, 'w1');
    screen.write(keys.down);
    await waitForSelected(screen, 'w3');
    screen.write(keys.up);
    await waitForSelected(screen, 'w1');
  });

  it('fits 80×24 without a broken border, puts more panels a row at 160×45, and reflows on resize', async () => {
    // Long lines in every panel: truncation, not wrapping, must keep them inside their borders. Six
    // workers: at 80×24 that is three rows of two panels, each with room for a few lines of output.
    const long = (name: string): WorkerJson => ({ name, command: `while :; do printf 'long-%s-%0150d\\n' $MUXCTL_WORKER 0; sleep 1; done` });
    const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    const project = await startedProject('resize', names.map(long));
    const screen = openDashboard(project, 80, 24);
    for (const name of names) await waitForPanel(screen, name, `long-${name}-000`);
    await waitForScreen(screen, () => panelsPerRow(screen) === 2, '2 panels a row at 80×24');
    await waitForGridIntact(screen);
    await screen.waitForText(/^ muxctl · resize · 6 workers/);
    await waitForScreen(screen, () => (screen.lines().at(-1) ?? '').includes('quit'), 'the hints bar on the last row');

    screen.resize(160, 45);
    await waitForScreen(screen, () => panelsPerRow(screen) === 3, '3 panels a row at 160×45');
    for (const name of names) await waitForPanel(screen, name, `long-${name}-000`);
    await waitForGridIntact(screen);

    screen.resize(80, 24);
    await waitForScreen(screen, () => panelsPerRow(screen) === 2, '2 panels a row at 80×24 again');
    await waitForPanel(screen, 'w6', 'long-w6-000');
    await waitForGridIntact(screen);
    await screen.waitForText(/^ muxctl · resize · 6 workers/);
  });

  it('keeps panel borders in place when a worker prints wide characters (CJK, emoji)', async () => {
    // Each line twice, once shifted by one column, so whatever the panel width one of them is cut in
    // the middle of a wide character.
    const wide = [
      `printf '日本語のテキスト%.0s' 1 2 3 4 5 6 7 8 9 10; echo`,
      `printf 'a'; printf '日本語のテキスト%.0s' 1 2 3 4 5 6 7 8 9 10; echo`,
      `printf '🙂%.0s' $(seq 60); echo`,
      `printf 'a'; printf '🙂%.0s' $(seq 60); echo`,
      'echo wide-done; sleep 300',
    ].join('; ');
    const project = await startedProject('widechars', [{ name: 'wide', command: wide }, tick('w2')]);
    const screen = openDashboard(project, 80, 24);
    await waitForScreen(screen, () => screen.text().includes('wide-done') && screen.text().includes('tick-w2'), 'both panels drawn');
    await waitForGridIntact(screen);
  });

  it('a second dashboard on the same project shows the workers, says it is watching, and its keys still act', async () => {
    const project = await startedProject('twodash', [tick('w1'), tick('w2')]);
    const first = openDashboard(project, 120, 35);
    await waitForPanel(first, 'w1', 'tick-w1');
    const second = openDashboard(project, 120, 35);
    await waitForPanel(second, 'w1', 'tick-w1');
    await waitForPanel(second, 'w2', 'tick-w2');
    await second.waitForText(`watching (dashboard pid ${first.pid} acts)`);
    expect(first.lines()[0]).not.toContain('watching');

    second.write('s');
    await waitForPanel(second, 'w1', '■ stopped');
    await waitForPanel(first, 'w1', '■ stopped');
    expect(sessions(project)).toEqual(['w2']);

    second.write('u');
    await waitForPanel(second, 'w1', LIVE_BADGE);
    await waitForPanel(first, 'w1', LIVE_BADGE);
    expect(sessions(project)).toEqual(['w1', 'w2']);
    expect(Object.keys(livePanePids(project)).sort()).toEqual(['w1', 'w2']);
  });

  it('? shows every key in a help overlay; ? closes it again', async () => {
    const project = await startedProject('help', [tick('w1')]);
    // 100 columns: every description on one line. 34 rows: one column holds the grid's 25 keys (at
    // 30 rows it holds 23 and the overlay goes to two columns, cutting each description).
    const screen = openDashboard(project, 100, 34);
    await waitForPanel(screen, 'w1', 'tick-w1');

    screen.write('?');
    await screen.waitForText('show or hide this help');
    // Every key that works in the grid (the log and preview views list their own keys).
    const gridBindings = keymap.filter((b) => {
      const views = (b as { views?: readonly string[] }).views;
      return views === undefined || views.includes('grid');
    });
    expect(gridBindings.length).toBeGreaterThan(5);
    for (const binding of gridBindings) {
      await screen.waitForText(new RegExp(`${escapeRegExp(binding.label)} +${escapeRegExp(binding.description)}`), { what: `the help line for ${binding.label}` });
    }
    expect(panelOf(screen, 'w1')).toBeUndefined();

    screen.write('?');
    await screen.waitForNoText('show or hide this help');
    await waitForPanel(screen, 'w1', 'tick-w1');
    await waitForGridIntact(screen);
  });
});
