/**
 * End-to-end: attaching to a worker from the BUILT dashboard and coming back, read off the screen.
 * Once in a plain terminal (a pty), once with the dashboard itself running inside an outer tmux
 * server, the way many people run it; muxctl owns the detach key (Ctrl-Q) so the outer tmux's prefix
 * never gets in the way.
 *
 * Set MUXCTL_E2E_TIMINGS=1 to print attach and back-from-attach latencies.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MUXCTL_BIN } from '../helpers/project.js';
import { keys, ptyEnv } from '../helpers/pty.js';
import { killTestServer, testSocket, tmuxSync } from '../helpers/tmuxSocket.js';
import { waitFor } from '../helpers/waitFor.js';
import { escapeRegExp, openDashboard, sessions, tick, timingLog, useStartedProjects, waitForSelected } from './dashboardScreen.js';

/** A worker that answers each line typed into it: proof that keys reach it while attached. */
const ECHO = 'echo ready-$MUXCTL_WORKER; while read line; do echo "got:$line"; done';

const startedProject = useStartedProjects();
const timings = timingLog();
const note = timings.note;
afterAll(() => timings.print('attach e2e'));

/** Outer tmux servers a test started (the dashboard runs inside one): killed after each test. */
const outerSockets: string[] = [];
afterEach(async () => {
  await Promise.all(outerSockets.splice(0).map((socket) => killTestServer(socket)));
});

/** tmux on an outer server, in the pty's minimal environment (which its sessions, and so the dashboard, inherit). */
function tmuxOn(socket: string, ...args: string[]): string {
  return tmuxSync(socket, args, ptyEnv());
}

/** The title row of a worker's panel, selected (║ double border) or not (│). */
function panelTitle(name: string): RegExp {
  return new RegExp(`[│║]${name} · app `);
}

const BORDER_START = /^[│║╭╮╰╯╔╗╚╝]/;

/**
 * What is wrong with the grid as a person sees it after coming back, or null: the header on the first
 * row, the hints on the last, every row between either blank or part of a panel (no line of the
 * worker's own screen, no tmux status bar or "[detached" left over), and `leftover` only inside panels.
 */
function cleanGridProblem(lines: string[], leftover: string): string | null {
  const screen = lines.join('\n');
  if (!/^ muxctl · /.test(lines[0] ?? '')) return 'no header on the first row';
  if (!(lines.at(-1) ?? '').includes('quit')) return 'no hints bar on the last row';
  const stray = lines.slice(1, -2).find((line) => line !== '' && !BORDER_START.test(line));
  if (stray !== undefined) return `a row outside the panels: ${stray}`;
  if (/^\[\w+\] \d+:/m.test(screen)) return "tmux's status bar is still on the screen";
  if (screen.includes('[detached')) return "tmux's detach message is still on the screen";
  const inPanel = new RegExp(`[│║][^│║]*${escapeRegExp(leftover)}[^│║]*[│║]`);
  const outside = lines.find((line) => line.includes(leftover) && !inPanel.test(line));
  if (outside !== undefined) return `"${leftover}" outside a panel: ${outside}`;
  return null;
}

/**
 * Polls for a clean grid: a read can land in the middle of a redraw (the headless terminal applies
 * output as it arrives), so only a grid that stays unclean until the deadline fails.
 */
async function waitForCleanGrid(read: () => string[], leftover: string, timeoutMs = 3_000): Promise<void> {
  let lines: string[] = [];
  let problem: string | null = null;
  await waitFor(
    () => {
      lines = read();
      problem = cleanGridProblem(lines, leftover);
      return problem === null;
    },
    { what: 'a clean grid after detaching', timeoutMs, detail: () => `${problem ?? ''}\n--- screen ---\n${lines.join('\n')}\n--- end ---` },
  );
}

describe('attach from the dashboard', () => {
  it('Enter shows the worker full screen and types into it; Ctrl-Q and tmux detach both come back to a clean grid', async () => {
    const project = await startedProject('attach', [{ name: 'w1', command: ECHO }, tick('w2')]);
    const screen = openDashboard(project, 100, 30);
    await screen.waitForText('ready-w1');
    await screen.waitForText('tick-w2');
    await waitForSelected(screen, 'w1');

    let started = Date.now();
    screen.write(keys.enter);
    await screen.waitForText(/^\[w1\] 0:/m, { what: "tmux's status bar for w1" });
    note('attach', Date.now() - started);
    await screen.waitForText('ready-w1', { what: "w1's own screen" });
    await screen.waitForNoText(panelTitle('w1'), { what: 'no panel left from the grid' });
    await screen.waitForNoText(' muxctl · ', { what: "no dashboard header over the worker's screen" });

    screen.write(`hello-from-e2e${keys.enter}`);
    await screen.waitForText('got:hello-from-e2e');

    started = Date.now();
    screen.write(keys.ctrlQ);
    await screen.waitForText('back from w1');
    note('back (Ctrl-Q)', Date.now() - started);
    await screen.waitForText('got:hello-from-e2e', { what: "the worker's answer inside its panel" });
    await waitForCleanGrid(() => screen.lines(), 'got:hello-from-e2e');
    expect(sessions(project)).toEqual(['w1', 'w2']);

    // Keys work after coming back; tmux's own detach (Ctrl-B d) also comes back.
    screen.write(keys.right);
    await waitForSelected(screen, 'w2');
    started = Date.now();
    screen.write(keys.enter);
    await screen.waitForText(/^\[w2\] 0:/m, { what: "tmux's status bar for w2" });
    note('attach', Date.now() - started);
    await screen.waitForText('tick-w2');
    started = Date.now();
    screen.write(`${keys.ctrlB}d`);
    await screen.waitForText('back from w2');
    note('back (Ctrl-B d)', Date.now() - started);
    await waitForCleanGrid(() => screen.lines(), 'tick-w2');
    expect(sessions(project)).toEqual(['w1', 'w2']);

    // And the terminal is sane enough to quit normally.
    screen.write('q');
    expect(await screen.waitForExit()).toEqual({ exitCode: 0 });
  });

  it('works when muxctl itself runs inside an outer tmux: Enter attaches, Ctrl-Q comes back', async () => {
    const project = await startedProject('nested', [{ name: 'w1', command: ECHO }, tick('w2')]);
    const outer = testSocket('outer');
    outerSockets.push(outer);
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    tmuxOn(outer, 'new-session', '-d', '-s', 'outer', '-x', '120', '-y', '35', '-c', project.repo.path,
      `node ${quote(MUXCTL_BIN)} --config ${quote(project.configFile)}`);
    const capture = () => tmuxOn(outer, 'capture-pane', '-p', '-t', '=outer:');
    const waitForCapture = async (needle: string | RegExp, what: string, timeoutMs = 10_000): Promise<void> => {
      let text = '';
      await waitFor(
        () => {
          text = capture();
          return typeof needle === 'string' ? text.includes(needle) : needle.test(text);
        },
        { what: `${what} in the outer tmux`, timeoutMs, detail: () => `--- pane ---\n${text}\n--- end ---` },
      );
    };

    await waitForCapture('ready-w1', 'the dashboard with w1');
    await waitForCapture('tick-w2', 'the dashboard with w2');
    // The dashboard now runs with TMUX set (the outer server's pane), which makes a plain `tmux attach` refuse.

    let started = Date.now();
    tmuxOn(outer, 'send-keys', '-t', '=outer:', 'Enter');
    await waitForCapture(/^\[w1\] 0:/m, "the inner tmux's status bar for w1");
    note('attach (nested)', Date.now() - started);
    tmuxOn(outer, 'send-keys', '-t', '=outer:', '-l', 'nested-hello');
    tmuxOn(outer, 'send-keys', '-t', '=outer:', 'Enter');
    await waitForCapture('got:nested-hello', "the worker's answer");

    started = Date.now();
    tmuxOn(outer, 'send-keys', '-t', '=outer:', 'C-q');
    await waitForCapture('back from w1', 'the grid again');
    note('back (nested)', Date.now() - started);
    await waitForCleanGrid(() => capture().replace(/\n+$/, '').split('\n'), 'got:nested-hello');
    expect(sessions(project)).toEqual(['w1', 'w2']);
  });
});
