// The parts `npm run bench` measures with: a scratch project, the dashboard in a pty read through a
// headless terminal, waits with deadlines, and what /proc says of a process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pty from 'node-pty';
import xterm from '@xterm/headless';

export const root = resolve(import.meta.dirname, '..');
// MUXCTL_BENCH_BIN: another build's bin (a copy of an older checkout), to compare two builds on the same bench.
export const bin = process.env.MUXCTL_BENCH_BIN ?? join(root, 'bin', 'muxctl');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** A git repository with `workers` workers in one lane, on its own tmux socket. */
export function makeProject(workers, command = (i) => `echo idle worker ${i + 1}; exec sleep 100000`) {
  const dir = mkdtempSync(join(tmpdir(), 'muxctl-bench-'));
  const repo = join(dir, 'repo');
  const git = (...args) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b' } });
  execFileSync('mkdir', ['-p', repo]);
  git('init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), 'bench\n');
  git('add', '.');
  git('commit', '-qm', 'bench');
  const socket = `muxctl-bench-${process.pid}-${workers}`;
  const config = {
    project: 'bench',
    tmuxSocket: socket,
    worktreeDir: join(dir, 'worktrees'),
    lanes: { app: {} },
    workers: Array.from({ length: workers }, (_, i) => ({ name: `w${i + 1}`, lane: 'app', command: command(i) })),
  };
  const file = join(repo, 'sessions.json');
  writeFileSync(file, JSON.stringify(config));
  return {
    dir,
    file,
    socket,
    repo,
    workers,
    muxctl: (...args) => execFileSync('node', [bin, '--config', file, ...args], { stdio: 'ignore' }),
    cleanup() {
      try {
        execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'kill-server'], { stdio: 'ignore' });
      } catch {
        /* no server */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The built dashboard in a pty of `cols`×`rows`; `profile` is a folder for V8 CPU profiles. */
export function spawnDashboard(file, { cols = 160, rows = 45, env: extraEnv = {}, profile } = {}) {
  const env = { ...process.env, TERM: 'xterm-256color', ...extraEnv };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  // --cpu-prof is refused in NODE_OPTIONS: it goes on the command line.
  const profiling = profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profile)}`] : [];
  const child = pty.spawn('node', [...profiling, bin, '--config', file], { cols, rows, env, cwd: root });
  const counter = { bytes: 0 };
  child.onData((d) => {
    counter.bytes += Buffer.byteLength(d);
    term.write(d);
  });
  const screen = () => {
    const buf = term.buffer.active;
    const lines = [];
    for (let y = 0; y < rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return lines.join('\n');
  };
  const quit = async () => {
    child.write('q');
    await new Promise((r) => child.onExit(r));
    term.dispose();
  };
  return { child, screen, counter, quit };
}

export async function until(probe, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (probe()) return;
    await sleep(5);
  }
  throw new Error(`bench: timed out waiting for ${what}`);
}

/** CPU time of a process and of its waited-for children, in clock ticks. */
export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime: fields 14–17 of proc(5), 12–15 after the name.
  return { self: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
}

/**
 * CPU ticks of a process's main thread alone (utime + stime). The rest of `cpuTicks(pid).self` is the
 * other threads': V8's background compiler and GC, libuv's pool.
 */
export function mainThreadTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export const cpuMs = (ticks) => Math.round((ticks / ticksPerSecond) * 1000);

/** `ticks` over `seconds` as a percentage of one core, one decimal. */
export const cpuPct = (ticks, seconds) => Math.round((ticks / ticksPerSecond / seconds) * 1000) / 10;

export const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

export function tmuxServerPid(socket) {
  return Number(execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'display-message', '-p', '#{pid}']).toString().trim());
}

/** Median, min and max of `runs` timings of `fn` (ms). */
export async function timed(runs, fn) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  return { median: Math.round(median(times)), min: Math.round(Math.min(...times)), max: Math.round(Math.max(...times)), runs };
}

/** The median of each mark over several start-up timelines (MUXCTL_TIMELINE files). */
export function medianTimeline(timelines) {
  const marks = Object.keys(timelines[0] ?? {});
  return Object.fromEntries(marks.map((mark) => [mark, Math.round(median(timelines.map((t) => t[mark] ?? NaN)))]));
}
