/**
 * recover.afterLimit: a worker that hit its usage limit is sent "continue" once its reset time has
 * passed, once per limit, never when the person cancelled it, never twice (not even by a dashboard
 * opened again), and each step is a board event with its reason. A real tmux server running a stand-in
 * agent that reads its prompt, the real store; the clock is the test's, so a reset two hours away passes
 * at once. What reads the limit off the agent's log is the unit and end-to-end tests' business.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AfterLimit } from '../../src/control/afterLimit.js';
import type { WorkerSnapshot } from '../../src/core/rules/snapshot.js';
import { CONTINUE_AFTER_RESET_MS } from '../../src/core/rules/limits.js';
import { projectsCleanedUpAfterEach, screen, screenShows, startWorkers } from '../helpers/cli.js';
import { PERSON, servicesClosedAfterEach } from '../helpers/services.js';

const project = projectsCleanedUpAfterEach();
const open = servicesClosedAfterEach();
const AGENT = join(import.meta.dirname, '..', 'helpers', 'limitedAgent.mjs');

const resetsAt = Date.UTC(2026, 11, 2, 18, 0);

/** The worker as the observer shows it while its limit holds. */
function limited(name: string): WorkerSnapshot {
  return {
    name,
    lane: 'app',
    health: { state: 'limited', badge: 'limited', evidence: 'usage limit · resets 18:00', since: resetsAt - 3_600_000, until: resetsAt },
    upSince: resetsAt - 3_600_000,
    screen: [],
    worktree: '',
    command: 'node',
    restarts: null,
    summary: null,
  };
}
/** The same worker after the reset: at its prompt, its log still saying the limit it hit. */
function afterReset(name: string): WorkerSnapshot {
  const w = limited(name);
  const summary = { prompt: 'fix the login redirect', tool: null, outcome: { ok: false, text: 'turn stopped by an API error (rate_limit, HTTP 429)' }, message: null, tokens: null, costUsd: null, errors: 1, lastError: null, malformed: 0, lastActiveAt: resetsAt - 3_600_000, checkpoint: null, status: null };
  const limit = { text: "You've hit your limit · resets Dec 2 at 10am (America/Los_Angeles)", resetsAt, at: resetsAt - 3_600_000 };
  return { ...w, health: { state: 'idle', badge: 'idle', evidence: 'limit reset 18:00 · turn failed · quiet for 1m', since: resetsAt }, summary: { ...summary, limit } };
}

async function limitedProject(label: string, afterLimit: boolean) {
  const p = await project(label, [{ name: 'w1', command: ['node', AGENT, '--log', 'transcript.jsonl'] }], { recover: { afterLimit } });
  await startWorkers(p);
  await screenShows(p.socket, 'w1', "You've hit your limit");
  return p;
}

describe('continue after a usage limit (recover.afterLimit)', () => {
  it('sends "continue" once the reset has passed, once, and records it; a dashboard opened again sends nothing', async () => {
    const p = await limitedProject('afterlimit', true);
    const services = await open(p.configFile);
    let now = resetsAt - 30 * 60_000;
    const after = new AfterLimit({ config: services.config, tmux: services.tmux, store: services.store, now: () => now });

    expect(after.planText('w1', resetsAt)).toBe(`continues at ${new Date(resetsAt + CONTINUE_AFTER_RESET_MS).toTimeString().slice(0, 5)} (c cancels)`);
    expect(await after.tick([limited('w1')])).toEqual([]);

    now = resetsAt + CONTINUE_AFTER_RESET_MS;
    const [sent, ...more] = await after.tick([afterReset('w1')]);
    expect(more).toEqual([]);
    expect(sent).toMatchObject({ worker: 'w1', ok: true });
    // The answer reached the agent: it read "continue" at its prompt and carried on.
    await screenShows(p.socket, 'w1', 'heard: continue. Picking up where I left off.');
    const recorded = services.store.events({ about: 'w1' }).filter((e) => e.action === 'continue');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.reasons[0]).toMatch(/^usage limit reset at \d\d:\d\d: sent "continue" \(recover\.afterLimit\)$/);

    // Later ticks, and another dashboard's AfterLimit over the same store, send nothing more.
    now += 5 * 60_000;
    expect(await after.tick([afterReset('w1')])).toEqual([]);
    const reopened = new AfterLimit({ config: services.config, tmux: services.tmux, store: services.store, now: () => now });
    expect(await reopened.tick([afterReset('w1')])).toEqual([]);
    expect(reopened.planText('w1', resetsAt)).toBe('"continue" sent');
    expect((await screen(p.socket, 'w1')).match(/heard: continue/g)).toHaveLength(1);
  });

  it('c cancels it (recorded with who and why), c again sets it again; off by default, nothing is sent', async () => {
    const p = await limitedProject('cancellimit', true);
    const services = await open(p.configFile);
    let now = resetsAt - 60_000;
    const after = new AfterLimit({ config: services.config, tmux: services.tmux, store: services.store, now: () => now });

    expect(after.toggle(limited('w1'), PERSON)).toBe('w1: continue cancelled (c sets it again)');
    now = resetsAt + 2 * CONTINUE_AFTER_RESET_MS;
    expect(await after.tick([afterReset('w1')])).toEqual([]);
    const cancel = services.store.events({ about: 'w1' }).find((e) => e.action === 'cancel-continue');
    expect(cancel).toMatchObject({ subject: 'w1', actor: { kind: 'person', name: 'test' } });
    expect(cancel?.reasons[0]).toMatch(/^no "continue" after the usage limit resets at \d\d:\d\d$/);

    expect(after.toggle(afterReset('w1'), PERSON)).toBe('w1: continuing now');
    expect(services.store.events({ about: 'w1' }).some((e) => e.action === 'plan-continue')).toBe(true);
    expect((await after.tick([afterReset('w1')]))[0]).toMatchObject({ ok: true });
    await screenShows(p.socket, 'w1', 'heard: continue.');

    const off = await limitedProject('offlimit', false);
    const offServices = await open(off.configFile);
    const never = new AfterLimit({ config: offServices.config, tmux: offServices.tmux, store: offServices.store, now: () => resetsAt + 10 * CONTINUE_AFTER_RESET_MS });
    expect(never.planText('w1', resetsAt)).toBeNull();
    expect(await never.tick([afterReset('w1')])).toEqual([]);
    expect(never.toggle(limited('w1'), PERSON)).toBe('w1: recover.afterLimit is off: muxctl sends nothing after a limit');
    expect(await screen(off.socket, 'w1')).not.toContain('heard:');
  });
});
