/**
 * End-to-end: a worker on another machine in the BUILT dashboard, read off its screen. The "host" is
 * this machine through a real sshd on loopback, with its own clone and its own tmux server. Its panel
 * shows its screen and its log's state; Enter attaches over ssh and Ctrl-Q comes back; when the host
 * goes away its panel says unreachable (not missing, not crashed) while this machine's worker carries
 * on, and when the host is back the panel is live again on the same, never-restarted process. A task
 * handed out by the dashboard goes there, survives the host going away mid-task with every log line
 * read once, and the worker's own `muxctl task done` there lands its commit on the base here.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/gitRepo.js';
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

  it('gets a task from the dashboard, keeps it through the host going away mid-task with no line lost, and lands what it committed there', async () => {
    // Idle soon after its screen settles, so the dispatcher hands it the task without a long wait.
    const project = await startedProject('hosttaskdash', [tick('w1')], { health: { idleAfterSeconds: 2, stuckAfterSeconds: 600 } });
    const flag = join(project.repo.scratch, 'finish-now');
    // Works step by step (a status line a step in its event log) until told to finish, then commits
    // and says `muxctl task done` itself, through muxctl's stand-in on the host.
    const worker = [
      'echo "ready on $MUXCTL_HOST"',
      'while IFS= read -r line; do case "$line" in "Task "*) break;; esac; done',
      'echo "got the task"',
      'i=0',
      `while [ ! -e '${flag}' ]; do i=$((i+1)); echo "step-$i"; printf '{"type":"status","text":"step %s"}\\n' "$i" >> "$MUXCTL_AGENT_LOG"; sleep 0.3; done`,
      'echo trained > model.txt && git add model.txt && git -c user.name=agent -c user.email=agent@muxctl.invalid commit -qm "Train the model"',
      'muxctl task done; echo "done=$?"',
      'exec sleep 600',
    ].join('; ');
    const { hostSocket } = await host.add(project, [{ name: 'gpu-1', lane: 'infra', command: ['bash', '-c', worker], task: { delivery: 'paste' } }]);
    expect((await project.run(['up', 'gpu-1'])).exitCode).toBe(0);
    const pid = tmuxSync(hostSocket, ['list-panes', '-t', '=gpu-1:', '-F', '#{pane_pid}']).trim();
    const stats = join(project.repo.scratch, 'stats.json');
    const screen = openDashboard(project, 120, 36, { env: { MUXCTL_STATS_FILE: stats } });
    await waitForPanel(screen, 'gpu-1', 'ready on box1', 15_000);

    // The dashboard's dispatcher hands it out: gpu-1 is the one worker of lane infra.
    expect((await project.run(['task', 'add', 'Train the model', '--lane', 'infra'])).exitCode).toBe(0);
    await waitForPanel(screen, 'gpu-1', /step-\d+/, 30_000);

    // The host goes away mid-task: unreachable, not crashed, and the task stays gpu-1's.
    await host.sshd.interrupt();
    await waitForPanel(screen, 'gpu-1', /host box1 unreachable since \d\d:\d\d:\d\d · retrying/, 20_000);
    expect(badgeOf(screen, 'gpu-1')).toBe('⇄ unreachable');
    const during = JSON.parse((await project.run(['task', 'list', '--json'])).stdout) as Array<{ id: string; state: string; assignee: string | null }>;
    expect(during).toMatchObject([{ id: 'T1', state: 'running', assignee: 'gpu-1' }]);
    await host.sshd.resume();
    await waitForScreen(screen, () => badgeOf(screen, 'gpu-1') === '● working', 'gpu-1 working again after the host came back', 45_000);

    // Told to finish: its commit, then its own "done", answered there by this dashboard.
    writeFileSync(flag, '');
    await waitForPanel(screen, 'gpu-1', 'done=0', 30_000);
    expect(tmuxSync(hostSocket, ['capture-pane', '-p', '-t', '=gpu-1:']).replace(/\s+$/, '')).toMatch(/T1 done[\s\S]*done=0/);
    expect(tmuxSync(hostSocket, ['list-panes', '-t', '=gpu-1:', '-F', '#{pane_pid}']).trim()).toBe(pid);
    const land = await project.run(['land']);
    expect(land.exitCode, `${land.stdout}${land.stderr}`).toBe(0);
    expect(await git(project.repo.path, 'show', 'main:model.txt')).toBe('trained');

    screen.write('q');
    expect(await screen.waitForExit()).toEqual({ exitCode: 0 });
    // Every line the worker wrote there was read once: none lost in the drop, none read twice after it.
    const written = readFileSync(join(project.repo.scratch, 'box1-worktrees', '.muxctl', 'logs', 'gpu-1.events.jsonl'), 'utf8').split('\n').filter((l) => l !== '').length;
    expect(existsSync(stats)).toBe(true);
    const read = (JSON.parse(readFileSync(stats, 'utf8')) as { linesRead: Record<string, number> }).linesRead['gpu-1'];
    expect(written).toBeGreaterThan(5);
    expect(read).toBe(written);
  }, 180_000);
});
