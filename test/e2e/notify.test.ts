/**
 * End-to-end: desktop notifications (`alerts.desktop`). The BUILT dashboard in a real pty over real tmux,
 * with a FAKE `notify-send` first on its PATH that appends its argv (one JSON array a line) to a file.
 * - A worker that crashes: exactly one notification, with its name, "crashed" and the exit evidence,
 *   even with a second dashboard open (only the leader notifies).
 * - A secret in the evidence is masked in the argv, even under --no-redact; quotes and `$(…)` arrive
 *   as written (an argv, no shell).
 * - Two transitions of one worker within minIntervalSeconds: one notification (and two with 0).
 * - alerts.desktop false: none. No notify-send that fits (no graphical session): the OSC 777 escape.
 *
 * "None more came" is read off a witness: `hooks.onStateChange` is spawned in the same call as the
 * notification, right after it, and writes its line a second later; once the hook's line for a
 * transition is there, that transition's notification would be too.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectsCleanedUpAfterEach, startWorkers as up } from '../helpers/cli.js';
import type { TestProject } from '../helpers/project.js';
import { disposeAllPtys, type PtyScreen } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';
import { openDashboard, waitForPanel } from './dashboardScreen.js';

const HEALTH = { idleAfterSeconds: 1, stuckAfterSeconds: 60, settleMs: 200 };
const cleanedProject = projectsCleanedUpAfterEach({ first: disposeAllPtys });

interface Setup {
  p: TestProject;
  /** The fake notify-send's captures: one argv a call. */
  captured: () => string[][];
  /** The hook's lines, "<worker> <new state>", each written a second after its notification was spawned. */
  witnessed: () => string[];
  open: (extra?: { args?: string[]; env?: Record<string, string> }) => PtyScreen;
}

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

async function setup(label: string, workers: Array<{ name: string; command: string }>, alerts: Record<string, unknown>): Promise<Setup> {
  const p = await cleanedProject(label, [], {});
  const bin = join(p.repo.scratch, 'fake-bin');
  const captureFile = join(p.repo.scratch, 'notify-send.jsonl');
  const hookFile = join(p.repo.scratch, 'hook.log');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'notify-send'),
    `#!${process.execPath}\nrequire('node:fs').appendFileSync(${JSON.stringify(captureFile)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`,
  );
  chmodSync(join(bin, 'notify-send'), 0o755);
  await p.writeConfig({
    ...p.config,
    health: HEALTH,
    alerts: { bell: false, ...alerts },
    workers: workers.map((w) => ({ lane: 'app', ...w })),
    hooks: { onStateChange: `sleep 1; echo "$MUXCTL_WORKER $MUXCTL_NEW_STATE" >> '${hookFile}'` },
  });
  const open: Setup['open'] = (extra = {}) =>
    openDashboard(p, 160, 30, { args: extra.args ?? [], env: { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, DISPLAY: ':0', ...extra.env } });
  return { p, captured: () => lines(captureFile).map((line) => JSON.parse(line) as string[]), witnessed: () => lines(hookFile), open };
}

/** Waits until the hook has written `count` lines for `worker` (so every notification for them was spawned a second before). */
async function witness(s: Setup, worker: string, count: number): Promise<string[]> {
  return waitFor(() => {
    const mine = s.witnessed().filter((line) => line.startsWith(`${worker} `));
    return mine.length >= count && mine;
  }, { what: `${count} hook line(s) for ${worker}`, timeoutMs: 15_000, detail: () => `captured: ${JSON.stringify(s.captured())}` });
}

/** The dashboard has drawn its grid (every worker missing: nothing started yet). */
async function gridDrawn(screen: PtyScreen, names: string[]): Promise<void> {
  for (const name of names) await waitForPanel(screen, name, /\? missing/, 15_000);
}

describe('desktop notifications (alerts.desktop)', () => {
  it('a worker that crashes: exactly one notification, with its name, "crashed" and the exit evidence, though two dashboards are open', async () => {
    const s = await setup('crash', [{ name: 'crasher', command: 'sleep 3; exit 3' }], { desktop: true });
    const leader = s.open();
    await gridDrawn(leader, ['crasher']);
    const follower = s.open();
    await follower.waitForText(/watching \(dashboard pid \d+ acts\)/, { what: 'the second dashboard to say the first one acts' });
    await up(s.p);
    await waitForPanel(leader, 'crasher', /✖ exited 3/, 15_000);
    await witness(s, 'crasher', 1);
    expect(s.captured()).toEqual([['--app-name=muxctl', '--', 'muxctl crash: crasher crashed', expect.stringMatching(/^exit 3 at \d\d:\d\d:\d\d$/)]]);
  });

  it('a secret in the evidence is masked in the argv, even with --no-redact; quotes and $(…) arrive as written', async () => {
    const key = `sk-${randomBytes(30).toString('base64url').replace(/[-_]/g, 'x')}7`;
    const s = await setup('secret', [{ name: 'asker', command: `sleep 3; printf '%s [y/n] ' 'Allow Bash(echo "$(id)" ${key})?'; read answer; exec sleep 600` }], { desktop: true });
    const screen = s.open({ args: ['--no-redact'] });
    await gridDrawn(screen, ['asker']);
    await up(s.p);
    // --no-redact: the panel shows the key as written, the notification does not.
    await waitForPanel(screen, 'asker', key.slice(0, 30), 15_000);
    await witness(s, 'asker', 1);
    const captured = s.captured();
    expect(captured).toEqual([['--app-name=muxctl', '--', 'muxctl secret: asker waiting', 'asks: Allow Bash(echo "$(id)" sk-…[redacted])? [y/n]']]);
    expect(JSON.stringify(captured)).not.toContain(key.slice(3, 23));
  });

  it.each([
    [60, ['waiting']],
    [0, ['waiting', 'crashed']],
  ])('two transitions of one worker with minIntervalSeconds %i: notified for %j', async (minIntervalSeconds, states) => {
    const s = await setup(`throttle${minIntervalSeconds}`, [{ name: 'flaky', command: `sleep 3; printf 'Proceed? [y/n] '; sleep 3; exit 3` }], { desktop: true, minIntervalSeconds });
    const screen = s.open();
    await gridDrawn(screen, ['flaky']);
    await up(s.p);
    await waitForPanel(screen, 'flaky', /◐ waiting/, 15_000);
    await waitForPanel(screen, 'flaky', /✖ exited 3/, 15_000);
    expect(await witness(s, 'flaky', 2)).toEqual(['flaky waiting', 'flaky crashed']);
    expect(s.captured().map((argv) => argv[2])).toEqual(states.map((state) => `muxctl throttle${minIntervalSeconds}: flaky ${state}`));
  });

  it('with alerts.desktop false the same crash sends none', async () => {
    const s = await setup('off', [{ name: 'crasher', command: 'sleep 3; exit 3' }], { desktop: false });
    const screen = s.open();
    await gridDrawn(screen, ['crasher']);
    await up(s.p);
    await waitForPanel(screen, 'crasher', /✖ exited 3/, 15_000);
    await witness(s, 'crasher', 1);
    expect(s.captured()).toEqual([]);
  });

  it('where notify-send cannot reach a desktop (no DISPLAY), the terminal gets the OSC 777 escape instead', async () => {
    const s = await setup('osc', [{ name: 'crasher', command: 'sleep 3; exit 3' }], { desktop: true });
    const screen = s.open({ env: { DISPLAY: '' } });
    await gridDrawn(screen, ['crasher']);
    await up(s.p);
    await waitForPanel(screen, 'crasher', /✖ exited 3/, 15_000);
    await witness(s, 'crasher', 1);
    // eslint-disable-next-line no-control-regex
    expect(screen.output.match(/\x1b\]777;notify;[^\x07]*\x07/g)).toEqual([expect.stringMatching(/^\x1b\]777;notify;muxctl osc: crasher crashed;exit 3 at \d\d:\d\d:\d\d\x07$/)]);
    expect(s.captured()).toEqual([]);
  });
});
