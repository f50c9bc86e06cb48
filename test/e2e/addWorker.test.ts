/**
 * End-to-end: W in the built dashboard adds a worker from a form. A wrong lane is named in the form and
 * nothing is written; fixed, the entry is written into sessions.json (every other line as it was, the file
 * still a valid config) and the worker starts, its panel on the grid. A real pty, tmux and git.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/parse.js';
import { projectsCleanedUpAfterEach, startWorkers } from '../helpers/cli.js';
import { disposeAllPtys } from '../helpers/pty.js';
import { openDashboard, tick, waitForPanel } from './dashboardScreen.js';

const cleanedProject = projectsCleanedUpAfterEach({ first: disposeAllPtys });

describe('W: a new worker from the grid', () => {
  it('names a wrong lane and writes nothing; then writes the entry, keeps every other line, and starts the worker', async () => {
    const project = await cleanedProject('addworker', [tick('w1')]);
    await startWorkers(project);
    const before = await readFile(project.configFile, 'utf8');
    const screen = openDashboard(project, 140, 35);
    await waitForPanel(screen, 'w1', 'tick-w1', 20_000);

    screen.write('W');
    await screen.waitForText('New worker', { what: 'the form' });
    screen.write('w2');
    screen.write('\t');
    // The lane starts as the selected worker's ("app"): make it wrong first.
    screen.write('\x7f\x7f\x7fnope');
    screen.write('\t\t');
    screen.write('echo w2-up; exec sleep 600');
    await screen.waitForText('echo w2-up; exec sleep 600', { what: 'the command typed' });
    screen.write('\r');
    await screen.waitForText(/lane: expected one of the lanes app, infra; got "nope"/, { what: 'the lane named in the form' });
    expect(await readFile(project.configFile, 'utf8')).toBe(before);

    // Back to the lane field (Shift-Tab twice), put it right, submit.
    screen.write('\x1b[Z\x1b[Z');
    screen.write('\x7f\x7f\x7f\x7fapp');
    screen.write('\r');
    await waitForPanel(screen, 'w2', 'w2-up', 20_000);

    const after = await readFile(project.configFile, 'utf8');
    const parsed = parseConfig(after, project.configFile);
    expect(parsed.ok).toBe(true);
    expect(JSON.parse(after).workers.at(-1)).toEqual({ name: 'w2', lane: 'app', command: 'echo w2-up; exec sleep 600' });
    // Every line of the file before is still there, in order, but the one that gained a comma.
    const kept = after.split('\n');
    const changed = before.split('\n').filter((line) => !kept.includes(line));
    expect(changed.length).toBeLessThanOrEqual(1);
    for (const line of changed) expect(kept).toContain(`${line},`);
  });
});
