import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { processAlive } from '../helpers/cli.js';
import { disposeAllPtys, keys, spawnInPty } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';

const SOCKET = `muxctl-test-harness-${process.pid}`;
/** tmux 3.3 leaves its socket file behind after kill-server: remember it to remove it. */
let socketPath: string | undefined;

afterEach(disposeAllPtys);

afterAll(() => {
  try {
    execFileSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // No server left: the test already killed it, or never got as far as starting one.
  }
  if (socketPath !== undefined) rmSync(socketPath, { force: true });
});

function tmuxHasServer(): boolean {
  try {
    execFileSync('tmux', ['-L', SOCKET, 'list-sessions'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('pty harness', () => {
  it('reads what a program prints, types into it, and reports its exit code', async () => {
    const screen = spawnInPty('bash', ['--norc', '-c', 'printf "hello\\n"; read x; echo got:$x; exit 7'], { cols: 80, rows: 24 });
    await screen.waitForText('hello');
    expect(screen.text()).not.toContain('got:');
    screen.write(`abc${keys.enter}`);
    await screen.waitForText('got:abc');
    expect(await screen.waitForExit()).toEqual({ exitCode: 7 });
    expect(screen.lines()).toHaveLength(24);
    expect(screen.output).toContain('got:abc');
  });

  it('exits 0 for a program that succeeds', async () => {
    const screen = spawnInPty('bash', ['--norc', '-c', 'printf "hello\\n"; read x; echo got:$x'], {});
    await screen.waitForText(/hel+o/);
    screen.write(`abc${keys.enter}`);
    await screen.waitForText('got:abc');
    expect((await screen.waitForExit()).exitCode).toBe(0);
  });

  it('keeps everything a program printed just before it exited', async () => {
    // Without the harness holding the pty open, Linux lost the tail of this output in 2 of 3 runs.
    for (let run = 0; run < 5; run++) {
      const screen = spawnInPty('bash', ['--norc', '-c', 'head -c 20000 /dev/zero | tr "\\0" x; echo; echo END-MARK'], {});
      expect((await screen.waitForExit()).exitCode).toBe(0);
      await screen.waitForText('END-MARK');
      expect(screen.output.split('x').length - 1).toBe(20_000);
      screen.dispose();
    }
  });

  it('shows the screen, not the byte stream: text overwritten with \\r is gone', async () => {
    const screen = spawnInPty('bash', ['--norc', '-c', 'printf "loading...\\rready     \\n"; sleep 30'], {});
    await screen.waitForText('ready');
    expect(screen.text()).not.toContain('loading');
    expect(screen.output).toContain('loading');
  });

  it('on timeout, says what it waited for and shows the current screen', async () => {
    const screen = spawnInPty('bash', ['--norc', '-c', 'echo visible-line; sleep 30'], {});
    await screen.waitForText('visible-line');
    await expect(screen.waitForText('never-printed', { timeoutMs: 200, what: 'the impossible' }))
      .rejects.toThrow(/Waiting for the impossible: timed out after 200 ms[\s\S]*visible-line/);
    await expect(screen.waitForNoText('visible-line', { timeoutMs: 200 })).rejects.toThrow(/no "visible-line"/);
  });

  it('fails at once when the process exits without printing the text', async () => {
    const screen = spawnInPty('bash', ['--norc', '-c', 'echo bye; exit 2'], {});
    const started = Date.now();
    await expect(screen.waitForText('never-printed', { timeoutMs: 20_000 })).rejects.toThrow(/exited first[\s\S]*code 2[\s\S]*bye/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('waits for text to go away', async () => {
    const screen = spawnInPty('bash', ['--norc', '-c', 'echo busy; read x; clear; echo idle; sleep 30'], {});
    await screen.waitForText('busy');
    screen.write(keys.enter);
    await screen.waitForNoText('busy');
    await screen.waitForText('idle');
  });

  it('resizing changes what stty size prints', async () => {
    const screen = spawnInPty('bash', ['--norc', '-c', 'stty size; read x; stty size; read x'], { cols: 80, rows: 24 });
    await screen.waitForText(/^24 80$/m);
    screen.resize(120, 40);
    screen.write(keys.enter);
    await screen.waitForText(/^40 120$/m);
    expect(screen.lines()).toHaveLength(40);
  });

  it('kill sends a signal; waitForExit reports it', async () => {
    const screen = spawnInPty('sleep', ['30'], {});
    screen.kill('SIGTERM');
    const exit = await screen.waitForExit();
    expect(exit.signal).toBe(15);
  });

  it('starts from a minimal environment: no TMUX, a known TERM and LANG, extra variables added', async () => {
    const previous = process.env['TMUX'];
    process.env['TMUX'] = '/tmp/outer-tmux,1,0';
    try {
      const screen = spawnInPty('bash', ['--norc', '-c', 'echo "[$TMUX][$TERM][$LANG][$EXTRA][${SECRET-unset}]"; sleep 30'], {
        env: { EXTRA: 'yes' },
      });
      await screen.waitForText('[][xterm-256color][C.UTF-8][yes][unset]');
    } finally {
      if (previous === undefined) delete process.env['TMUX'];
      else process.env['TMUX'] = previous;
    }
  });

  it('runs a full-screen program: tmux attached in the pty shows its pane', async () => {
    const screen = spawnInPty('tmux', ['-L', SOCKET, '-f', '/dev/null', 'new-session', 'echo inside; sleep 30'], { cols: 90, rows: 25 });
    await screen.waitForText('inside', { what: 'the pane of the tmux session' });
    // tmux draws its status line on the last row of the screen.
    await screen.waitForText(/\[0\] 0:/);
    expect(screen.lines()).toHaveLength(25);
    expect(tmuxHasServer()).toBe(true);
    socketPath = execFileSync('tmux', ['-L', SOCKET, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).trim();
    execFileSync('tmux', ['-L', SOCKET, 'kill-server']);
    await screen.waitForText('[server exited]');
    await screen.waitForExit();
    expect(tmuxHasServer()).toBe(false);
  });

  it('dispose kills a program that is still running', async () => {
    const screen = spawnInPty('sleep', ['30'], {});
    const pid = screen.pid;
    screen.dispose();
    screen.dispose();
    await waitFor(() => !processAlive(pid), { what: `pid ${pid} to be gone`, timeoutMs: 5_000, intervalMs: 20 });
    expect(processAlive(pid)).toBe(false);
  });
});
