/**
 * End-to-end: the BUILT muxctl with 100 workers (each a `sleep`), in a pseudo-terminal at 80×24 and at
 * 160×45, read off the screen as a person sees it. At both sizes the panels cannot all fit, so the list
 * is chosen by itself: a line a worker, the selected one marked (›) and detailed in a pane (under the
 * list at 80 columns, beside it at 160), the window scrolling with the selection; `v` shows the grid
 * anyway and `v` again comes back.
 *
 * One project for the file: starting 100 workers (100 worktrees) takes ~20 s on this machine.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers } from '../helpers/cli.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { disposeAllPtys, keys, type PtyScreen } from '../helpers/pty.js';
import { findPanels, openDashboard, sessions, waitForScreen } from './dashboardScreen.js';

const COUNT = 100;
const names = Array.from({ length: COUNT }, (_, i) => `w${i + 1}`);

let project: TestProject;

beforeAll(async () => {
  project = await makeProject('listview', names.map((name, i) => ({ name, lane: i % 4 === 3 ? 'infra' : 'app', command: 'sleep 100000' })));
  await startWorkers(project);
  expect(sessions(project)).toHaveLength(COUNT);
}, 180_000);

afterEach(disposeAllPtys);
afterAll(async () => {
  await project?.cleanup();
}, 60_000);

interface ListRow {
  name: string;
  selected: boolean;
  line: string;
}

const BADGE = /^[ ›][●○◐◷⚠✔✖?■◌] /;

/** The list's lines as drawn: under the heading row, one a worker, the name read in the "worker" column. */
function listRows(lines: string[]): ListRow[] {
  const heading = lines.findIndex((l) => /^ state\s+worker\s/.test(l));
  if (heading === -1) return [];
  const column = (lines[heading] ?? '').indexOf('worker');
  const rows: ListRow[] = [];
  for (const line of lines.slice(heading + 1)) {
    if (!BADGE.test(line)) break;
    rows.push({ name: line.slice(column).split(' ')[0] ?? '', selected: line.startsWith('›'), line });
  }
  return rows;
}

/** The worker the detail pane names: the title of the pane beside the list, or the rule over the one under it. */
function detailName(lines: string[]): string | null {
  const side = findPanels(lines)[0];
  if (side !== undefined) return side.name;
  const rule = lines.find((l) => l.startsWith('── '));
  return rule?.match(/^── (\S+) · /)?.[1] ?? null;
}

/**
 * Waits until the list is drawn with `name` alone selected, named by the detail pane, and its lines
 * pass `ok` (a read can land in the middle of a redraw: only a state that holds is awaited for).
 */
async function waitForListSelection(screen: PtyScreen, name: string, ok: (rows: ListRow[], lines: string[]) => boolean = () => true, what = ''): Promise<ListRow[]> {
  let rows: ListRow[] = [];
  await waitForScreen(
    screen,
    () => {
      const lines = screen.lines();
      rows = listRows(lines);
      return rows.filter((r) => r.selected).map((r) => r.name).join(',') === name && detailName(lines) === name && ok(rows, lines);
    },
    `the list with ${name} alone selected and in the detail pane${what ? `, ${what}` : ''}`,
  );
  return rows;
}

/** Waits until the screen's text matches. */
const waitForText = (screen: PtyScreen, pattern: RegExp, row?: number): Promise<void> =>
  waitForScreen(screen, () => pattern.test(row === undefined ? screen.text() : (screen.lines().at(row) ?? '')), `${String(pattern)} on ${row === undefined ? 'the screen' : `row ${row}`}`);

describe.each([
  [80, 24, 'bottom'],
  [160, 45, 'side'],
] as const)('the list at %i×%i, 100 workers', (columns, rows, pane) => {
  it('is chosen by itself, a line a worker, scrolls with the selection, details it, and v shows the grid and back', async () => {
    const screen = openDashboard(project, columns, rows);
    // Chosen by itself, and the header says so (at 80 columns in fewer words).
    await waitForText(screen, columns >= 160 ? /^ muxctl · listview · 100 workers · list: 100 workers do not fit as panels · v grid/ : /^ muxctl · listview · 100 workers · list \(auto\) · v grid/, 0);
    const least = columns >= 160 ? 41 : 12;
    // The detail pane is where it should be for the width: beside the list (a box), or under it (a rule).
    const placed = (lines: string[]) => (findPanels(lines).length === 1) === (pane === 'side');
    const first = await waitForListSelection(screen, 'w1', (r, lines) => r.length >= least && placed(lines), `${least} lines or more, the pane ${pane === 'side' ? 'beside' : 'under'} them`);

    // A line a worker, in config order from the first, as many as the screen has room for. A line wider
    // than the terminal would wrap onto the next row, which then starts with no badge and ends the list
    // early: the count holds only while no line wraps.
    const visible = first.length;
    expect(visible).toBe(least);
    expect(first.map((r) => r.name)).toEqual(names.slice(0, visible));
    await waitForText(screen, /v grid/, -1);
    await waitForText(screen, new RegExp(`1–${visible} of 100 listed`));

    // Down to the last line on screen: nothing scrolls. One more: the list moves by one line.
    const window = (from: number) => (r: ListRow[]) => r.length === visible && r[0]?.name === `w${from}`;
    for (let i = 1; i < visible; i++) screen.write('j');
    await waitForListSelection(screen, `w${visible}`, window(1), 'the window unmoved');
    screen.write(keys.down);
    const moved = await waitForListSelection(screen, `w${visible + 1}`, window(2), 'the window one line down');
    expect(moved.at(-1)?.name).toBe(`w${visible + 1}`);
    // Up again: the highlight moves, the window stays.
    screen.write('k');
    await waitForListSelection(screen, `w${visible}`, window(2), 'the window still one line down');
    // To the end (G) and back to the top (g).
    screen.write('G');
    const end = await waitForListSelection(screen, 'w100', window(COUNT - visible + 1), 'the last page');
    expect(end.map((r) => r.name)).toEqual(names.slice(COUNT - visible));
    await waitForText(screen, new RegExp(`${COUNT - visible + 1}–100 of 100 listed`));
    screen.write('g');
    await waitForListSelection(screen, 'w1', window(1), 'the first page');

    // v: the grid anyway, its panels at their smallest around the selected worker, the header saying so.
    for (let i = 0; i < 5; i++) screen.write('j');
    await waitForListSelection(screen, 'w6');
    screen.write('v');
    await waitForScreen(
      screen,
      () => {
        const lines = screen.lines();
        return findPanels(lines).some((p) => p.name === 'w6' && p.selected) && listRows(lines).length === 0;
      },
      'the grid, w6 selected, no list',
    );
    await waitForText(screen, /· grid/, 0);
    await waitForText(screen, /1–\d+ of 100 on screen · move to see more/);
    await waitForText(screen, /v list/, -1);
    // v again: the list, on the same worker.
    screen.write('v');
    await waitForListSelection(screen, 'w6');
    screen.write('q');
    expect((await screen.waitForExit(10_000)).exitCode).toBe(0);
    // Quitting leaves the workers running.
    expect(sessions(project)).toHaveLength(COUNT);
  }, 90_000);
});

describe('the list, resized', () => {
  it('moves its detail pane from beside the list to under it when the terminal narrows, the selection kept', async () => {
    const screen = openDashboard(project, 160, 45);
    await waitForListSelection(screen, 'w1');
    screen.write('jjj');
    await waitForListSelection(screen, 'w4', () => findPanels(screen.lines()).length === 1, 'its pane beside the list');
    screen.resize(80, 24);
    await waitForListSelection(screen, 'w4', (r, lines) => findPanels(lines).length === 0 && r.length === 12, 'the pane under a dozen lines at 80×24');
  }, 60_000);
});
