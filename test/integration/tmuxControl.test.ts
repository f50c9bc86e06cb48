/**
 * The control-mode client against real tmux servers on private sockets (killed in afterAll). Workers are
 * started by the spawning Tmux adapter, and the two adapters must agree on what they see. Timing figures
 * are printed, never asserted; the 30 s idle-CPU measurement runs only with MUXCTL_MEASURE_IDLE=1.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tmux, type PaneInfo, type SessionSpec } from '../../src/adapters/tmux.js';
import { ControlClientClosedError, MONITOR_SESSION, TmuxControlClient } from '../../src/adapters/tmuxControl.js';
import { TmuxMissingError } from '../../src/core/errors.js';
import { killTestServer, testSocket } from '../helpers/tmuxSocket.js';
import { waitFor } from '../helpers/waitFor.js';

const sockets: string[] = [];
const clients: TmuxControlClient[] = [];
let root: string;

/** A fresh private socket, killed in afterAll. */
function newSocket(label: string): { socket: string; tmux: Tmux } {
  const socket = testSocket(label);
  sockets.push(socket);
  return { socket, tmux: new Tmux(socket) };
}

function newClient(socket: string): TmuxControlClient {
  const client = new TmuxControlClient(socket);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'muxctl-tmuxctl-test-')));
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(sockets.map((socket) => killTestServer(socket)));
  await rm(root, { recursive: true, force: true });
});

function spec(name: string, command: string): SessionSpec {
  return { name, cwd: root, env: {}, command, worker: `worker-${name}`, width: 80, height: 24 };
}

const byPaneId = (panes: readonly PaneInfo[]) => [...panes].sort((a, b) => a.paneId.localeCompare(b.paneId));

/** The closed event as a promise, so a test can await it with a deadline. */
function closedEvent(client: TmuxControlClient): Promise<string> {
  return new Promise((resolve) => client.once('closed', resolve));
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

const monitorGone = (tmux: Tmux, what: string) =>
  waitFor(async () => !(await tmux.hasSession(MONITOR_SESSION)), { what, timeoutMs: 5_000 });

describe('connect', () => {
  it('returns false when no server runs, and does not start one', async () => {
    const { socket, tmux } = newSocket('ctl-idle');
    const client = newClient(socket);
    expect(await client.connect()).toBe(false);
    expect(client.connected).toBe(false);
    expect(await tmux.serverPid()).toBeNull();
    await expect(client.command(['list-sessions'])).rejects.toBeInstanceOf(ControlClientClosedError);
  });

  it('says how to install tmux when the binary is missing', async () => {
    const { socket } = newSocket('ctl-nobinary');
    const client = new TmuxControlClient(socket, { binary: '/nonexistent/bin/tmux' });
    await expect(client.connect()).rejects.toBeInstanceOf(TmuxMissingError);
    expect(client.connected).toBe(false);
  });
});

describe('a connected client', () => {
  const { socket, tmux } = newSocket('ctl-main');
  const client = newClient(socket);

  beforeAll(async () => {
    await tmux.newSession(spec('w1', 'printf "one\\ntwo\\nthree\\n"; exec sleep 600'));
    await tmux.newSession(spec('w2', 'printf "héllo\\ttab ✓\\n%%end 1 2 1\\n"; exec sleep 600'));
    await tmux.newSession(spec('w3', 'seq 1 50; exec sleep 600'));
    expect(await client.connect()).toBe(true);
    expect(client.connected).toBe(true);
  });

  it('lists the same panes as the spawning adapter, without the monitor session', async () => {
    const spawned = await tmux.listPanes();
    expect(spawned.map((pane) => pane.session)).toContain(MONITOR_SESSION);
    const expected = byPaneId(spawned.filter((pane) => pane.session !== MONITOR_SESSION));
    expect(expected.map((pane) => pane.session).sort()).toEqual(['w1', 'w2', 'w3']);
    expect(byPaneId(await client.listPanes())).toEqual(expected);
  });

  it('captures 3 panes in one go, the same text as the spawning adapter; a missing one is absent', async () => {
    await waitFor(async () => ((await client.capturePanes(['w3'], 5)).get('w3') ?? []).includes('50'), { what: 'w3 to print 50' });
    const captured = await client.capturePanes(['w1', 'missing', 'w2', 'w3'], 5);
    expect([...captured.keys()]).toEqual(['w1', 'w2', 'w3']);
    expect(captured.get('w1')).toEqual(['one', 'two', 'three']);
    expect(captured.get('w2')).toEqual(['héllo   tab ✓', '%end 1 2 1']);
    expect(captured.get('w3')).toEqual(['46', '47', '48', '49', '50']);
    expect(captured).toEqual(await tmux.capturePanes(['w1', 'missing', 'w2', 'w3'], 5));
  });

  it('shows a pane that exited with status 3 as dead/3', async () => {
    await tmux.newSession(spec('dies', 'exit 3'));
    const pane = await waitFor(async () => (await client.listPanes()).find((info) => info.session === 'dies' && info.dead && info.deadStatus !== null), {
      what: 'pane "dies" to be dead with a status',
    });
    expect(pane).toMatchObject({ dead: true, deadStatus: 3, deadSignal: null, worker: 'worker-dies' });
  });

  it('passes awkward arguments to tmux unchanged', async () => {
    const values = ['a;', ';', '~/x', '$HOME', "it's", 'tab\there', 'new\nline', '#{pane_id} # x', '\\;', '{', 'é ✓'];
    for (const [index, value] of values.entries()) {
      const file = join(root, `buffer-${index}`);
      expect((await client.command(['set-buffer', '-b', `muxctl-test-${index}`, '--', value])).ok).toBe(true);
      expect((await client.command(['save-buffer', '-b', `muxctl-test-${index}`, file])).ok).toBe(true);
      expect(await readFile(file, 'utf8')).toBe(value);
    }
  });

  it('reports a failing command as not ok, with tmux’s message, and stays in step', async () => {
    expect(await client.command(['has-session', '-t', '=nope'])).toEqual({ ok: false, lines: ["can't find session: nope"] });
    expect(await client.command(['display-message', '-p', 'still here'])).toEqual({ ok: true, lines: ['still here'] });
  });

  it('gets no %output from a busy pane (the no-output flag)', async () => {
    const seen: string[] = [];
    client.on('notification', (notification) => seen.push(notification.name));
    await tmux.newSession(spec('busy', 'i=0; while [ $i -lt 200 ]; do i=$((i+1)); echo tick $i; sleep 0.005; done; exec sleep 600'));
    await waitFor(async () => ((await client.capturePanes(['busy'], 3)).get('busy') ?? []).includes('tick 200'), {
      what: 'the busy pane to print 200 lines',
    });
    expect(seen.filter((name) => name === 'output' || name === 'extended-output')).toEqual([]);
  });

  it('answers 1,000 sequential listPanes much faster than spawning tmux (figures printed)', async () => {
    const calls = 1_000;
    let start = performance.now();
    for (let index = 0; index < calls; index += 1) expect((await client.listPanes()).length).toBeGreaterThanOrEqual(3);
    const controlMs = (performance.now() - start) / calls;
    const spawnCalls = 200;
    start = performance.now();
    for (let index = 0; index < spawnCalls; index += 1) expect((await tmux.listPanes()).length).toBeGreaterThanOrEqual(3);
    const spawnMs = (performance.now() - start) / spawnCalls;
    console.log(`listPanes: control client ${controlMs.toFixed(3)} ms/call (${calls} calls); spawning tmux ${spawnMs.toFixed(2)} ms/call (${spawnCalls} calls)`);
  });

  it('rejects a command that gets no answer in time, and keeps later replies in step', async () => {
    const impatient = new TmuxControlClient(socket, { timeoutMs: 300 });
    clients.push(impatient);
    expect(await impatient.connect()).toBe(true);
    expect((await impatient.command(['wait-for', 'muxctl-test-gate'])).ok).toBe(true);
    // Queued behind the wait: no answer until the channel is signalled.
    await expect(impatient.command(['display-message', '-p', 'first'])).rejects.toThrow(/no answer within 300 ms/);
    expect((await client.command(['wait-for', '-S', 'muxctl-test-gate'])).ok).toBe(true);
    // The late reply to "first" is dropped, not handed to the next command.
    expect(await impatient.command(['display-message', '-p', 'second'])).toEqual({ ok: true, lines: ['second'] });
    await impatient.close();
  });

  it('shares the monitor session with a second client; it lives until the last one closes', async () => {
    const second = newClient(socket);
    expect(await second.connect()).toBe(true);
    expect((await tmux.listPanes()).filter((pane) => pane.session === MONITOR_SESSION)).toHaveLength(1);
    await second.close();
    expect(second.connected).toBe(false);
    expect(await tmux.hasSession(MONITOR_SESSION)).toBe(true);
    expect(await client.command(['display-message', '-p', 'first still works'])).toEqual({ ok: true, lines: ['first still works'] });
  });
});

describe('when the client goes', () => {
  it('close() ends it, and the monitor session goes with the last client', async () => {
    const { socket, tmux } = newSocket('ctl-close');
    await tmux.newSession(spec('w1', 'exec sleep 600'));
    const client = newClient(socket);
    expect(await client.connect()).toBe(true);
    expect(await tmux.hasSession(MONITOR_SESSION)).toBe(true);
    const closed = closedEvent(client);
    await client.close();
    expect(await withDeadline(closed, 1_000, 'the closed event')).toBe('closed by muxctl');
    expect(client.connected).toBe(false);
    await monitorGone(tmux, 'the monitor session to go after close()');
    expect(await tmux.hasSession('w1')).toBe(true);
  });

  it('closing while other tmux clients come and go does not crash the server (tmux 3.3a destroy-unattached bug)', async () => {
    const { socket, tmux } = newSocket('ctl-race');
    await tmux.newSession(spec('w1', 'exec sleep 600'));
    const serverPid = await tmux.serverPid();
    for (let round = 0; round < 10; round += 1) {
      const client = newClient(socket);
      expect(await client.connect()).toBe(true);
      // Short-lived clients disconnecting while the control client exits: with destroy-unattached on
      // the monitor, this killed the server in about half of the rounds.
      const others = Array.from({ length: 6 }, () => tmux.hasSession('w1'));
      await client.close();
      expect(await Promise.all(others)).toEqual(Array.from({ length: 6 }, () => true));
      expect(await tmux.serverPid()).toBe(serverPid);
    }
    await monitorGone(tmux, 'the monitor session to go after the last close()');
  });

  it('a client killed with SIGKILL leaves no monitor session behind either', async () => {
    const { socket, tmux } = newSocket('ctl-sigkill');
    await tmux.newSession(spec('w1', 'exec sleep 600'));
    const client = newClient(socket);
    expect(await client.connect()).toBe(true);
    const closed = closedEvent(client);
    process.kill(client.pid ?? -1, 'SIGKILL');
    expect(await withDeadline(closed, 5_000, 'the closed event')).toMatch(/SIGKILL/);
    await monitorGone(tmux, 'the monitor session to go after SIGKILL');
    expect(await tmux.hasSession('w1')).toBe(true);
    // Reconnecting is the caller's job, and just works.
    expect(await client.connect()).toBe(true);
    expect((await client.listPanes()).map((pane) => pane.session)).toEqual(['w1']);
  });

  it('leaves no server behind when the workers are gone and the last client closes', async () => {
    const { socket, tmux } = newSocket('ctl-empty');
    await tmux.newSession(spec('w1', 'exec sleep 600'));
    const client = newClient(socket);
    expect(await client.connect()).toBe(true);
    expect(await tmux.killSession('w1')).toBe(true);
    // The monitor alone keeps the server up while the dashboard runs...
    expect(await client.listPanes()).toEqual([]);
    await client.close();
    // ...and a server without sessions exits (exit-empty), so nothing is left running.
    await waitFor(async () => (await tmux.serverPid()) === null, { what: 'the server to exit' });
  });

  /**
   * A queue of two commands: tmux 3.3a answers `wait-for` at once but runs nothing after it for this
   * client until the channel is signalled, so the second command stays pending.
   */
  async function blockedCommand(client: TmuxControlClient): Promise<{ outcome: Promise<unknown> }> {
    expect(await client.command(['wait-for', 'muxctl-test-never'])).toEqual({ ok: true, lines: [] });
    // Wrapped: an async function returning the promise itself would wait for it.
    const outcome = client.command(['display-message', '-p', 'after the wait']).then(
      (result) => result,
      (error: unknown) => error,
    );
    return { outcome };
  }

  it('kill-server: emits closed, settles a pending command without hanging, and reconnects to nothing', async () => {
    const { socket, tmux } = newSocket('ctl-kill');
    await tmux.newSession(spec('w1', 'exec sleep 600'));
    const client = newClient(socket);
    expect(await client.connect()).toBe(true);
    const closed = closedEvent(client);
    const { outcome } = await blockedCommand(client);
    await tmux.killServer();
    // tmux 3.3a wakes the waiters on its way out and runs the queued command: an answer or a
    // rejection are both fine, a hang is not.
    const settled = await withDeadline(outcome, 5_000, 'the pending command to settle');
    expect(settled instanceof ControlClientClosedError || (settled as { ok?: boolean }).ok === true).toBe(true);
    await withDeadline(closed, 5_000, 'the closed event');
    expect(client.connected).toBe(false);
    await expect(client.command(['list-sessions'])).rejects.toBeInstanceOf(ControlClientClosedError);
    expect(await client.connect()).toBe(false);
    expect(await tmux.serverPid()).toBeNull();
  });

  it('a crashed server (SIGKILL): rejects the pending command with the reason and emits closed', async () => {
    const { socket, tmux } = newSocket('ctl-crash');
    await tmux.newSession(spec('w1', 'exec sleep 600'));
    const client = newClient(socket);
    expect(await client.connect()).toBe(true);
    const closed = closedEvent(client);
    const { outcome } = await blockedCommand(client);
    process.kill((await tmux.serverPid()) ?? -1, 'SIGKILL');
    const settled = await withDeadline(outcome, 5_000, 'the pending command to settle');
    expect(settled).toBeInstanceOf(ControlClientClosedError);
    expect((settled as Error).message).toMatch(/server exited unexpectedly/);
    expect(await withDeadline(closed, 5_000, 'the closed event')).toMatch(/exited/);
    expect(client.connected).toBe(false);
  });
});

/** utime+stime (and children's) of a process from /proc, in seconds. Read without spawning anything. */
function cpuSeconds(pid: number | 'self', ticks: number): { own: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  // Fields 14-17 of proc(5) are at 11-14 here: the list starts at field 3 (state).
  return { own: ((fields[11] ?? 0) + (fields[12] ?? 0)) / ticks, children: ((fields[13] ?? 0) + (fields[14] ?? 0)) / ticks };
}

describe.runIf(process.env.MUXCTL_MEASURE_IDLE === '1')('idle CPU, one listPanes a second for 30 s (MUXCTL_MEASURE_IDLE=1)', () => {
  it('costs less over the control client than spawning tmux (figures printed)', { timeout: 180_000 }, async () => {
    const { socket, tmux } = newSocket('ctl-idle-cpu');
    for (let index = 1; index <= 20; index += 1) await tmux.newSession(spec(`w${index}`, 'exec sleep 600'));
    const client = newClient(socket);
    expect(await client.connect()).toBe(true);
    const serverPid = (await tmux.serverPid()) ?? -1;
    const clientPid = client.pid ?? -1;
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const cpu = (pid: number | 'self') => cpuSeconds(pid, ticks);

    async function measure(label: string, seconds: number, tick: (() => Promise<PaneInfo[]>) | null): Promise<void> {
      const before = { self: process.cpuUsage(), proc: cpu('self'), server: cpu(serverPid).own, client: cpu(clientPid).own };
      const started = performance.now();
      for (let index = 0; index < seconds; index += 1) {
        if (tick) expect(await tick()).toHaveLength(20);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      const wall = (performance.now() - started) / 1_000;
      const self = process.cpuUsage(before.self);
      const proc = cpu('self');
      const percent = (cpu: number) => `${((cpu / wall) * 100).toFixed(3)}%`;
      console.log(
        `${label}: node ${percent((self.user + self.system) / 1e6)} (proc ${percent(proc.own - before.proc.own)}), ` +
          `reaped children ${percent(proc.children - before.proc.children)}, control client ${percent(cpu(clientPid).own - before.client)}, ` +
          `tmux server ${percent(cpu(serverPid).own - before.server)} over ${wall.toFixed(1)} s`,
      );
    }

    // Warm the JIT first: a dashboard runs for hours, and V8's background compiles of fresh code paths
    // would otherwise be charged to whichever phase comes first.
    for (let index = 0; index < 1_000; index += 1) await client.listPanes();
    for (let index = 0; index < 100; index += 1) await tmux.listPanes();
    await measure('baseline (no calls)', 10, null);
    await measure('control client', 30, () => client.listPanes());
    await measure('spawning tmux', 30, async () => (await tmux.listPanes()).filter((pane) => pane.session !== MONITOR_SESSION));
  });
});
