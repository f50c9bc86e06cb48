/**
 * End-to-end: a worker on another machine in the BUILT dashboard, read off its screen. The "host" is
 * this machine through a real sshd on loopback, with its own clone and its own tmux server. Its panel
 * shows its screen and its log's state; Enter attaches over ssh and Ctrl-Q comes back; when the host
 * goes away its panel says unreachable (not missing, not crashed) while this machine's worker carries
 * on, and when the host is back the panel is live again on the same, never-restarted process.
 */
import { describe, expect, it } from 'vitest';
import { useLoopbackHost } from '../helpers/hosts.js';
import { keys } from '../helpers/pty.js';
import { tmuxSync } from '../helpers/tmuxSocket.js';
import { badgeOf, openDashboard, screenDump, tick, useStartedProjects, waitForPanel, waitForScreen, waitForSelected } from './dashboardScreen.js';

const startedProject = useStartedProjects();
const host = useLoopbackHost();

/** Counts on its screen and in its event log, and answers what is typed into it. */
const COUNTER = [
  'echo "ready on $MUXCTL_HOST"',
  'i=0',
  'while :; do i=$((i+1)); echo "count-$i"; printf \'{"type":"status","text":"count %s"}\\n\' "$i" >> "$MUXCTL_AGENT_LOG"; if read -t 1 line; then echo "got:$line"; fi; done',
].join('; ');

describe('a worker on another machine', () => {
  it('is shown, attached over ssh, unreachable while its host is gone, and back on the same process after', async () => {
    const project = await startedProject('hostdash', [tick('w1')], {});
    const { hostSocket } = await host.add(project, [{ name: 'gpu-1', command: ['bash', '-c', COUNTER] }]);
    const up = await project.run(['up', 'gpu-1']);
    expect(up.exitCode, up.stderr).toBe(0);
    const hostPid = () => tmuxSync(hostSocket, ['list-panes', '-t', '=gpu-1:', '-F', '#{pane_pid}']).trim();
    const pid = hostPid();
    expect(pid).toMatch(/^\d+$/);

    const screen = openDashboard(project, 120, 36);
    // Its panel: titled with its host, its screen as read there, its log's state.
    await waitForPanel(screen, 'gpu-1', 'ready on box1', 15_000);
    await waitForScreen(screen, () => /gpu-1 · app @box1/.test(screen.text()), 'the host in its title');
    await waitForScreen(screen, () => badgeOf(screen, 'gpu-1') === '● working', 'gpu-1 working (its log moves)', 15_000);

    // Enter attaches over ssh to its session on the host; Ctrl-Q comes back and the session stays.
    screen.write(keys.right);
    await waitForSelected(screen, 'gpu-1');
    screen.write(keys.enter);
    await screen.waitForText(/^\[gpu-1\] 0:/m, { what: "tmux's status bar for gpu-1, on the host", timeoutMs: 15_000 });
    screen.write(`hello-over-ssh${keys.enter}`);
    await screen.waitForText('got:hello-over-ssh', { timeoutMs: 10_000 });
    screen.write(keys.ctrlQ);
    await screen.waitForText('back from gpu-1', { timeoutMs: 10_000 });
    expect(hostPid()).toBe(pid);

    // The host goes away: its panel says so, with ssh's words; the worker here is still live.
    await host.sshd.interrupt();
    await waitForPanel(screen, 'gpu-1', /host box1 unreachable since \d\d:\d\d:\d\d · retrying/, 20_000);
    expect(badgeOf(screen, 'gpu-1')).toBe('⇄ unreachable');
    await waitForPanel(screen, 'w1', 'tick-w1');
    expect(badgeOf(screen, 'w1'), screenDump(screen)()).not.toMatch(/unreachable|missing/);

    // Back: the same process, never restarted, counting on; its panel is live again.
    await host.sshd.resume();
    await waitForScreen(screen, () => badgeOf(screen, 'gpu-1') === '● working', 'gpu-1 working again after the host came back', 45_000);
    expect(hostPid()).toBe(pid);
    screen.write('q');
    expect(await screen.waitForExit()).toEqual({ exitCode: 0 });
  }, 150_000);
});
