/**
 * End-to-end: the grid tells the truth about each worker, with evidence. The BUILT dashboard in a real
 * pty, real tmux (a private socket per project) and real git; workers are the demo agent or small shell
 * commands that write muxctl's own event lines to $MUXCTL_AGENT_LOG, so each state is caused on purpose:
 * waiting (a y/n question on the screen) and answered, exited 0, crashed with its error, stuck (a tool
 * started, then silence), idle (a turn done, then quiet), working without flicker; and the panel's facts
 * and the `l` log view read from the worker's own events.
 *
 * Thresholds are small (settle 200 ms, idle after 1 s, stuck after 2 s) so every state shows in seconds.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keymap, type Action } from '../../src/core/views/keymap.js';
import { projectsCleanedUpAfterEach, startWorkers } from '../helpers/cli.js';
import type { TestProject, WorkerJson } from '../helpers/project.js';
import { disposeAllPtys } from '../helpers/pty.js';
import { badgeOf, escapeRegExp, openDashboard, tmux, waitForPanel, waitForScreen } from './dashboardScreen.js';

const HEALTH = { health: { idleAfterSeconds: 1, stuckAfterSeconds: 2, settleMs: 200 } };

const cleanedProject = projectsCleanedUpAfterEach({ first: disposeAllPtys });

/** A project with the small health thresholds, its workers started by `muxctl up`. */
async function startedProject(label: string, workers: WorkerJson[], extra: Record<string, unknown> = HEALTH): Promise<TestProject> {
  const project = await cleanedProject(label, workers, extra);
  await startWorkers(project);
  return project;
}

/** The first key the keymap binds to `action` in the log view: the test presses what a person reads in `?`. */
function logViewKey(action: Action): string {
  const spec = keymap.find((b) => b.action === action && b.views.includes('log'))?.keys.find((k) => k.kind === 'char');
  if (spec?.kind !== 'char') throw new Error(`the keymap has no character key for ${action} in the log view`);
  return spec.char;
}
function gridKey(action: Action): string {
  const spec = keymap.find((b) => b.action === action && b.views.includes('grid'))?.keys.find((k) => k.kind === 'char');
  if (spec?.kind !== 'char') throw new Error(`the keymap has no character key for ${action} in the grid`);
  return spec.char;
}

/** A command that appends muxctl event lines (written by the test to `file`) to its event log, then sleeps. */
function writesEvents(file: string): string {
  return `mkdir -p "$(dirname "$MUXCTL_AGENT_LOG")"; cat '${file}' >> "$MUXCTL_AGENT_LOG"; exec sleep 600`;
}

async function eventFile(project: TestProject, name: string, events: Array<Record<string, unknown> | string>): Promise<string> {
  const file = join(project.repo.scratch, `${name}.jsonl`);
  await writeFile(file, events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n') + '\n');
  return file;
}

describe('health: what each panel says, and how it knows', () => {
  it('the demo agent asking y/n is "◐ waiting" with the question as evidence, counted as needing you; answering makes it work again', async () => {
    const project = await startedProject('asks', [{ name: 'asker', command: 'muxctl-demo-agent --profile asks --speed 0.2' }]);
    const screen = openDashboard(project, 140, 30);

    const waiting = await waitForPanel(screen, 'asker', /◐ waiting/, 20_000);
    // The question as the person would read it on the worker's screen: "asks: Allow Bash(npm install)? [y/n]".
    const evidence = await waitForPanel(screen, 'asker', /asks: Allow Bash\([^)]+\)\? \[y\/n\]/, 5_000);
    expect(waiting.text.split('\n')[0]).toMatch(/^asker · app .*◐ waiting$/);
    expect(evidence.text.split('\n')[1]).toMatch(/^asks: Allow Bash\([^)]+\)\? \[y\/n\]/);
    await screen.waitForText(/^ muxctl · asks · 1 worker · 1 needs you/, { what: 'the header counting the waiting worker under "needs you"' });

    // Answer it in its pane, as a person attached to it would.
    tmux(project, 'send-keys', '-t', '=asker:', 'y', 'Enter');
    await waitForPanel(screen, 'asker', /● working/, 10_000);
    await screen.waitForNoText('needs you', { what: 'the header to stop counting it once answered', timeoutMs: 5_000 });
  });

  it('a question answered in the pane stops being "waiting" though it is still among the last screen lines, when the worker\'s own events say it moved on', async () => {
    // Like Aider's "Run shell command? (Y)es/(N)o" or any CLI y/n prompt: the answered question stays
    // on the screen while the command it allowed runs quietly. The worker's events say so (answer, tool start).
    const project = await cleanedProject('answered', [], HEALTH);
    const after = await eventFile(project, 'after', [{ type: 'answer', ok: true, text: 'y' }, { type: 'tool_start', tool: 'Bash', text: 'Bash make deploy' }]);
    const command = `printf '? Allow Bash(make deploy)? [y/n] '; read answer; echo "deploying..."; cat '${after}' >> "$MUXCTL_AGENT_LOG"; exec sleep 600`;
    await project.writeConfig({ ...project.config, workers: [{ name: 'deployer', lane: 'app', command }] });
    await startWorkers(project);
    const screen = openDashboard(project, 120, 30);
    await waitForPanel(screen, 'deployer', /◐ waiting/, 15_000);
    await waitForPanel(screen, 'deployer', 'asks: Allow Bash(make deploy)? [y/n]');

    tmux(project, 'send-keys', '-t', '=deployer:', 'y', 'Enter');
    await waitForPanel(screen, 'deployer', '▸ Bash make deploy', 5_000);
    // Working on the tool, or stuck on it once 2 s pass in silence: anything but still asking.
    await waitForPanel(screen, 'deployer', /● working|⚠ stuck/, 5_000);
  });

  it('a quick run ends "✔ exited 0"; a flaky one "✖ exited 3" with its error on the panel', async () => {
    const project = await startedProject('endings', [
      { name: 'quick', command: 'muxctl-demo-agent --profile quick --speed 0.05' },
      { name: 'flaky', command: 'muxctl-demo-agent --profile flaky --speed 0.05' },
    ]);
    const screen = openDashboard(project, 160, 30);

    const quick = await waitForPanel(screen, 'quick', /✔ exited 0/, 20_000);
    expect(quick.text.split('\n')[1]).toMatch(/^exit 0 at \d\d:\d\d:\d\d/);

    const flaky = await waitForPanel(screen, 'flaky', /✖ exited 3/, 20_000);
    expect(flaky.text.split('\n')[1]).toMatch(/^exit 3 at \d\d:\d\d:\d\d/);
    // The error it died with: on its last screen lines and counted from its event log.
    const crashed = await waitForPanel(screen, 'flaky', /Error: Cannot find module 'left-pad'|Error: ENOSPC|TypeError: Cannot read properties/, 5_000);
    expect(crashed.text).toMatch(/\b1 error\b/);
  });

  it('a tool started and then silence is "⚠ stuck" with how long and which tool; a finished turn then quiet is "○ idle"', async () => {
    const project = await cleanedProject('stuck-idle', [], HEALTH);
    const stuckEvents = await eventFile(project, 'stuck', [{ type: 'prompt', text: 'Run the tests' }, { type: 'tool_start', tool: 'Bash', text: 'Bash npm test' }]);
    const idleEvents = await eventFile(project, 'idle', [{ type: 'prompt', text: 'Tidy the README' }, { type: 'result', text: 'Tidy the README' }]);
    await project.writeConfig({
      ...project.config,
      workers: [
        { name: 'stucker', lane: 'app', command: writesEvents(stuckEvents) },
        { name: 'idler', lane: 'app', command: writesEvents(idleEvents) },
      ],
    });
    await startWorkers(project);
    const screen = openDashboard(project, 160, 30);

    const stuck = await waitForPanel(screen, 'stucker', /⚠ stuck/, 15_000);
    expect(stuck.text.split('\n')[1]).toMatch(/^no output for <1m · running Bash\b/);
    const idle = await waitForPanel(screen, 'idler', /○ idle/, 15_000);
    expect(idle.text.split('\n')[1]).toMatch(/^turn done · quiet for <1m\b/);
  });

  it('a worker printing every 0.3 s stays "● working" for 5 s of screen samples, never flickering to idle (idle after 1 s)', async () => {
    const project = await startedProject('steady', [{ name: 'busy', command: 'while :; do echo "busy $(date +%s%N)"; sleep 0.3; done' }]);
    const screen = openDashboard(project, 120, 30);
    await waitForPanel(screen, 'busy', /● working/, 15_000);

    const seen = new Map<string, number>();
    let unreadable = 0;
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      const badge = badgeOf(screen, 'busy');
      if (badge === null) unreadable++;
      else seen.set(badge, (seen.get(badge) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(Object.fromEntries(seen), 'every sample of the badge over 5 s').toEqual({ '● working': expect.any(Number) });
    expect(seen.get('● working')).toBeGreaterThanOrEqual(30);
    expect(unreadable, 'samples that landed mid-redraw').toBeLessThan(10);
  });

  it('the panel shows task, last tool, last message, tokens and cost from the worker\'s events; a malformed line is counted; l lists the events in order and e hides info lines', async () => {
    const project = await cleanedProject('facts', [], HEALTH);
    const file = await eventFile(project, 'facts', [
      { type: 'prompt', text: 'Fix the login redirect' },
      { type: 'tool_start', tool: 'Edit', text: 'Edit src/auth/login.ts' },
      { type: 'tool_end', tool: 'Edit', ok: true, text: '+12 -3' },
      'this line is not JSON {',
      { type: 'heartbeat' },
      { type: 'message', text: 'Patched the redirect; tests next.' },
      { type: 'result', ok: true, text: 'Fix the login redirect', tokens: { input: 3_200, output: 400 }, costUsd: 0.0156 },
    ]);
    await project.writeConfig({ ...project.config, workers: [{ name: 'facts', lane: 'app', command: writesEvents(file) }] });
    await startWorkers(project);
    const screen = openDashboard(project, 140, 30);

    const panel = await waitForPanel(screen, 'facts', '1 unreadable', 15_000);
    expect(panel.text).toMatch(/^▶ Fix the login redirect\s*$/m);
    expect(panel.text).toMatch(/^✓ Edit src\/auth\/login\.ts\s*$/m);
    expect(panel.text).toMatch(/^“Patched the redirect; tests next\.”\s*$/m);
    // 3 200 + 400 tokens; $0.0156 shown to the cent.
    expect(panel.text).toMatch(/^3\.6k tok · \$0\.02 · 1 unreadable · active <1m ago\s*$/m);
    // The dashboard is alive and still drawing after the bad line.
    await waitForPanel(screen, 'facts', /○ idle/, 10_000);

    screen.write(gridKey('openLog'));
    await screen.waitForText(/^facts · .* · log · \d+ lines · following/m, { what: 'the log view of facts' });
    const order = [/▶ Fix the login redirect/, /▸ Edit Edit src\/auth\/login\.ts/, /✓ Edit \+12 -3/, /! unreadable line/, /♥ heartbeat/, /“ Patched the redirect/, /◆ Fix the login redirect/];
    let lines: string[] = [];
    await waitForScreen(screen, () => {
      lines = screen.lines();
      return order.every((re) => lines.some((l) => re.test(l)));
    }, 'every event in the log view');
    const at = order.map((re) => lines.findIndex((l) => re.test(l)));
    expect(at, `event rows in the log view:\n${lines.join('\n')}`).toEqual([...at].sort((a, b) => a - b));
    expect(lines.find((l) => /▶ Fix the login/.test(l))).toMatch(/^\d\d:\d\d:\d\d evt ▶ /);

    // The level filter: the keymap's key, once → info and up (the heartbeat goes), again → warn and up (info goes).
    const level = logViewKey('cycleLevel');
    screen.write(level);
    await screen.waitForText('level ≥ info');
    await screen.waitForNoText('♥ heartbeat');
    screen.write(level);
    await screen.waitForText('level ≥ warn');
    await screen.waitForNoText(/▶ Fix the login redirect|“ Patched the redirect|▸ Edit/, { what: 'info lines hidden at level ≥ warn' });
    expect(screen.text()).toMatch(new RegExp(`! ${escapeRegExp('unreadable line')}`));
  });
});
