/**
 * The fleet's rules for hosts, with a host's tmux answered by hand (the real one over ssh is in
 * test/integration/hostWorkers.test.ts and test/e2e/hostDashboard.test.ts): which server a call goes
 * to, what a slow or dead host costs a look, when it is asked again, and which of its captures count.
 */
import { describe, expect, it } from 'vitest';
import { type ProjectConfig } from '../../src/core/config/config.js';
import { parseConfig } from '../../src/core/config/parse.js';
import type { PaneInfo } from '../../src/core/parsers/tmuxFormat.js';
import { SshError } from '../../src/adapters/ssh.js';
import type { Git } from '../../src/adapters/git.js';
import type { Tmux } from '../../src/adapters/tmux.js';
import { Fleet, type HostTools } from '../../src/control/fleet.js';
import type { PaneSource } from '../../src/control/paneObserver.js';

function config(): ProjectConfig {
  const text = JSON.stringify({
    project: 'p',
    lanes: { app: {} },
    hosts: { box1: { ssh: 'box1', repo: '/srv/p' } },
    workers: [
      { name: 'w1', lane: 'app', command: 'x' },
      { name: 'gpu-1', lane: 'app', command: 'x', host: 'box1' },
    ],
  });
  const result = parseConfig(text, '/home/u/p/sessions.json');
  if (!result.ok) throw new Error('bad test config');
  return result.config;
}

function pane(session: string, activity = 100): PaneInfo {
  return { session, paneId: '%1', pid: 42, dead: false, deadStatus: null, deadSignal: null, currentCommand: 'sleep', activity, created: 1, deadTime: null, worker: session };
}

/** A host whose tmux answers as the test says: each call waits for `gate()` (resolved at once by default). */
function host() {
  const calls: string[] = [];
  let panes: () => Promise<PaneInfo[]> = async () => [pane('gpu-1')];
  let capture: () => Promise<Map<string, string[]>> = async () => new Map([['gpu-1', ['on the host']]]);
  const tmux = {
    listPanes: () => {
      calls.push('list');
      return panes();
    },
    capturePanes: () => {
      calls.push('capture');
      return capture();
    },
    hasSession: async (name: string) => {
      calls.push(`has ${name}`);
      return true;
    },
  } as unknown as Tmux;
  return {
    calls,
    tools: { ssh: {} as HostTools['ssh'], tmux, watch: tmux, shell: {} as HostTools['shell'], git: {} as HostTools['git'], logs: {} as HostTools['logs'] },
    answerPanes(fn: () => Promise<PaneInfo[]>) {
      panes = fn;
    },
    answerCapture(fn: () => Promise<Map<string, string[]>>) {
      capture = fn;
    },
  };
}

function fleetWith(box: ReturnType<typeof host>, clock: { now: number }) {
  const local = { listPanes: async () => [pane('w1')], capturePanes: async () => new Map([['w1', ['here']]]), hasSession: async () => false } as unknown as Tmux;
  const cfg = config();
  return new Fleet({ config: () => cfg, tmux: local, git: {} as Git, now: () => clock.now, connect: () => box.tools });
}

const localSource: PaneSource = { listPanes: async () => [pane('w1')], capturePanes: async () => new Map([['w1', ['here']]]) };

describe('the fleet', () => {
  it("sends a worker's session calls to its own server, and lists every server's panes as one", async () => {
    const box = host();
    const fleet = fleetWith(box, { now: 1_000 });
    expect(await fleet.hasSession('gpu-1')).toBe(true);
    expect(await fleet.hasSession('w1')).toBe(false);
    expect(box.calls).toEqual(['has gpu-1']);
    expect((await fleet.listPanes()).map((p) => [p.session, p.host])).toEqual([['w1', undefined], ['gpu-1', 'box1']]);
    expect(await fleet.capturePanes(['w1', 'gpu-1'], 10)).toEqual(new Map([['w1', ['here']], ['gpu-1', ['on the host']]]));
  });

  it('marks a host that ssh cannot reach, asks it again only after a backoff, and clears it when it answers', async () => {
    const box = host();
    const clock = { now: 10_000 };
    const fleet = fleetWith(box, clock);
    box.answerPanes(async () => {
      throw new SshError('box1', 'Connection refused');
    });
    expect((await fleet.listPanes()).map((p) => p.session)).toEqual(['w1']);
    expect(fleet.unreachableHosts().get('box1')).toMatchObject({ since: 10_000, said: 'Connection refused', retryAt: 12_000 });
    clock.now = 11_000;
    await fleet.listPanes();
    expect(box.calls.filter((c) => c === 'list')).toHaveLength(1);
    // The second failure keeps the first one's time, and waits twice as long.
    clock.now = 12_000;
    await fleet.listPanes();
    expect(fleet.unreachableHosts().get('box1')).toMatchObject({ since: 10_000, retryAt: 16_000 });
    clock.now = 16_000;
    box.answerPanes(async () => [pane('gpu-1')]);
    expect((await fleet.listPanes()).map((p) => p.session)).toEqual(['w1', 'gpu-1']);
    expect(fleet.unreachableHosts().size).toBe(0);
  });

  it("never holds a look for a slow host: this machine's panes come at once, the host's from its last answer", async () => {
    const box = host();
    const fleet = fleetWith(box, { now: 1_000 });
    fleet.answerWithin(20);
    const source = fleet.panes(localSource);
    expect((await source.listPanes()).map((p) => p.session)).toEqual(['w1', 'gpu-1']);
    let release: (panes: PaneInfo[]) => void = () => {};
    box.answerPanes(() => new Promise((resolve) => (release = resolve)));
    // The host does not answer: the look ends with its last panes, and the call goes on.
    expect((await source.listPanes()).map((p) => p.session)).toEqual(['w1', 'gpu-1']);
    expect((await source.listPanes()).map((p) => p.session)).toEqual(['w1', 'gpu-1']);
    expect(box.calls.filter((c) => c === 'list')).toHaveLength(2);
    release([pane('gpu-1'), pane('gpu-2')]);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await source.listPanes()).map((p) => p.session)).toEqual(['w1', 'gpu-1', 'gpu-2']);
  });

  it('answers only captures asked after the pane list the look stands on: a late one is asked for again', async () => {
    const box = host();
    const clock = { now: 1_000 };
    const fleet = fleetWith(box, clock);
    fleet.answerWithin(20);
    const source = fleet.panes(localSource);
    await source.listPanes();
    let release: (screens: Map<string, string[]>) => void = () => {};
    box.answerCapture(() => new Promise((resolve) => (release = resolve)));
    clock.now = 2_000;
    expect(await source.capturePanes(['gpu-1'], 10)).toEqual(new Map());
    // The late answer arrives; the screen moved since, and the next look's pane list is newer than it.
    release(new Map([['gpu-1', ['before it moved']]]));
    await new Promise((resolve) => setImmediate(resolve));
    clock.now = 3_000;
    await source.listPanes();
    // Its capture is slow again: the late one is not passed off as the screen of this look.
    box.answerCapture(() => new Promise((resolve) => (release = resolve)));
    clock.now = 3_001;
    expect(await source.capturePanes(['gpu-1'], 10)).toEqual(new Map());
    release(new Map([['gpu-1', ['as it is now']]]));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await source.capturePanes(['gpu-1'], 10)).toEqual(new Map([['gpu-1', ['as it is now']]]));
  });
});

it('does not look at this machine\'s server when every worker runs on a host', async () => {
  const box = host();
  const text = JSON.stringify({ project: 'p', lanes: { app: {} }, hosts: { box1: { ssh: 'box1', repo: '/srv/p' } }, workers: [{ name: 'gpu-1', lane: 'app', command: 'x', host: 'box1' }] });
  const parsed = parseConfig(text, '/home/u/p/sessions.json');
  if (!parsed.ok) throw new Error('bad test config');
  const cfg = parsed.config;
  const fleet = new Fleet({ config: () => cfg, tmux: {} as Tmux, git: {} as Git, now: () => 1_000, connect: () => box.tools });
  let localLooks = 0;
  const local: PaneSource = { listPanes: async () => (localLooks++, [pane('stray')]), capturePanes: async () => new Map() };
  expect((await fleet.panes(local).listPanes()).map((p) => p.session)).toEqual(['gpu-1']);
  expect(localLooks).toBe(0);
});

it("stops a worker taken out of the config where it ran: by its entry, not by a name the config no longer has", () => {
  const box = host();
  const fleet = fleetWith(box, { now: 1_000 });
  expect(fleet.tmuxOf({ host: 'box1' })).toBe(box.tools.tmux);
  expect(fleet.tmuxOf('gone-worker')).not.toBe(box.tools.tmux);
  expect(fleet.tmuxOf({})).not.toBe(box.tools.tmux);
});
