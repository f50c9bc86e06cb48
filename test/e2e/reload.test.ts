/**
 * End-to-end: editing sessions.json while the BUILT dashboard runs. A good edit applies (new workers
 * start, removed ones are stopped only after the person says yes), a broken one is shown as an error
 * and changes nothing that runs. Read off the screen of a real pty, checked against the real tmux.
 */
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestProject, WorkerJson } from '../helpers/project.js';
import { waitFor } from '../helpers/waitFor.js';
import { events, livePanePids, openDashboard, TICK, tick, useStartedProjects } from './dashboardScreen.js';

const startedProject = useStartedProjects();

/** Saves the config the way editors do: a temp file renamed over the old one, so no half-written file is ever read. */
async function saveConfig(project: TestProject, text: string): Promise<void> {
  const tmp = `${project.configFile}.e2e-tmp`;
  await writeFile(tmp, text);
  await rename(tmp, project.configFile);
}

function withWorkers(project: TestProject, workers: WorkerJson[]): string {
  return JSON.stringify({ ...project.config, workers }, null, 2) + '\n';
}

const sessionNames = (project: TestProject): string[] => Object.keys(livePanePids(project)).sort();

/** The title row of a worker's panel, e.g. "│w3 · app". */
const panelTitle = (name: string): RegExp => new RegExp(`[│║]${name} · app `);

describe('editing sessions.json under a running dashboard', () => {
  it('a worker added to the file gets a panel and a running session', async () => {
    const project = await startedProject('reload-add', [tick('w1'), tick('w2')]);
    const screen = openDashboard(project, 120, 35);
    await screen.waitForText('tick-w2');

    await saveConfig(project, withWorkers(project, [tick('w1'), tick('w2'), tick('w3')]));
    await screen.waitForText(panelTitle('w3'), { what: 'a panel for the added worker w3' });
    await screen.waitForText('tick-w3', { what: "w3's own output in its panel" });
    await screen.waitForText('3 workers');
    expect(sessionNames(project)).toEqual(['w1', 'w2', 'w3']);
    expect(events(project)).toContainEqual(expect.objectContaining({ action: 'start', worker: 'w3', actor: 'config' }));
  });

  it('a broken edit says "config not applied" with the field and changes nothing that runs; fixing it clears the error', async () => {
    const project = await startedProject('reload-bad', [tick('w1'), tick('w2')]);
    // Wide enough for the whole error line, file path included.
    const screen = openDashboard(project, 180, 35);
    await screen.waitForText('tick-w2');
    const before = livePanePids(project);
    expect(Object.keys(before).sort()).toEqual(['w1', 'w2']);

    await saveConfig(project, '{ "project": "reload-bad", "workers": [');
    await screen.waitForText(/config not applied.*\(sessions\.json:\d+:\d+\)/, { what: 'the error for a file that is not JSON, with where' });

    await saveConfig(project, withWorkers(project, [tick('w1'), { name: 'w2', lane: 'no-such-lane', command: TICK }, tick('w3')]));
    await screen.waitForText(/config not applied.*workers\[1\]\.lane/, { what: 'the error naming the bad lane field' });
    // The running set stays as it was: no w3, the same processes, both panels.
    expect(livePanePids(project)).toEqual(before);
    expect(screen.text()).not.toMatch(panelTitle('w3'));
    await screen.waitForText(panelTitle('w1'));
    await screen.waitForText(panelTitle('w2'));
    await screen.waitForText(/^ muxctl · reload-bad · 2 workers/);

    await saveConfig(project, withWorkers(project, [tick('w1'), tick('w2')]));
    await screen.waitForNoText('config not applied', { what: 'the error to clear once the file is fixed' });
    expect(livePanePids(project)).toEqual(before);
  });

  it('the bad field is readable in a 120-column terminal', async () => {
    // The field that needs fixing must not be cut off at an ordinary terminal width: it comes first,
    // the file and position after it.
    const project = await startedProject('reload-narrow', [tick('w1'), tick('w2')]);
    const screen = openDashboard(project, 120, 35);
    await screen.waitForText('tick-w2');
    await saveConfig(project, withWorkers(project, [tick('w1'), { name: 'w2', lane: 'no-such-lane', command: TICK }]));
    await screen.waitForText('config not applied');
    await screen.waitForText('workers[1].lane', { what: 'the name of the bad field', timeoutMs: 3_000 });
  });

  it('a worker removed from the file: "Stop <w>?" — n leaves it running, y stops it and keeps its worktree', async () => {
    const project = await startedProject('reload-remove', [tick('w1'), tick('w2'), tick('w3')]);
    const screen = openDashboard(project, 120, 35);
    await screen.waitForText('tick-w3');
    const before = livePanePids(project);

    await saveConfig(project, withWorkers(project, [tick('w1'), tick('w3')]));
    await screen.waitForText('Stop w2?');
    screen.write('n');
    await screen.waitForNoText('Stop w2?');
    await screen.waitForText('2 workers');
    await screen.waitForNoText(panelTitle('w2'), { what: "w2's panel to go" });
    expect(livePanePids(project)['w2']).toBe(before['w2']);

    await saveConfig(project, withWorkers(project, [tick('w1')]));
    await screen.waitForText('Stop w3?');
    screen.write('y');
    await screen.waitForNoText('Stop w3?');
    await waitFor(() => livePanePids(project)['w3'] === undefined, { what: "w3's session to end", timeoutMs: 10_000 });
    await screen.waitForText('w3: stopped');
    expect(existsSync(join(project.worktreeDir, 'w3'))).toBe(true);
    expect(existsSync(join(project.worktreeDir, 'w3', 'README.md'))).toBe(true);
    // w1 untouched, w2 still running as the person chose.
    expect(livePanePids(project)['w1']).toBe(before['w1']);
    expect(livePanePids(project)['w2']).toBe(before['w2']);
    expect(events(project)).toContainEqual(expect.objectContaining({ action: 'stop', worker: 'w3', actor: 'config' }));
  });
});
