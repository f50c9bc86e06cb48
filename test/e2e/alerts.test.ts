/**
 * End-to-end: alerts and secrets. The BUILT dashboard in a real pty over real tmux and git.
 * - `hooks.onStateChange` runs, with MUXCTL_WORKER / _OLD_STATE / _NEW_STATE / _EVIDENCE, when a worker
 *   becomes waiting, crashed or stuck (and not for the calmer changes); not for a worker that was
 *   already stuck when the dashboard opened.
 * - The terminal bell (BEL in the raw pty output) rings when a worker crashes, and not with `alerts.bell: false`.
 * - Secrets a worker logs, or prints on its screen, are masked in the panel, the log view and the
 *   preview; `--no-redact` shows them as written.
 *
 * Most tests open the dashboard BEFORE `muxctl up`: alerts are for changes it sees, never for the
 * states it finds at start, so starting the workers under its eyes makes every change one it must report.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keymap } from '../../src/core/views/keymap.js';
import { projectsCleanedUpAfterEach, startWorkers as up } from '../helpers/cli.js';
import { MUXCTL_BIN, type TestProject, type WorkerJson } from '../helpers/project.js';
import { disposeAllPtys, spawnInPty, type PtyScreen } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';
import { badgeOf, openDashboard, waitForPanel, waitForScreen } from './dashboardScreen.js';

const HEALTH = { idleAfterSeconds: 1, stuckAfterSeconds: 2, settleMs: 200 };

const cleanedProject = projectsCleanedUpAfterEach({ first: disposeAllPtys });

function project(label: string, workers: WorkerJson[], extra: Record<string, unknown>): Promise<TestProject> {
  return cleanedProject(label, workers, { health: HEALTH, ...extra });
}

/** The dashboard has drawn its grid (every worker missing: nothing started yet). */
async function gridDrawn(screen: PtyScreen, names: string[]): Promise<void> {
  for (const name of names) await waitForPanel(screen, name, /\? missing/, 15_000);
}

/** BEL characters in raw output that ring the bell: not the ones ending an OSC sequence (a title, a link). */
function bells(output: string): number {
  // eslint-disable-next-line no-control-regex
  return (output.replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '').match(/\x07/g) ?? []).length;
}

/** A command that appends muxctl event lines to its event log, then sleeps in silence. */
async function writesEvents(p: TestProject, name: string, events: Array<Record<string, unknown>>): Promise<string> {
  const file = join(p.repo.scratch, `${name}.jsonl`);
  await writeFile(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return `mkdir -p "$(dirname "$MUXCTL_AGENT_LOG")"; cat '${file}' >> "$MUXCTL_AGENT_LOG"; exec sleep 600`;
}

describe('alerts: a hook and the bell when a worker needs you', () => {
  it('hooks.onStateChange runs with worker, old state, new state and evidence for waiting, crashed and stuck', async () => {
    const p = await project('hook', [], {});
    const hookLog = join(p.repo.scratch, 'hook.log');
    const stuck = await writesEvents(p, 'stucker', [{ type: 'prompt', text: 'Run the tests' }, { type: 'tool_start', tool: 'Bash', text: 'Bash npm test' }]);
    await p.writeConfig({
      ...p.config,
      workers: [
        // Past the 2 s "starting" grace first, so each change is from a live state the dashboard showed.
        { name: 'asker', lane: 'app', command: `sleep 3; printf '? Allow Bash(rm -rf build)? [y/n] '; read answer; exec sleep 600` },
        { name: 'crasher', lane: 'app', command: `sleep 3; echo 'Error: out of memory' >&2; exit 3` },
        { name: 'stucker', lane: 'app', command: stuck },
      ],
      hooks: { onStateChange: `echo "$MUXCTL_WORKER $MUXCTL_OLD_STATE $MUXCTL_NEW_STATE $MUXCTL_EVIDENCE" >> '${hookLog}'` },
    });
    const screen = openDashboard(p, 160, 30);
    await gridDrawn(screen, ['asker', 'crasher', 'stucker']);
    await up(p);

    await waitForPanel(screen, 'asker', /◐ waiting/, 15_000);
    await waitForPanel(screen, 'crasher', /✖ exited 3/, 15_000);
    await waitForPanel(screen, 'stucker', /⚠ stuck/, 15_000);
    const lines = await waitFor(
      () => {
        const text = existsSync(hookLog) ? readFileSync(hookLog, 'utf8') : '';
        const all = text.split('\n').filter(Boolean);
        return ['asker', 'crasher', 'stucker'].every((w) => all.some((l) => l.startsWith(`${w} `))) && all;
      },
      { what: 'a hook line for each of asker, crasher and stucker', timeoutMs: 10_000 },
    );
    const byWorker = (w: string) => lines.filter((l) => l.startsWith(`${w} `));
    expect(byWorker('asker')).toEqual([expect.stringMatching(/^asker (?:running|working|idle) waiting asks: Allow Bash\(rm -rf build\)\? \[y\/n\]$/)]);
    expect(byWorker('crasher')).toEqual([expect.stringMatching(/^crasher (?:running|working|idle) crashed exit 3 at \d\d:\d\d:\d\d$/)]);
    expect(byWorker('stucker')).toEqual([expect.stringMatching(/^stucker (?:starting|working) stuck no output for <1m · running Bash$/)]);
    // Only the states worth interrupting the person for: never "working", "idle" or "exited".
    for (const line of lines) expect(line.split(' ')[2]).toMatch(/^(?:waiting|crashed|stuck)$/);
  });

  it('a worker already stuck when the dashboard opens is shown stuck from the start, with no bell and no hook for it', async () => {
    // Alerts are for changes the dashboard sees; a state that held before it opened is not news.
    const p = await project('found-stuck', [], {});
    const hookLog = join(p.repo.scratch, 'hook.log');
    // Written by the worker's own process as it starts (a log line from before its start would be an
    // older process's, which no longer counts: process epochs), then quiet.
    const command = await writesEvents(p, 'stucker', [
      { type: 'prompt', text: 'Run the tests' },
      { type: 'tool_start', tool: 'Bash', text: 'Bash npm test' },
    ]);
    await p.writeConfig({
      ...p.config,
      workers: [{ name: 'stucker', lane: 'app', command }],
      hooks: { onStateChange: `echo "$MUXCTL_WORKER $MUXCTL_OLD_STATE $MUXCTL_NEW_STATE" >> '${hookLog}'` },
    });
    await up(p);
    // The threshold under test: the pane is quiet past the 2 s starting grace and the 2 s stuck limit
    // before anyone looks.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const screen = openDashboard(p, 120, 30);
    const seen: string[] = [];
    await waitForScreen(screen, () => {
      const badge = badgeOf(screen, 'stucker');
      if (badge !== null && seen.at(-1) !== badge) seen.push(badge);
      return badge === '⚠ stuck';
    }, 'stucker to show stuck', 10_000);
    expect.soft(seen, 'every badge the panel showed, in order').toEqual(['⚠ stuck']);
    // The bell is written as an alert fires, before the frame that shows it, and the hook is spawned in
    // the same call: no bell by now means no alert (the hook line, written by a detached shell, may lag).
    expect.soft(bells(screen.output), 'bells rung').toBe(0);
    expect.soft(existsSync(hookLog) ? readFileSync(hookLog, 'utf8') : '', 'hook lines').toBe('');
  });

  it('the bell rings (BEL on the terminal) when a worker crashes', async () => {
    const p = await project('bell', [{ name: 'crasher', command: 'sleep 3; exit 3' }], {});
    const screen = openDashboard(p, 120, 30);
    await gridDrawn(screen, ['crasher']);
    await up(p);
    await waitForPanel(screen, 'crasher', /● (?:running|working)|○ idle/, 15_000);
    expect(bells(screen.output), 'no bell while it runs').toBe(0);
    await waitForPanel(screen, 'crasher', /✖ exited 3/, 15_000);
    // The bell is written as the alert fires, before the frame that shows the crash.
    expect(bells(screen.output)).toBe(1);
  });

  it('with alerts.bell: false the same crash shows, and no bell rings', async () => {
    const p = await project('nobell', [{ name: 'crasher', command: 'sleep 3; exit 3' }], { alerts: { bell: false } });
    const screen = openDashboard(p, 120, 30);
    await gridDrawn(screen, ['crasher']);
    await up(p);
    await waitForPanel(screen, 'crasher', /✖ exited 3/, 15_000);
    // The bell would be written as the alert fires, before the frame that shows the crash: none came.
    expect(bells(screen.output)).toBe(0);
  });
});

describe('secrets stay out of what muxctl shows', () => {
  // Built here, never written down: random bodies in the shapes of an Anthropic key and a GitHub token.
  const anthropicBody = `api03-${randomBytes(30).toString('base64url')}`;
  const githubBody = randomBytes(27).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 36);
  const anthropicKey = `sk-ant-${anthropicBody}`;
  const githubToken = `ghp_${githubBody}`;
  const message = `calling the API with ${anthropicKey} and GITHUB_TOKEN=${githubToken} now`;
  const secretParts = [anthropicBody.slice(6, 26), githubBody.slice(0, 20)];

  async function logsASecret(label: string): Promise<TestProject> {
    const p = await project(label, [], {});
    const command = await writesEvents(p, 'leaky', [{ type: 'prompt', text: 'Open a PR' }, { type: 'message', text: message }]);
    await p.writeConfig({ ...p.config, workers: [{ name: 'leaky', lane: 'app', command }] });
    await up(p);
    return p;
  }

  const openLog = keymap.find((b) => b.action === 'openLog')?.keys[0];
  const logKey = openLog?.kind === 'char' ? openLog.char : 'l';
  const openPreview = keymap.find((b) => b.action === 'openPreview')?.keys[0];
  const previewKey = openPreview?.kind === 'char' ? openPreview.char : 'p';

  it('a key and a token in a logged message are masked in the panel and the log view', async () => {
    const p = await logsASecret('redact');
    const screen = openDashboard(p, 200, 30);
    const panel = await waitForPanel(screen, 'leaky', 'calling the API', 15_000);
    expect(panel.text).toContain('calling the API with sk-ant-…[redacted] and GITHUB_TOKEN=ghp_…[redacted] now');
    for (const part of secretParts) expect(screen.text()).not.toContain(part);

    screen.write(logKey);
    await screen.waitForText(/^leaky · .*log · /m, { what: 'the log view of leaky' });
    await screen.waitForText('“ calling the API with sk-ant-…[redacted] and GITHUB_TOKEN=ghp_…[redacted] now');
    for (const part of secretParts) expect(screen.text()).not.toContain(part);
    for (const part of secretParts) expect(screen.output).not.toContain(part);
  });

  it('with --no-redact the panel and the log view show them as written', async () => {
    const p = await logsASecret('noredact');
    const screen = spawnInPty('node', [MUXCTL_BIN, '--config', p.configFile, '--no-redact'], { cols: 200, rows: 30, cwd: p.repo.path });
    const panel = await waitForPanel(screen, 'leaky', 'calling the API', 15_000);
    expect(panel.text).toContain(message);
    screen.write(logKey);
    await screen.waitForText(`“ ${message}`);
  });

  it('a secret the worker prints on its screen is masked in the panel, the log view and the preview', async () => {
    const p = await project('screen-secret', [], {});
    await p.writeConfig({ ...p.config, workers: [{ name: 'echoer', lane: 'app', command: `echo 'export ANTHROPIC_API_KEY=${anthropicKey}'; echo 'done echoing'; exec sleep 600` }] });
    // Opened first: the log view reads a worker's screen capture from where the dashboard found it.
    const screen = openDashboard(p, 160, 30);
    await gridDrawn(screen, ['echoer']);
    await up(p);
    await waitForPanel(screen, 'echoer', 'done echoing', 15_000);
    const panel = await waitForPanel(screen, 'echoer', 'export ANTHROPIC_API_KEY=', 5_000);
    // Soft: each place is reported on its own, so one leak does not hide whether the others mask.
    expect.soft(panel.text, 'the panel').not.toContain(secretParts[0]);
    expect.soft(panel.text, 'the panel').toContain('export ANTHROPIC_API_KEY=sk-ant-…[redacted]');

    screen.write(logKey);
    await screen.waitForText(/scr . export ANTHROPIC_API_KEY=/, { what: 'the screen line in the log view' });
    expect.soft(screen.text(), 'the log view').not.toContain(secretParts[0]);
    expect.soft(screen.text(), 'the log view').toContain('export ANTHROPIC_API_KEY=sk-ant-…[redacted]');

    screen.write(previewKey);
    await screen.waitForText(/^echoer · .*live screen/m, { what: 'the preview of echoer' });
    await screen.waitForText('done echoing');
    expect.soft(screen.text(), 'the preview').not.toContain(secretParts[0]);
    expect.soft(screen.text(), 'the preview').toContain('export ANTHROPIC_API_KEY=sk-ant-…[redacted]');
  });
});
