/**
 * End-to-end: answering a waiting worker from the grid. The BUILT dashboard in a real pty, a real tmux
 * server, and a fake agent that asks "Proceed? [y/n]" and prints what it read. The keys pressed are the
 * keymap's, looked up by action: y opens the question with its choices, y in it sends, Esc cancels.
 *
 * Thresholds are small (settle 200 ms) so "◐ waiting" shows in seconds.
 */
import { describe, expect, it } from 'vitest';
import { keymap, type Action, type View } from '../../src/core/views/keymap.js';
import { events, screen as paneScreen, screenShows } from '../helpers/cli.js';
import { keys } from '../helpers/pty.js';
import { openDashboard, useStartedProjects, waitForPanel } from './dashboardScreen.js';

const HEALTH = { health: { idleAfterSeconds: 1, stuckAfterSeconds: 60, settleMs: 200 } };
const ASKS = `printf 'Proceed? [y/n] '; read a; echo "got: $a"; exec sleep 600`;

const startedProject = useStartedProjects();

/** The first character key the keymap binds to `action` in `view`: what a person reads in `?`. */
function keyOf(action: Action, view: View): string {
  const spec = keymap.find((b) => b.action === action && b.views.includes(view))?.keys.find((k) => k.kind === 'char');
  if (spec?.kind !== 'char') throw new Error(`the keymap has no character key for ${action} in the ${view}`);
  return spec.char;
}

describe('answering from the grid', () => {
  it('y on the waiting panel shows the question and its keys; y in it sends, and the agent reads "y"', async () => {
    const project = await startedProject('answer-grid', [{ name: 'w1', command: ASKS }], HEALTH);
    const screen = openDashboard(project, 120, 30);
    await waitForPanel(screen, 'w1', /◐ waiting/, 20_000);
    await waitForPanel(screen, 'w1', 'asks: Proceed? [y/n]');

    expect(keyOf('answer', 'grid')).toBe('y');
    screen.write(keyOf('answer', 'grid'));
    await screen.waitForText('w1 asks', { what: 'the answer dialog' });
    const dialog = screen.text();
    expect(dialog).toContain('Proceed? [y/n]');
    expect(dialog).toMatch(/ y {2}yes/);
    expect(dialog).toMatch(/ n {2}no/);
    expect(dialog).toContain('the letter is typed, then Enter');
    if (process.env['MUXCTL_PRINT_FRAMES']) console.info(dialog);

    // Esc cancels: nothing reaches the agent.
    screen.write(keys.escape);
    await screen.waitForNoText('w1 asks', { what: 'the dialog closed' });
    expect(await paneScreen(project.socket, 'w1')).not.toContain('got:');

    screen.write('y');
    await screen.waitForText('w1 asks', { what: 'the answer dialog again' });
    screen.write('y');
    await screenShows(project.socket, 'w1', 'got: y', 10_000);
    await screen.waitForText('w1: sent y Enter (yes) to "Proceed? [y/n]"', { what: 'the outcome on the status line' });
    expect(events(project).filter((e) => e.action === 'answer')).toEqual([
      { time: expect.any(String), actor: 'person', action: 'answer', worker: 'w1', reason: 'asked: Proceed? [y/n]; answered y: yes (sent y Enter)' },
    ]);
    // Answered, the worker works again; y now says why it does nothing.
    await waitForPanel(screen, 'w1', /● working|○ idle/, 10_000);
    screen.write('y');
    await screen.waitForText('y: the worker is not asking anything', { what: 'the disabled reason' });
  });
});
