/**
 * Messages to workers (issue 12): `muxctl send` types a message into an agent at its prompt and sees it
 * arrive; a busy worker gets it when it is next at its prompt; one whose process died before the message
 * showed gets it after its restart; a worker can message another (never itself, a few a minute); every
 * step is an event with its sender. A real tmux server, the built CLI, the store; the leader's delivery
 * (Messenger.tick) driven by the test with the observer's real snapshots.
 */
import { describe, expect, it } from 'vitest';
import type { Services } from '../../src/app/services.js';
import { projectsCleanedUpAfterEach, screen, screenShows, startWorkers, statusJson, tmux } from '../helpers/cli.js';
import type { WorkerJson } from '../helpers/project.js';
import { servicesClosedAfterEach } from '../helpers/services.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();
const open = servicesClosedAfterEach();

/** An agent at its prompt: reads lines and answers each. */
const listener = (name: string, lane = 'app'): WorkerJson => ({ name, lane, command: `echo ${name}-ready; while IFS= read -r line; do echo "heard: $line"; done` });
/** An agent busy for a while (its screen changing), then at its prompt. */
const busyThenListening = (name: string, file: string): WorkerJson => ({
  name,
  command: `while [ ! -e '${file}' ]; do echo "working $(date +%s%N)"; sleep 0.3; done; clear; echo at-prompt; while IFS= read -r line; do echo "heard: $line"; done`,
});

const actions = (services: Services, worker: string) => services.store.events({ about: worker }).filter((e) => e.action.startsWith('message-')).map((e) => `${e.action} (${e.actor.kind}${e.actor.name ? ` ${e.actor.name}` : ''}): ${e.reasons.join('; ')}`);

/** Until tmux says the worker's screen has been still for `ms` (an agent at its prompt, as muxctl judges it). */
async function screenStill(socket: string, name: string, ms = 3_100): Promise<void> {
  await waitFor(
    async () => {
      const activity = Number((await tmux(socket, 'display-message', '-p', '-t', `=${name}:`, '#{window_activity}')).stdout.trim());
      return activity > 0 && Date.now() - activity * 1000 >= ms;
    },
    { what: `${name}'s screen still for ${ms} ms`, timeoutMs: 15_000 },
  );
}

/** The leader's turn, as a dashboard would take it each tick, until `done` holds. */
async function deliverUntil(services: Services, done: () => Promise<boolean> | boolean, what: string): Promise<void> {
  await waitFor(
    async () => {
      await services.messenger.tick(await services.observer.observe(8));
      return done();
    },
    { what, timeoutMs: 20_000 },
  );
}

describe('muxctl send', () => {
  it('types the message into an agent at its prompt, sees it arrive, and records who sent it', async () => {
    const p = await project('send', [listener('w1')]);
    await startWorkers(p);
    await screenShows(p.socket, 'w1', 'w1-ready');
    // At its prompt means its screen held still a moment.
    await screenStill(p.socket, 'w1');
    const sent = await p.run(['send', 'w1', 'Please rebase on main before you push.']);
    expect(sent.exitCode, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^✔ w1: delivered: Please rebase on main before you push\.$/m);
    await screenShows(p.socket, 'w1', 'heard: Please rebase on main before you push.');
    const services = await open(p.configFile);
    expect(actions(services, 'w1')).toEqual([
      'message-waiting (person cli): #1 from person cli: Please rebase on main before you push.',
      'message-delivered (person cli): #1 from person cli: Please rebase on main before you push.',
    ]);
  });

  it('a busy worker: --now refuses and stores nothing; without it the message waits, shown as waiting, and arrives once it is at its prompt', async () => {
    const p = await project('sendbusy', []);
    const ready = `${p.repo.scratch}/ready`;
    await p.writeConfig({ ...p.config, workers: [{ lane: 'app', ...busyThenListening('w1', ready) }] });
    await startWorkers(p);
    await screenShows(p.socket, 'w1', 'working');
    // Past its start: what keeps it from its prompt is its work, not its starting.
    await waitFor(async () => ['running', 'working'].includes((await statusJson(p)).find((w) => w.name === 'w1')?.health.state ?? ''), { what: 'w1 past its start', timeoutMs: 10_000 });

    const refused = await p.run(['send', 'w1', 'stop and commit', '--now']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^✖ w1: not sent \(--now\): w1's screen is still changing$/m);
    const services = await open(p.configFile);
    expect(services.messenger.waitingCounts()).toEqual({});

    const queued = await p.run(['send', 'w1', 'stop and commit']);
    expect(queued.exitCode, queued.stderr).toBe(0);
    expect(queued.stdout).toMatch(/^✔ w1: waits: w1's screen is still changing; it is typed in when it is at its prompt$/m);
    expect(services.messenger.waitingCounts()).toEqual({ w1: 1 });
    // Busy: the leader's ticks leave it waiting.
    await services.messenger.tick(await services.observer.observe(8));
    expect(await screen(p.socket, 'w1')).not.toContain('heard:');

    await import('node:fs/promises').then((fs) => fs.writeFile(ready, ''));
    await deliverUntil(services, async () => (await screen(p.socket, 'w1')).includes('heard: stop and commit'), 'the waiting message typed in at the prompt');
    expect(services.messenger.waitingCounts()).toEqual({});
    expect(actions(services, 'w1').map((line) => line.split(' (')[0])).toEqual(['message-waiting', 'message-delivered']);
  });

  it('a paste under way when the process died is sent again to its next process', async () => {
    const p = await project('sendagain', [listener('w1')]);
    await startWorkers(p);
    await screenShows(p.socket, 'w1', 'w1-ready');
    const services = await open(p.configFile);
    // A muxctl that began the paste and died before it showed: the message is pending for this process.
    const [message] = services.store.messages.send(['w1'], 'carry on with T3', { kind: 'person', name: 'test' }, Date.now());
    expect(services.store.messages.begin(message?.id ?? 0, services.workers.records()['w1']?.startedAt ?? null, Date.now())).toBe(true);

    expect((await p.run(['restart', 'w1'])).exitCode).toBe(0);
    await screenShows(p.socket, 'w1', 'w1-ready');
    await deliverUntil(services, async () => (await screen(p.socket, 'w1')).includes('heard: carry on with T3'), 'the message typed into the new process');
    const story = actions(services, 'w1').map((line) => line.split(': ')[0]);
    expect(story).toEqual(['message-waiting (person test)', 'message-waiting (dispatcher)', 'message-delivered (dispatcher)']);
    expect(actions(services, 'w1')[1]).toContain('again: its process ended before the message showed; sent to the next one');
  });

  it('a worker messages another and a lane, never itself, and at most a few a minute', async () => {
    const p = await project('sendworker', [listener('author'), listener('reviewer'), listener('ops', 'infra')]);
    await startWorkers(p);
    for (const name of ['author', 'reviewer', 'ops']) await screenShows(p.socket, name, `${name}-ready`);
    for (const name of ['author', 'ops']) await screenStill(p.socket, name);
    const asReviewer = { MUXCTL_WORKER: 'reviewer' };

    const toAuthor = await p.run(['send', 'author', 'The retry test still fails: fix src/upload/retry.ts'], asReviewer);
    expect(toAuthor.exitCode, toAuthor.stderr).toBe(0);
    await screenShows(p.socket, 'author', 'heard: The retry test still fails: fix src/upload/retry.ts');
    const services = await open(p.configFile);
    expect(actions(services, 'author')[0]).toBe('message-waiting (worker reviewer): #1 from worker reviewer: The retry test still fails: fix src/upload/retry.ts');

    // The lane: everyone in it but the sender (the author at its prompt again first).
    await screenStill(p.socket, 'author');
    const toLane = await p.run(['send', '--lane', 'app', 'rebase, main moved'], asReviewer);
    expect(toLane.exitCode, toLane.stderr).toBe(0);
    await screenShows(p.socket, 'author', 'heard: rebase, main moved');
    expect(await screen(p.socket, 'reviewer')).not.toContain('heard: rebase');
    expect(await screen(p.socket, 'ops')).not.toContain('heard: rebase');

    const toSelf = await p.run(['send', 'reviewer', 'hello me'], asReviewer);
    expect(toSelf.exitCode).toBe(1);
    expect(toSelf.stderr).toContain('reviewer cannot send a message to itself');

    // Two sent; four more make six in the minute; the seventh is refused with the reason.
    for (let i = 0; i < 4; i += 1) expect((await p.run(['send', 'ops', `note ${i}`], asReviewer)).exitCode).toBe(0);
    const loop = await p.run(['send', 'ops', 'one too many'], asReviewer);
    expect(loop.exitCode).toBe(1);
    expect(loop.stderr).toContain('reviewer sent 6 messages in the last minute (at most 6): refused, so two agents cannot talk in a loop');
  });
});
