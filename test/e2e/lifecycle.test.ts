/**
 * End-to-end: what the BUILT dashboard does to workers and how it tells their fate, read off the screen
 * of a real pty and checked against the real tmux server: quitting leaves them running and a new
 * dashboard finds them; restart asks first; stop and start; crashes, exit codes and a missing command;
 * the tmux server killed under it. Every test makes its own project.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keys } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';
import {
  events,
  LIVE_BADGE,
  livePanePids,
  openDashboard,
  sessions,
  tick,
  tmux,
  useStartedProjects,
  waitForGridIntact,
  waitForPanel,
  waitForSelected,
} from './dashboardScreen.js';

const startedProject = useStartedProjects();

describe('workers under the dashboard: quit, restart, stop, crash, server gone', () => {
  it('q quits with code 0 and says the workers keep running; they do, and a new dashboard finds them as they were', async () => {
    const project = await startedProject('quit', [tick('w1'), tick('w2')]);
    const screen = openDashboard(project, 160, 30);
    await waitForPanel(screen, 'w1', LIVE_BADGE);
    await waitForPanel(screen, 'w2', LIVE_BADGE);
    const pidsBefore = livePanePids(project);
    expect(Object.keys(pidsBefore).sort()).toEqual(['w1', 'w2']);

    screen.write('q');
    expect(await screen.waitForExit()).toEqual({ exitCode: 0 });
    await screen.waitForText('the workers keep running');
    expect(sessions(project)).toEqual(['w1', 'w2']);
    expect(livePanePids(project)).toEqual(pidsBefore);

    const again = openDashboard(project, 160, 30);
    const w1Again = await waitForPanel(again, 'w1', 'tick-w1');
    // Its first frame already says it is alive: a fresh start would say "starting" for 2 s. Its age
    // counts from the real start (the same pids), not from this dashboard.
    expect(w1Again.text).toMatch(LIVE_BADGE);
    expect(w1Again.text).not.toContain('starting');
    expect((await waitForPanel(again, 'w2', 'tick-w2')).text).toMatch(LIVE_BADGE);
    expect(livePanePids(project)).toEqual(pidsBefore);
  });

  it('r asks first with the facts; n changes nothing; y restarts in place (new pane pid) and records it as the person', async () => {
    const project = await startedProject('restart', [tick('w1')]);
    const screen = openDashboard(project, 120, 35);
    await waitForPanel(screen, 'w1', 'tick-w1');
    const pid = livePanePids(project)['w1'];
    expect(pid).toBeTypeOf('number');

    screen.write('r');
    await screen.waitForText('Restart w1?');
    await screen.waitForText(/Now: (starting|running|working|idle|waiting|stuck) · /, { what: 'the state it is in now' });
    await screen.waitForText(join(project.worktreeDir, 'w1'), { what: 'the worktree it keeps' });
    screen.write('n');
    await screen.waitForNoText('Restart w1?');
    await waitForPanel(screen, 'w1', 'tick-w1');
    expect(livePanePids(project)['w1']).toBe(pid);
    expect(events(project).filter((e) => e['action'] === 'restart')).toEqual([]);

    screen.write('r');
    await screen.waitForText('Restart w1?');
    screen.write('y');
    await screen.waitForText('w1: restarted');
    const newPid = await waitFor(
      () => {
        const now = livePanePids(project)['w1'];
        return now !== undefined && now !== pid ? now : undefined;
      },
      { what: 'w1 to have a new pane pid' },
    );
    expect(newPid).not.toBe(pid);
    expect(sessions(project)).toEqual(['w1']);
    expect(events(project)).toContainEqual(expect.objectContaining({ action: 'restart', worker: 'w1', actor: 'person' }));
    await waitForPanel(screen, 'w1', 'tick-w1');
  });

  it('s stops the selected worker (■ stopped, session gone); u starts it again (alive)', async () => {
    const project = await startedProject('stopstart', [tick('w1'), tick('w2')]);
    const screen = openDashboard(project, 120, 35);
    await waitForPanel(screen, 'w1', 'tick-w1');

    screen.write('s');
    await waitForPanel(screen, 'w1', '■ stopped');
    await waitForPanel(screen, 'w1', 'stopped by you');
    expect(sessions(project)).toEqual(['w2']);
    expect((await waitForPanel(screen, 'w2', 'tick-w2')).text).not.toContain('stopped');

    screen.write('u');
    await waitForPanel(screen, 'w1', LIVE_BADGE);
    expect(sessions(project)).toEqual(['w1', 'w2']);
  });

  it('tells how each worker ended: killed by a signal, exit 3, command not found; and keeps running', async () => {
    const project = await startedProject('ends', [
      { name: 'sig', command: 'sleep 300' },
      { name: 'ex3', command: 'echo about-to-fail; sleep 0.3; exit 3' },
      { name: 'nf', command: 'no-such-command-muxctl-e2e' },
      tick('ok'),
    ]);
    // 100 columns: two 50-column panels a row, wide enough for the evidence lines.
    const screen = openDashboard(project, 100, 40);
    await waitForPanel(screen, 'ok', 'tick-ok');
    const sigPid = livePanePids(project)['sig'];
    expect(sigPid).toBeTypeOf('number');
    process.kill(sigPid as number, 'SIGTERM');

    await waitForPanel(screen, 'sig', 'crashed (SIGTERM)');
    await waitForPanel(screen, 'sig', 'killed by SIGTERM at');
    await waitForPanel(screen, 'ex3', 'exited 3');
    await waitForPanel(screen, 'ex3', 'exit 3 at');
    await waitForPanel(screen, 'nf', 'exited 127');
    await waitForPanel(screen, 'nf', 'command not found');
    await screen.waitForText(/^ muxctl · ends · 4 workers · 3 need you/);

    // Still alive and listening: the healthy worker keeps ticking and keys still move the selection.
    await waitForPanel(screen, 'ok', LIVE_BADGE);
    screen.write(keys.right);
    await waitForSelected(screen, 'ex3');
    await waitForGridIntact(screen);
  });

  it('a worker that has died still shows the last lines it printed', async () => {
    // What a worker said just before it died is the best evidence of why. The pane is 48 rows high and
    // tmux writes "Pane is dead" on its LAST row, so the bottom of the capture is blank rows and that line.
    const project = await startedProject('lastwords', [
      // A moment between its last words and its exit, as an agent that prints an error and quits has: a
      // command that exits the instant it prints can lose that output inside tmux 3.3a itself (seen
      // under load in full runs; tmux.test.ts has the same race for sh's "not found").
      { name: 'ex3', command: 'echo last-words-of-ex3; sleep 0.3; exit 3' },
      { name: 'nf', command: 'no-such-command-muxctl-e2e' },
    ]);
    const screen = openDashboard(project, 120, 35);
    await waitForPanel(screen, 'ex3', 'exited 3');
    await waitForPanel(screen, 'nf', 'exited 127');
    await waitForPanel(screen, 'ex3', 'last-words-of-ex3', 4_000);
    await waitForPanel(screen, 'nf', /no-such-command-muxctl-e2e: .*not found/, 4_000);
  });

  it('when the tmux server is killed under it, the header says so, panels say missing with "u starts it"; u brings one back, U all', async () => {
    const project = await startedProject('killserver', [tick('w1'), tick('w2')]);
    const screen = openDashboard(project, 120, 35);
    await waitForPanel(screen, 'w1', 'tick-w1');
    await waitForPanel(screen, 'w2', 'tick-w2');

    tmux(project, 'kill-server');
    for (const name of ['w1', 'w2']) {
      await waitForPanel(screen, name, '? missing');
      await waitForPanel(screen, name, 'no tmux session · u starts it');
    }
    await screen.waitForText(/^ muxctl · killserver · 2 workers · tmux server gone: U brings them back/);

    screen.write('u');
    await waitForPanel(screen, 'w1', LIVE_BADGE);
    await waitForPanel(screen, 'w2', '? missing');
    expect(sessions(project)).toEqual(['w1']);
    // One back, one missing: that worker's trouble, no longer the server's.
    await screen.waitForText(/^ muxctl · killserver · 2 workers · 1 needs you/);

    screen.write('U');
    await waitForPanel(screen, 'w2', LIVE_BADGE);
    expect(sessions(project)).toEqual(['w1', 'w2']);
  });
});
