/**
 * End-to-end: M from the grid reaches every worker of a lane at its prompt; a busy one shows the message
 * waiting on its panel and gets it once it is back at its prompt, typed in by the dashboard itself. The
 * BUILT dashboard in a real pty, a real tmux server, stand-in agents that answer each line they read.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { projectsCleanedUpAfterEach, screenShows, startWorkers } from '../helpers/cli.js';
import { disposeAllPtys } from '../helpers/pty.js';
import { openDashboard, waitForPanel, waitForScreen, waitForSelected } from './dashboardScreen.js';

const cleanedProject = projectsCleanedUpAfterEach({ first: disposeAllPtys });

const listener = (name: string) => ({ name, lane: 'app', command: `echo ${name}-ready; while IFS= read -r line; do echo "heard: $line"; done` });

describe('messages from the grid', () => {
  it('M sends to a lane after a yes: the workers at their prompt get it now, a busy one shows it waiting and gets it when it is back', async () => {
    const project = await cleanedProject('msgs', []);
    const ready = join(project.repo.scratch, 'ready');
    const busy = { name: 'busy', lane: 'app', command: `while [ ! -e '${ready}' ]; do echo "working $(date +%s%N)"; sleep 0.3; done; clear; echo at-prompt; while IFS= read -r line; do echo "heard: $line"; done` };
    await project.writeConfig({ ...project.config, workers: [listener('one'), listener('two'), busy] });
    await startWorkers(project);
    await screenShows(project.socket, 'one', 'one-ready');
    await screenShows(project.socket, 'two', 'two-ready');
    const screen = openDashboard(project, 160, 40);
    await waitForPanel(screen, 'one', 'one-ready', 20_000);
    await waitForSelected(screen, 'one');

    screen.write('M');
    await screen.waitForText('Message to many workers', { what: 'the form' });
    // "to" starts as the selected worker's lane.
    screen.write('\t');
    screen.write('main moved: rebase before you push');
    await screen.waitForText('main moved: rebase before you push', { what: 'the text typed' });
    screen.write('\r');
    await screen.waitForText('Send to 3 workers?', { what: 'the confirmation' });
    await screen.waitForText('To lane app: one, two, busy', { what: 'who gets it' });
    screen.write('y');

    await waitForPanel(screen, 'one', 'heard: main moved: rebase before you push', 20_000);
    await waitForPanel(screen, 'two', 'heard: main moved: rebase before you push', 20_000);
    await waitForPanel(screen, 'busy', '✉ 1 message waiting', 10_000);

    await writeFile(ready, '');
    await waitForPanel(screen, 'busy', 'heard: main moved: rebase before you push', 30_000);
    await waitForScreen(screen, () => !screen.text().includes('✉ 1 message waiting'), 'the waiting line gone once delivered', 10_000);
  });
});
