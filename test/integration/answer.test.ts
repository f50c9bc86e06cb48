/**
 * `muxctl answer` and the control behind `y`: a real tmux server, the BUILT CLI (run `npm run build`
 * first), and fake agents that ask on their screen and print what they read. An answer reaches the
 * agent and is recorded with the question; a key that is no choice, a worker asking nothing, and a
 * question that changed between reading and sending all send nothing.
 */
import { describe, expect, it } from 'vitest';
import { Answering } from '../../src/control/answering.js';
import type { Question } from '../../src/core/rules/answers.js';
import { events, projectsCleanedUpAfterEach, screen, screenShows, startWorkers } from '../helpers/cli.js';
import { PERSON, servicesClosedAfterEach } from '../helpers/services.js';

const project = projectsCleanedUpAfterEach();
const open = servicesClosedAfterEach();

const ASKS = `printf 'Proceed? [y/n] '; read a; echo "got: $a"; exec sleep 600`;
/** Answers the first question, then asks a second, different one. */
const ASKS_TWICE = `printf 'Proceed? [y/n] '; read a; echo "got: $a"; printf 'Really delete everything? [y/n] '; read b; echo "got again: $b"; exec sleep 600`;

describe('muxctl answer', () => {
  it('sends y to a [y/n] question: the agent reads it, the answer and the question are an event', async () => {
    const p = await project('answer', [{ name: 'w1', command: ASKS }]);
    await startWorkers(p);
    await screenShows(p.socket, 'w1', 'Proceed? [y/n]');

    const answered = await p.run(['answer', 'w1', 'y']);
    expect(answered.exitCode, answered.stderr).toBe(0);
    expect(answered.stdout).toBe('w1 asked: Proceed? [y/n]\nsent: y Enter (yes)');
    await screenShows(p.socket, 'w1', 'got: y');
    const recorded = events(p).filter((e) => e.action === 'answer');
    expect(recorded).toEqual([{ time: expect.any(String), actor: 'person', action: 'answer', worker: 'w1', reason: 'asked: Proceed? [y/n]; answered y: yes (sent y Enter)' }]);

    // Answered, it asks nothing any more: nothing is sent, exit 1 with the reason.
    const again = await p.run(['answer', 'w1', 'y']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('w1: the worker is not asking anything: nothing sent');
    expect(events(p).filter((e) => e.action === 'answer')).toHaveLength(1);
  });

  it('refuses a key that is not one of the choices (exit 2), says the choices, and sends nothing; --json says the same', async () => {
    const p = await project('answer-key', [{ name: 'w1', command: ASKS }]);
    await startWorkers(p);
    await screenShows(p.socket, 'w1', 'Proceed? [y/n]');

    const wrong = await p.run(['answer', 'w1', '3']);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain('w1: 3 is not one of the choices (y yes · n no): nothing sent');
    expect(wrong.stderr).toContain('w1 asks: Proceed? [y/n]');
    const json = await p.run(['answer', 'w1', 'x', '--json']);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ worker: 'w1', ok: false, key: 'x', question: 'Proceed? [y/n]', choices: [{ label: 'yes', keys: ['y'] }, { label: 'no', keys: ['n'] }] });
    expect(await screen(p.socket, 'w1')).not.toContain('got:');

    const sent = await p.run(['answer', 'w1', 'n', '--json']);
    expect(sent.exitCode, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ worker: 'w1', ok: true, key: 'n', sent: ['n', 'Enter'], choice: 'no', question: 'Proceed? [y/n]' });
    await screenShows(p.socket, 'w1', 'got: n');
  });

  it('sends nothing when the question changed between reading and sending', async () => {
    const p = await project('answer-changed', [{ name: 'w1', command: ASKS_TWICE }]);
    await startWorkers(p);
    await screenShows(p.socket, 'w1', 'Proceed? [y/n]');
    const services = await open(p.configFile);
    const answering = new Answering({ config: services.config, tmux: services.tmux, store: services.store, now: Date.now });

    // The question as the dialog showed it; then the agent moves on (answered in its pane) and asks another.
    const asked = await answering.read('w1');
    expect(asked?.question).toBe('Proceed? [y/n]');
    await services.tmux.sendKeys('w1', ['y', 'Enter']);
    await screenShows(p.socket, 'w1', 'Really delete everything? [y/n]');

    const stale = await answering.answer('w1', 'y', { actor: PERSON, asked: asked as Question });
    expect(stale).toMatchObject({ ok: false, why: 'changed', message: 'w1: the question changed: nothing sent', question: { question: 'Really delete everything? [y/n]' } });
    expect(await screen(p.socket, 'w1')).not.toContain('got again:');
    expect(services.store.events({ about: 'w1' }).filter((e) => e.action === 'answer')).toEqual([]);

    // The question on the screen now, read again, is answered.
    const fresh = await answering.answer('w1', 'n', { actor: PERSON, asked: (await answering.read('w1')) as Question });
    expect(fresh.ok).toBe(true);
    await screenShows(p.socket, 'w1', 'got again: n');
    expect(services.store.events({ about: 'w1' }).filter((e) => e.action === 'answer').map((e) => e.reasons)).toEqual([['asked: Really delete everything? [y/n]', 'answered n: no (sent n Enter)']]);
  });
});
