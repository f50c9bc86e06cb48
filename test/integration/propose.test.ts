/**
 * Workers suggest work through the board (issue 12, item 7): inside a worker `muxctl task propose` adds a
 * task as proposed, which waits for a person's `muxctl task accept` (or, in a lane listed in
 * tasks.acceptProposals, is queued at once); a worker still cannot add, accept, assign or cancel tasks.
 * The built CLI on a real git repository and store.
 */
import { describe, expect, it } from 'vitest';
import { projectsCleanedUpAfterEach } from '../helpers/cli.js';
import { servicesClosedAfterEach } from '../helpers/services.js';

const project = projectsCleanedUpAfterEach();
const open = servicesClosedAfterEach();
const asReviewer = { MUXCTL_WORKER: 'reviewer' };

interface TaskJson {
  id: string;
  state: string;
  lane: string;
  title: string;
  prompt: string;
}

describe('muxctl task propose', () => {
  it('a worker’s proposal waits as proposed, is never handed out, and a person accepts it into the queue', async () => {
    const p = await project('propose', [{ name: 'reviewer', command: 'exec sleep 600' }, { name: 'author', command: 'exec sleep 600' }]);
    const proposed = await p.run(['task', 'propose', 'Cover the retry path with a test', '--lane', 'app', '--prompt', 'src/upload/retry.ts has no test for the third retry.'], asReviewer);
    expect(proposed.exitCode, proposed.stderr).toBe(0);
    expect(proposed.stdout).toContain('proposed T1 in lane app: Cover the retry path with a test; it waits for a person (muxctl task accept T1, or a on the board)');

    const list = async (): Promise<TaskJson[]> => JSON.parse((await p.run(['task', 'list', '--json'])).stdout) as TaskJson[];
    expect(await list()).toMatchObject([{ id: 'T1', state: 'proposed', lane: 'app', prompt: 'src/upload/retry.ts has no test for the third retry.' }]);
    // Not in the queue: an idle worker of its lane asking for the next task gets nothing.
    const services = await open(p.configFile);
    expect(services.store.claimNext('author', 'app', 60_000, { kind: 'dispatcher' })).toBeNull();
    expect((await list())[0]?.state).toBe('proposed');

    // The worker cannot accept its own proposal, nor add, assign or cancel.
    for (const args of [['task', 'accept', 'T1'], ['task', 'add', 'something'], ['task', 'assign', 'T1', 'author'], ['task', 'cancel', 'T1']]) {
      const refused = await p.run(args, asReviewer);
      expect(refused.exitCode, args.join(' ')).toBe(4);
    }

    const accepted = await p.run(['task', 'accept', 'T1']);
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    expect((await list())[0]?.state).toBe('queued');
    const history = JSON.parse((await p.run(['task', 'show', 'T1', '--json'])).stdout) as { events: Array<{ action: string; actor: { kind: string; name?: string } }> };
    expect(history.events.map((e) => `${e.action} ${e.actor.kind}${e.actor.name ? ` ${e.actor.name}` : ''}`)).toEqual(['propose worker reviewer', 'accept person cli']);
  });

  it('a lane listed in tasks.acceptProposals takes a proposal into the queue at once', async () => {
    const p = await project('proposeauto', [{ name: 'reviewer', command: 'exec sleep 600' }], { tasks: { acceptProposals: ['infra'] } });
    const auto = await p.run(['task', 'propose', 'Pin the CI image', '--lane', 'infra'], asReviewer);
    expect(auto.exitCode, auto.stderr).toBe(0);
    expect(auto.stdout).toContain('added T1 to lane infra: Pin the CI image (lane infra takes proposals at once: tasks.acceptProposals)');
    const waits = await p.run(['task', 'propose', 'Rename the upload module', '--lane', 'app'], asReviewer);
    expect(waits.stdout).toContain('proposed T2 in lane app');
    const states = (JSON.parse((await p.run(['task', 'list', '--json'])).stdout) as TaskJson[]).map((t) => `${t.id} ${t.state}`);
    expect(states).toEqual(['T1 queued', 'T2 proposed']);
  });
});
