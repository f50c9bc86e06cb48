/**
 * End-to-end: a worker whose agent hit its usage limit is "◷ limited" with the reset time as evidence,
 * counted apart in the header (not "needs you": nobody can lift a limit), and stays limited, not crashed,
 * when its process ends on the limit. With recover.afterLimit its panel says when it will be continued,
 * and c cancels that. The BUILT dashboard in a real pty, a real tmux server, a stand-in agent
 * (test/helpers/limitedAgent.mjs) that writes Claude Code's own transcript line for a limit and prints
 * its words; the reset is two hours away, so the continue itself is the integration test's (afterLimit).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectsCleanedUpAfterEach, startWorkers } from '../helpers/cli.js';
import { disposeAllPtys } from '../helpers/pty.js';
import { openDashboard, tick, tmux, waitForPanel, waitForSelected } from './dashboardScreen.js';

const cleanedProject = projectsCleanedUpAfterEach({ first: disposeAllPtys });
const AGENT = join(import.meta.dirname, '..', 'helpers', 'limitedAgent.mjs');
const HEALTH = { health: { idleAfterSeconds: 1, stuckAfterSeconds: 2, settleMs: 200 } };

const limitedWorker = { name: 'capped', command: ['node', AGENT, '--log', 'transcript.jsonl', '--reset-in', '120'], log: { path: 'transcript.jsonl', format: 'claude-code' } };

describe('a worker at its usage limit', () => {
  it('is "◷ limited" with its reset, counted apart in the header; c cancels the continue planned for the reset', async () => {
    const project = await cleanedProject('limited', [limitedWorker, tick('steady')], { ...HEALTH, recover: { afterLimit: true } });
    await startWorkers(project);
    const screen = openDashboard(project, 160, 30);

    const panel = await waitForPanel(screen, 'capped', /◷ limited/, 20_000);
    const [title = '', evidence = ''] = panel.text.split('\n');
    expect(title).toMatch(/^capped · app .*◷ limited$/);
    // The reset first, what muxctl will do then, then the agent's own words.
    // (cut where the panel ends: the worker's untracked transcript puts +1 −0 at the end of the line)
    expect(evidence).toMatch(/^usage limit · resets (\d{4}-\d\d-\d\d )?\d\d:\d\d · continues at \d\d:\d\d \(c cancels\) · You/);
    const reset = /resets (?:\d{4}-\d\d-\d\d )?(\d\d:\d\d)/.exec(evidence)?.[1];
    await screen.waitForText(new RegExp(`^ muxctl · limited · 2 workers · 1 limited until ${reset}`), { what: 'the header counting the limited worker with its reset' });
    expect(screen.text()).not.toMatch(/needs? you/);

    await waitForSelected(screen, 'capped');
    screen.write('c');
    await waitForPanel(screen, 'capped', 'continue cancelled (c sets it again)', 5_000);
    // One JSON object a line, as `events --follow` streams them.
    const lines = (await project.run(['events', '--about', 'capped', '--json'])).stdout.trim().split('\n');
    const cancelled = lines.map((line) => JSON.parse(line) as { action: string; reasons: string[] });
    expect(cancelled.filter((e) => e.action === 'cancel-continue').map((e) => e.reasons[0])).toEqual([`no "continue" after the usage limit resets at ${reset}`]);
  });

  it('stays limited, not crashed, when its process ends on the limit, and says how it ended', async () => {
    const project = await cleanedProject('limitexit', [limitedWorker], HEALTH);
    await startWorkers(project);
    const screen = openDashboard(project, 140, 30);
    await waitForPanel(screen, 'capped', /◷ limited/, 20_000);

    // As `claude -p` does at a limit: the process ends.
    tmux(project, 'send-keys', '-t', '=capped:', 'C-c');
    const ended = await waitForPanel(screen, 'capped', /killed by SIGINT|exit \d+/, 10_000);
    expect(ended.text.split('\n')[0]).toMatch(/◷ limited$/);
    expect(ended.text.split('\n')[1]).toMatch(/^usage limit · resets .* · You've hit your limit .* · (killed by SIGINT|exit \d+)/);
    expect(screen.text()).not.toMatch(/crashed|needs? you/);
  });
});
