/**
 * End-to-end: one live config. An edit of sessions.json while the BUILT, leading dashboard runs reaches
 * every part of it at once: the `n` form routes by the new rule, and the dispatcher hands the task to
 * the worker of the new lane with the new lease. Read off the screen and checked against the board.
 */
import { rename, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { TestProject } from '../helpers/project.js';
import { keys } from '../helpers/pty.js';
import { waitForScreen } from './dashboardScreen.js';
import { boardEvents, dashboard, muxctl, OWN_FILE, openEmptyBoard, taskOf, useTaskProjects, waitForCard, waitForNotice, waitForTaskState } from './taskBoardScreen.js';

const taskProject = useTaskProjects();

/** Saved the way editors do: a temp file renamed over the old one. */
async function saveConfig(project: TestProject, config: Record<string, unknown>): Promise<void> {
  const tmp = `${project.configFile}.e2e-tmp`;
  await writeFile(tmp, JSON.stringify(config, null, 2) + '\n');
  await rename(tmp, project.configFile);
  project.config = config;
}

const NEW_LEASE_SECONDS = 45;

describe('a config edit under a running dashboard', () => {
  it('reaches the n form, the dispatcher and the lease: a new routing rule and lane, a shorter lease', async () => {
    // Each task takes a while, so its lease can be read while it runs.
    const project = await taskProject('live-config', { autoDispatch: true, write: `sleep 20 && ${OWN_FILE}` });
    const screen = await dashboard(project);

    const workers = (project.config.workers as Array<Record<string, unknown>>).map((w) => (w.name === 'w2' ? { ...w, lane: 'infra' } : w));
    const tasks = { ...(project.config.tasks as Record<string, unknown>), leaseSeconds: NEW_LEASE_SECONDS, routing: [{ lane: 'infra', words: ['pipeline'] }] };
    await saveConfig(project, { ...project.config, workers, tasks });
    await waitForNotice(screen, /config reloaded/);

    // The form of the dashboard routes a title without a lane by the rule that was not there at start.
    await openEmptyBoard(screen);
    screen.write('n');
    await screen.waitForText('New task');
    screen.write('speed up the pipeline');
    await screen.waitForText(/› title +speed up the pipeline/);
    screen.write(keys.enter);
    await screen.waitForText('added T1 to lane infra: speed up the pipeline');
    expect((await taskOf(project, 'T1')).lane).toBe('infra');

    // The leader's dispatcher gives it to w2, now of lane infra, with the lease of the new config.
    const running = await waitForTaskState(project, 'T1', 'running', 20_000);
    expect(running.assignee).toBe('w2');
    const claim = boardEvents(project).find((event) => event.subject === 'T1' && event.action === 'claim');
    expect(claim?.actor.kind).toBe('dispatcher');
    const leaseMs = (running.lease?.expiresAt ?? 0) - (claim?.time ?? 0);
    expect(leaseMs).toBeGreaterThan((NEW_LEASE_SECONDS - 3) * 1000);
    expect(leaseMs).toBeLessThanOrEqual(NEW_LEASE_SECONDS * 1000 + 1000);

    // A task added from the command line is routed (by the CLI's own read of the file) and handed out
    // by the dashboard, which now knows the lane: w1 stays in app and takes an app task.
    const added = await muxctl(project, ['task', 'add', 'write the docs', '--lane', 'app']);
    expect(added.exitCode, added.stderr).toBe(0);
    await waitForCard(screen, 'T2', 'running', 20_000);
    expect((await taskOf(project, 'T2')).assignee).toBe('w1');
    await waitForScreen(screen, () => !screen.text().includes('which lane?'), 'no routing complaint on screen');
  });
});
