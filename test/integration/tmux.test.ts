/**
 * The tmux adapter against a real tmux server on a private socket (killed in afterAll). Every session is
 * started by the adapter itself, so these tests also pin down what tmux 3.3a really does.
 */
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tmux, type PaneInfo, type SessionSpec } from '../../src/adapters/tmux.js';
import { MuxctlError, TmuxMissingError, TmuxSessionMissingError } from '../../src/core/errors.js';
import { killTestServer, testSocket, tmux as tmuxOn } from '../helpers/tmuxSocket.js';
import { waitFor } from '../helpers/waitFor.js';

const socket = testSocket('tmux');
const tmux = new Tmux(socket);
/** Sockets that should never get a server; killed anyway in case a test is wrong about that. */
const idleSockets: string[] = [];
let root: string;

function idleTmux(label: string): Tmux {
  const name = testSocket(label);
  idleSockets.push(name);
  return new Tmux(name);
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'muxctl-tmux-test-')));
});

afterAll(async () => {
  await killTestServer(socket);
  await Promise.all(idleSockets.map((name) => killTestServer(name)));
  await rm(root, { recursive: true, force: true });
});

function spec(name: string, command: string, extra: Partial<SessionSpec> = {}): SessionSpec {
  return { name, cwd: root, env: {}, command, worker: `worker-${name}`, width: 100, height: 30, ...extra };
}

async function pane(name: string): Promise<PaneInfo | undefined> {
  return (await tmux.listPanes()).find((info) => info.session === name);
}

const deadPane = (name: string) =>
  waitFor(async () => {
    const info = await pane(name);
    return info?.dead ? info : undefined;
  }, { what: `pane ${name} to die` });

async function screen(name: string, lines = 200): Promise<string> {
  return ((await tmux.capturePanes([name], lines)).get(name) ?? []).join('\n');
}

/** A plain tmux command on this file's server, as a person's own tmux client would send it; its stdout. */
async function tmuxCli(...args: string[]): Promise<string> {
  const result = await tmuxOn(socket, ...args);
  if (result.exitCode !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const screenShows = (name: string, text: string) =>
  waitFor(async () => ((await screen(name)).includes(text) ? true : undefined), { what: `${name} to show "${text}"` });

describe('Tmux.version', () => {
  it('reads the installed tmux as ≥ 3.0', async () => {
    const version = await Tmux.version();
    expect(version.major).toBeGreaterThanOrEqual(3);
    expect(version.raw).toMatch(/\d/);
  });

  it('says how to install tmux when the binary is missing', async () => {
    const failure = Tmux.version('/nonexistent/bin/tmux');
    await expect(failure).rejects.toBeInstanceOf(TmuxMissingError);
    await expect(failure).rejects.toThrow(/brew install tmux/);
  });

  it('runs `tmux -V` once a process, and asks again after a failure (tmux installed meanwhile)', async () => {
    const dir = join(root, 'version-once');
    await mkdir(dir);
    const binary = join(dir, 'tmux');
    const calls = join(dir, 'calls');
    await expect(Tmux.version(binary)).rejects.toBeInstanceOf(TmuxMissingError);
    await writeFile(binary, `#!/bin/sh\necho called >> '${calls}'\necho 'tmux 3.3a'\n`, { mode: 0o755 });
    const [first, second] = await Promise.all([Tmux.version(binary), Tmux.version(binary)]);
    const third = await Tmux.version(binary);
    expect([first.raw, second.raw, third.raw]).toEqual(['3.3a', '3.3a', '3.3a']);
    expect((await readFile(calls, 'utf8')).trim().split('\n')).toEqual(['called']);
  });
});

describe('no server running', () => {
  const idle = idleTmux('idle');

  it('reads as empty, not as an error', async () => {
    expect(await idle.listPanes()).toEqual([]);
    expect(await idle.serverPid()).toBeNull();
    expect(await idle.hasSession('w1')).toBe(false);
    expect(await idle.killSession('w1')).toBe(false);
    expect((await idle.capturePanes(['w1', 'w2'], 10)).size).toBe(0);
    await expect(idle.killServer()).resolves.toBeUndefined();
    await expect(idle.detachClient('/dev/pts/999')).resolves.toBeUndefined();
  });
});

describe('newSession', () => {
  it('starts the command in the given directory with the given environment and tags the pane', async () => {
    // '#' and a space in the path: tmux expands -c as a format, so the adapter must escape it.
    const cwd = join(root, 'work dir #{pane_id} #S');
    await mkdir(cwd);
    const env = { FOO: 'bar baz', SEMI: 'ends with;', FMT: '#{session_name}' };
    const result = await tmux.newSession(spec('envcwd', 'echo "FOO=$FOO SEMI=$SEMI FMT=$FMT"; echo "PWD=$(pwd)"; sleep 30', { cwd, env }));
    expect(result).toBe('created');
    await screenShows('envcwd', `PWD=${cwd}`);
    const text = await screen('envcwd');
    expect(text).toContain('FOO=bar baz SEMI=ends with; FMT=#{session_name}');
    const info = await pane('envcwd');
    expect(info).toMatchObject({ dead: false, worker: 'worker-envcwd' });
    expect(info?.pid).toBeGreaterThan(0);
  });

  it('gives the pane the PATH it was asked for, in newSession and respawnPane', async () => {
    // tmux hands a new pane the PATH of the client that asked for it, overriding -e PATH=…
    const path = `${root}/bin-first:/usr/bin:/bin`;
    await tmux.newSession(spec('pathnew', 'echo "PATH=$PATH"; sleep 30', { env: { PATH: path } }));
    await screenShows('pathnew', `PATH=${path}`);
    const other = `${root}/bin-second:/usr/bin:/bin`;
    await tmux.respawnPane(spec('pathnew', 'echo "PATH=$PATH"; sleep 30', { env: { PATH: other } }));
    await screenShows('pathnew', `PATH=${other}`);
  });

  it('passes a command ending in \\; through unchanged', async () => {
    await tmux.newSession(spec('semicolon', 'find /dev/null -maxdepth 0 -exec echo found-it {} \\;'));
    expect((await deadPane('semicolon')).deadStatus).toBe(0);
    expect(await screen('semicolon')).toContain('found-it /dev/null');
  });

  it('returns "exists" for a duplicate and leaves the first session untouched', async () => {
    expect(await tmux.newSession(spec('dup', 'sleep 30'))).toBe('created');
    const first = await pane('dup');
    expect(await tmux.newSession(spec('dup', 'exit 9'))).toBe('exists');
    const panes = (await tmux.listPanes()).filter((info) => info.session === 'dup');
    expect(panes).toHaveLength(1);
    expect(panes[0]).toMatchObject({ paneId: first?.paneId, pid: first?.pid, dead: false });
  });

  it('lets exactly one of two racing calls create the session', async () => {
    const results = await Promise.all([tmux.newSession(spec('race', 'sleep 30')), tmux.newSession(spec('race', 'sleep 30'))]);
    expect(results.sort()).toEqual(['created', 'exists']);
    expect((await tmux.listPanes()).filter((info) => info.session === 'race')).toHaveLength(1);
  });

  it('keeps the pane and exit status of a command that exits at once', async () => {
    const names = ['exit3a', 'exit3b', 'exit3c', 'exit3d', 'exit3e'];
    await Promise.all(names.map((name) => tmux.newSession(spec(name, 'exit 3'))));
    for (const name of names) {
      expect(await deadPane(name)).toMatchObject({ dead: true, deadStatus: 3, deadSignal: null, worker: `worker-${name}` });
    }
  });

  it('reports the status of every short-lived command, even when tmux loses the SIGCHLD', async () => {
    // Without the adapter's nudge, tmux 3.3a (with libutempter) leaves ~1 in 7 of these dead with no
    // status: 20 in a row all passing would then happen about 5% of the time.
    const names = Array.from({ length: 20 }, (_, index) => `brief${index}`);
    for (const name of names) await tmux.newSession(spec(name, 'sleep 0.05; exit 7'));
    for (const name of names) {
      expect(await deadPane(name)).toMatchObject({ deadStatus: 7, deadSignal: null });
    }
  });

  it('reports a pane killed by SIGTERM with signal 15 and no status', async () => {
    await tmux.newSession(spec('term', 'exec sleep 300'));
    const info = await waitFor(() => pane('term'), { what: 'pane term' });
    await tmux.signalPane(info.pid, 'SIGTERM');
    const dead = await deadPane('term');
    expect(dead).toMatchObject({ deadStatus: null, deadSignal: 15 });
    expect(dead.deadTime).toBeGreaterThan(0);
    // Signalling a process that is gone is not an error.
    expect(() => tmux.signalPane(info.pid, 'SIGTERM')).not.toThrow();
  });

  it('reports a missing program as status 127 with sh\'s message on screen', async () => {
    await tmux.newSession(spec('notfound', 'exec nosuchcmd-xyz'));
    expect(await deadPane('notfound')).toMatchObject({ deadStatus: 127, deadSignal: null });
    // tmux 3.3a writes "Pane is dead" on the last row, scrolling the first row into history. On a busy
    // machine tmux may see the death before it has read sh's last output from the pty: wait for it.
    const text = await waitFor(async () => {
      const shown = await screen('notfound');
      return /nosuchcmd-xyz: not found/.test(shown) ? shown : undefined;
    }, { what: "sh's message on the dead pane's screen", timeoutMs: 15_000 }); // 5 s ran out once, on a CI machine compiling two native addons beside it
    expect(text).toMatch(/nosuchcmd-xyz: not found/);
    expect(text).toMatch(/Pane is dead \(status 127/);
  });

  it('refuses a directory that does not exist instead of letting tmux pick another', async () => {
    await expect(tmux.newSession(spec('nocwd', 'sleep 30', { cwd: join(root, 'missing') }))).rejects.toBeInstanceOf(MuxctlError);
    expect(await tmux.hasSession('nocwd')).toBe(false);
  });

  it('refuses names tmux would read as targets', async () => {
    await expect(tmux.newSession(spec('a.b', 'sleep 1'))).rejects.toThrow(/Invalid session name/);
    await expect(tmux.hasSession('a:b')).rejects.toThrow(/Invalid session name/);
  });
});

describe('respawnPane', () => {
  it('brings a dead pane back alive in the same pane, with the new environment', async () => {
    await tmux.newSession(spec('respawn', 'exit 4'));
    const dead = await deadPane('respawn');
    await tmux.respawnPane({ name: 'respawn', cwd: root, env: { AGAIN: 'yes' }, command: 'echo "again=$AGAIN"; sleep 30', worker: 'renamed' });
    const alive = await waitFor(async () => {
      const info = await pane('respawn');
      return info && !info.dead ? info : undefined;
    }, { what: 'respawned pane alive' });
    expect(alive).toMatchObject({ paneId: dead.paneId, worker: 'renamed', deadStatus: null });
    expect(alive.pid).not.toBe(dead.pid);
    await screenShows('respawn', 'again=yes');
  });

  it('keeps the exit status when the respawned command exits at once', async () => {
    await tmux.newSession(spec('respawn2', 'sleep 30'));
    await tmux.respawnPane({ name: 'respawn2', cwd: root, env: {}, command: 'exit 5', worker: 'w' });
    expect((await deadPane('respawn2')).deadStatus).toBe(5);
  });

  it('fails clearly for a session that does not exist', async () => {
    const failure = tmux.respawnPane({ name: 'ghost', cwd: root, env: {}, command: 'true', worker: 'w' });
    await expect(failure).rejects.toBeInstanceOf(TmuxSessionMissingError);
    await expect(failure).rejects.toThrow(/ghost does not exist/);
    expect(await tmux.hasSession('ghost')).toBe(false);
  });

  it('fails the same way when no server runs at all', async () => {
    const idle = idleTmux('idle2');
    await expect(idle.respawnPane({ name: 'ghost', cwd: root, env: {}, command: 'true', worker: 'w' })).rejects.toBeInstanceOf(TmuxSessionMissingError);
    await expect(idle.sendKeys('ghost', ['Enter'])).rejects.toBeInstanceOf(TmuxSessionMissingError);
    expect(await idle.serverPid()).toBeNull();
  });
});

describe('capturePanes', () => {
  const lines = (prefix: string, count: number) => `i=1; while [ $i -le ${count} ]; do echo ${prefix}-$i; i=$((i+1)); done; sleep 30`;

  beforeAll(async () => {
    await tmux.newSession(spec('capa', lines('alpha', 3)));
    await tmux.newSession(spec('capb', lines('beta', 60)));
    await tmux.newSession(spec('capc', 'printf "gamma  \\n\\n\\n"; sleep 30'));
    await screenShows('capa', 'alpha-3');
    await screenShows('capb', 'beta-60');
    await screenShows('capc', 'gamma');
  });

  it('captures several panes in one call, each with its own text', async () => {
    const captured = await tmux.capturePanes(['capa', 'capb', 'capc'], 5);
    expect(captured.get('capa')).toEqual(['alpha-1', 'alpha-2', 'alpha-3']);
    // 60 lines on a 30-row screen: the tail comes from the screen, the rest from history.
    expect(captured.get('capb')).toEqual(['beta-56', 'beta-57', 'beta-58', 'beta-59', 'beta-60']);
    expect(captured.get('capc')).toEqual(['gamma']);
  });

  it('reaches into history for lines scrolled off the screen', async () => {
    const captured = await tmux.capturePanes(['capb'], 50);
    expect(captured.get('capb')?.[0]).toBe('beta-11');
    expect(captured.get('capb')).toHaveLength(50);
  });

  it('skips missing sessions without failing the others', async () => {
    const captured = await tmux.capturePanes(['nope1', 'capa', 'nope2', 'capb', 'capc', 'nope3'], 2);
    expect([...captured.keys()]).toEqual(['capa', 'capb', 'capc']);
    expect(captured.get('capa')).toEqual(['alpha-2', 'alpha-3']);
    expect(captured.get('capb')).toEqual(['beta-59', 'beta-60']);
    expect(captured.get('capc')).toEqual(['gamma']);
  });

  it('returns an empty map for no names', async () => {
    expect((await tmux.capturePanes([], 10)).size).toBe(0);
  });
});

describe('sessions by exact name', () => {
  it('kills w1 and leaves w10 alone', async () => {
    await tmux.newSession(spec('w10', 'sleep 30'));
    await tmux.newSession(spec('w1', 'sleep 30'));
    expect(await tmux.killSession('w1')).toBe(true);
    expect(await tmux.hasSession('w1')).toBe(false);
    expect(await tmux.hasSession('w10')).toBe(true);
    // Now that w1 is gone, a bare prefix must still not reach w10.
    expect(await tmux.killSession('w1')).toBe(false);
    expect(await tmux.hasSession('w10')).toBe(true);
    expect(await tmux.newSession(spec('w1', 'sleep 30'))).toBe('created');
  });
});

describe('sendKeys', () => {
  it('types text and key names into the pane', async () => {
    await tmux.newSession(spec('keys', 'exec cat'));
    await waitFor(async () => (await pane('keys'))?.currentCommand === 'cat' || undefined, { what: 'cat running' });
    await tmux.sendKeys('keys', ['typed-text', 'Enter']);
    // The tty echoes the line and cat prints it back: two copies.
    await waitFor(async () => ((await screen('keys')).match(/typed-text/g)?.length === 2 ? true : undefined), { what: 'echo from cat' });
    await tmux.sendKeys('keys', ['C-c']);
    expect(await deadPane('keys')).toMatchObject({ deadSignal: 2, deadStatus: null });
  });

  it('reaches the program while the person scrolls the pane in copy mode: a paste is submitted, C-c interrupts', async () => {
    await tmux.newSession(spec('scrolled', 'exec cat'));
    await waitFor(async () => (await pane('scrolled'))?.currentCommand === 'cat' || undefined, { what: 'cat running' });
    const inMode = async (): Promise<string> => (await tmuxCli('display-message', '-p', '-t', '=scrolled:', '#{pane_in_mode}')).trim();
    await tmuxCli('copy-mode', '-t', '=scrolled:');
    expect(await inMode()).toBe('1');
    await tmux.pasteText('scrolled', 'pasted-line');
    // Submitted: the tty's echo and cat's copy. In copy mode the Enter would have stayed in the mode.
    await waitFor(async () => ((await screen('scrolled')).match(/pasted-line/g)?.length === 2 ? true : undefined), { what: 'cat to print the pasted line back' });
    expect(await inMode()).toBe('0');
    await tmuxCli('copy-mode', '-t', '=scrolled:');
    await tmux.sendKeys('scrolled', ['C-c']);
    expect(await deadPane('scrolled')).toMatchObject({ deadSignal: 2, deadStatus: null });
  });
});

describe('a locale that is not UTF-8', () => {
  it('still lists the panes and reads their UTF-8 screens (LANG unset, as under cron or over ssh)', async () => {
    const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL, LC_CTYPE: process.env.LC_CTYPE };
    await tmux.newSession(spec('plain', 'echo "naïve → café"; exec sleep 30'));
    try {
      for (const key of Object.keys(saved)) delete process.env[key];
      // Without -u the tabs between the fields came back as "_", and no pane at all was read.
      expect((await tmux.listPanes()).map((info) => info.session)).toContain('plain');
      await waitFor(async () => (await screen('plain')).includes('naïve → café') || undefined, { what: 'the UTF-8 line as written' });
    } finally {
      for (const [key, value] of Object.entries(saved)) if (value !== undefined) process.env[key] = value;
    }
  });
});

describe('server and clients', () => {
  it('reports the server pid', async () => {
    const pid = await tmux.serverPid();
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid as number, 0)).not.toThrow();
  });

  it('builds an exact-name attach argv on this socket', () => {
    expect(tmux.attachArgs('w1')).toEqual(['tmux', '-L', socket, '-f', '/dev/null', 'attach-session', '-t', '=w1']);
  });

  it('ignores detaching a client that is not there', async () => {
    await expect(tmux.detachClient('/dev/pts/999')).resolves.toBeUndefined();
  });

  it('kills only its own server', async () => {
    const other = new Tmux(testSocket('other'));
    try {
      await other.newSession({ name: 'x', cwd: root, env: {}, command: 'sleep 30', worker: 'x' });
      expect(await other.serverPid()).not.toBeNull();
      await other.killServer();
      expect(await other.listPanes()).toEqual([]);
      expect(await tmux.hasSession('w10')).toBe(true);
    } finally {
      await killTestServer(other.socket);
    }
  });
});
