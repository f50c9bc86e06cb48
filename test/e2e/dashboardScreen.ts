/**
 * Shared by the end-to-end tests of the dashboard: projects started the way a person has them, the
 * BUILT muxctl opened in a pty, tmux asked directly for the truth, and panels read off the screen.
 *
 * Every read of the screen that expects a state POLLS for it with a deadline: the headless terminal
 * applies output as it arrives and does not hold back a synchronized-output frame, so a single read can
 * land in the middle of a redraw.
 */
import { events as controlEvents, projectsCleanedUpAfterEach, startWorkers, tmuxSync } from '../helpers/cli.js';
import { MUXCTL_BIN, type TestProject, type WorkerJson } from '../helpers/project.js';
import { disposeAllPtys, spawnInPty, type PtyScreen } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';

export { escapeRegExp } from '../helpers/cli.js';

/** A worker that prints a line a second, so its panel always has something of its own to show. */
export const TICK = 'while :; do echo tick-$MUXCTL_WORKER; sleep 1; done';
export const tick = (name: string, lane = 'app'): WorkerJson => ({ name, lane, command: TICK });

/**
 * The badge of a worker whose process is alive and past its 2 s "starting" grace: "● running", or what
 * its logs and screen say it is doing ("● working", "○ idle", "◐ waiting", "⚠ stuck").
 */
export const LIVE_BADGE = /(?:● running|● working|○ idle|◐ waiting|◷ limited|⚠ stuck)\b/;

/**
 * Call once at the top of a test file: returns `startedProject`, and registers an afterEach that
 * disposes every pty and cleans up (kills the private tmux server of, removes the repo of) each
 * project the test made.
 */
export function useStartedProjects(): (label: string, workers: WorkerJson[], extra?: Record<string, unknown>) => Promise<TestProject> {
  const project = projectsCleanedUpAfterEach({ first: disposeAllPtys });
  /** A project whose workers are already started by `muxctl up`, as a person would have them. */
  return async (label, workers, extra) => {
    const made = await project(label, workers, extra);
    await startWorkers(made);
    return made;
  };
}

/** `env` is added to the pty's minimal environment (see ptyEnv), `args` to muxctl's (e.g. `--no-redact`). */
export function openDashboard(project: TestProject, cols: number, rows: number, extra: { env?: Record<string, string | undefined>; args?: string[] } = {}): PtyScreen {
  return spawnInPty('node', [MUXCTL_BIN, '--config', project.configFile, ...(extra.args ?? [])], { cols, rows, cwd: project.repo.path, ...(extra.env === undefined ? {} : { env: extra.env }) });
}

/** Timings a file collects and prints (MUXCTL_E2E_TIMINGS=1) for the report, never asserts. */
export function timingLog(): { note(what: string, ms: number): void; print(label: string): void } {
  const timings: Record<string, number[]> = {};
  return {
    note: (what, ms) => void (timings[what] ??= []).push(ms),
    print: (label) => {
      if (process.env['MUXCTL_E2E_TIMINGS']) console.info(`${label} timings (ms):`, JSON.stringify(timings));
    },
  };
}

// ---------------------------------------------------------------- tmux, asked directly (the truth)

export function tmux(project: TestProject, ...args: string[]): string {
  return tmuxSync(project.socket, args);
}

/** Session names on the project's server; [] when no server runs. */
export function sessions(project: TestProject): string[] {
  try {
    return tmux(project, 'list-sessions', '-F', '#{session_name}').split('\n').filter((name) => name && name !== MONITOR_SESSION).sort();
  } catch {
    return [];
  }
}

/** The dashboard's own control-mode session: not a worker, so left out of every count here. */
const MONITOR_SESSION = '_muxctl_monitor';

/** Each session's pane pid, live panes only. */
export function livePanePids(project: TestProject): Record<string, number> {
  const pids: Record<string, number> = {};
  let listed = '';
  try {
    listed = tmux(project, 'list-panes', '-a', '-F', '#{session_name} #{pane_pid} #{pane_dead}');
  } catch {
    return pids;
  }
  for (const line of listed.split('\n').filter(Boolean)) {
    const [name, pid, dead] = line.split(' ');
    if (name && name !== MONITOR_SESSION && pid && dead === '0') pids[name] = Number(pid);
  }
  return pids;
}

// ---------------------------------------------------------------- reading panels off the screen

export interface Panel {
  /** The worker's name, from the title row ("w1 · app … ● working"). */
  name: string;
  /** Drawn with a double border (╔): the selected panel. */
  selected: boolean;
  top: number;
  left: number;
  /** The rows inside the border: title, evidence, then the worker's screen. */
  text: string;
}

/**
 * Every box on the screen, found from its top-left corner (╭ round, ╔ double). Columns are string
 * indexes: right for screens without wide characters, which is every screen this helper reads.
 */
export function findPanels(lines: string[]): Panel[] {
  const panels: Panel[] = [];
  lines.forEach((line, top) => {
    for (let left = 0; left < line.length; left++) {
      const corner = line[left];
      if (corner !== '╭' && corner !== '╔') continue;
      const right = line.indexOf(corner === '╭' ? '╮' : '╗', left + 1);
      if (right === -1) continue;
      const inner: string[] = [];
      for (let y = top + 1; y < lines.length; y++) {
        const row = lines[y] ?? '';
        if (row[left] === '╰' || row[left] === '╚' || row[left] === undefined) break;
        inner.push(row.slice(left + 1, right));
      }
      const name = (inner[0] ?? '').split(' · ')[0]?.trim() ?? '';
      panels.push({ name, selected: corner === '╔', top, left, text: inner.join('\n') });
    }
  });
  return panels;
}

export function panelOf(screen: PtyScreen, name: string): Panel | undefined {
  return findPanels(screen.lines()).find((p) => p.name === name);
}

/** The badge on a panel's title row ("● working"), or null when the panel is not drawn (mid-redraw). */
export function badgeOf(screen: PtyScreen, name: string): string | null {
  const title = panelOf(screen, name)?.text.split('\n')[0];
  return title?.match(/[●○◐◷⚠✔✖?■◌⇄] [a-z]+(?: -?\d+| \([A-Z]+\))?$/)?.[0] ?? null;
}

/** The screen as it is, for a timeout message. */
export const screenDump = (screen: PtyScreen) => (): string => `--- screen ---\n${screen.text()}\n--- end ---`;

export async function waitForPanel(screen: PtyScreen, name: string, needle: string | RegExp, timeoutMs = 10_000): Promise<Panel> {
  return waitFor(
    () => {
      const panel = panelOf(screen, name);
      return panel && (typeof needle === 'string' ? panel.text.includes(needle) : needle.test(panel.text)) ? panel : undefined;
    },
    { what: `the panel of ${name} to show ${String(needle)}`, timeoutMs, detail: screenDump(screen) },
  );
}

export function selectedNames(screen: PtyScreen): string[] {
  return findPanels(screen.lines()).filter((p) => p.selected).map((p) => p.name);
}

/** Polls until `ok()` holds; on timeout the error shows the screen as it is then. */
export async function waitForScreen(screen: PtyScreen, ok: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(ok, { what, timeoutMs, detail: screenDump(screen) });
}

export async function waitForSelected(screen: PtyScreen, name: string): Promise<void> {
  await waitForScreen(screen, () => selectedNames(screen).join(',') === name, `${name} alone to be selected`, 5_000);
}

/** Panels per grid row, as drawn: the largest number of panels sharing a top row. */
export function panelsPerRow(screen: PtyScreen): number {
  const perTop = new Map<number, number>();
  for (const p of findPanels(screen.lines())) perTop.set(p.top, (perTop.get(p.top) ?? 0) + 1);
  return Math.max(0, ...perTop.values());
}

const TOP_CORNERS = /[╭╮╔╗]/g;
const BORDER_GLYPHS = /[│║╭╮╰╯╔╗╚╝]/g;
const EDGE = /^[│║╭╮╰╯╔╗╚╝]$/;

/**
 * What is wrong with the grid as drawn, or null: between the header (row 0) and the status and hints
 * rows (the last two), every non-blank row starts and ends on a border and has as many border glyphs
 * as the row of top corners it hangs from. A line too wide for its panel breaks one of these (it
 * pushes a border away or wraps onto the next row).
 */
export function gridProblem(lines: string[]): string | null {
  let expected = 0;
  for (let row = 1; row < lines.length - 2; row++) {
    const line = lines[row] ?? '';
    if (line === '') continue;
    const glyphs = (line.match(BORDER_GLYPHS) ?? []).length;
    if (/[╭╔]/.test(line)) expected = (line.match(TOP_CORNERS) ?? []).length;
    if (!EDGE.test(line[0] ?? '')) return `row ${row} starts inside a panel, not on its border`;
    if (!EDGE.test(line.at(-1) ?? '')) return `row ${row} ends inside a panel, not on its border`;
    if (glyphs !== expected) return `row ${row} has ${glyphs} border glyphs where its panels have ${expected}`;
  }
  return null;
}

/**
 * Waits for an intact grid. A read can land in the middle of a redraw (the headless terminal applies
 * output as it arrives; it does not hold back a synchronized-output frame), so one broken read proves
 * nothing: a grid that stays broken for the whole deadline does.
 */
export async function waitForGridIntact(screen: PtyScreen, timeoutMs = 3_000): Promise<void> {
  let problem: string | null = null;
  await waitForScreen(screen, () => (problem = gridProblem(screen.lines())) === null, 'an intact grid', timeoutMs).catch((error: Error) => {
    throw new Error(`${problem ?? 'grid broken'}; ${error.message}`);
  });
}

export function events(project: TestProject): Array<Record<string, string>> {
  return controlEvents(project) as unknown as Array<Record<string, string>>;
}
