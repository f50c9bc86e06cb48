// `npm run bench`: performance figures, printed for people and as JSON. Never a timed assertion:
// these numbers go into notes and comparisons, not into pass/fail.
//
//   node scripts/bench.mjs [--seconds 60] [--workers 20] [--runs 5] [--json-only]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pty from 'node-pty';
import xterm from '@xterm/headless';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    workers: { type: 'string', default: '20' },
    runs: { type: 'string', default: '5' },
    'json-only': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const workerCount = Number(values.workers);
const runs = Number(values.runs);
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'muxctl');
const say = (line) => values['json-only'] || console.log(line);
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function makeProject(workers) {
  const dir = mkdtempSync(join(tmpdir(), 'muxctl-bench-'));
  const repo = join(dir, 'repo');
  const git = (...args) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b' } });
  execFileSync('mkdir', ['-p', repo]);
  git('init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), 'bench\n');
  git('add', '.');
  git('commit', '-qm', 'bench');
  const socket = `muxctl-bench-${process.pid}`;
  const config = {
    project: 'bench',
    tmuxSocket: socket,
    worktreeDir: join(dir, 'worktrees'),
    lanes: { app: {} },
    workers: Array.from({ length: workers }, (_, i) => ({ name: `w${i + 1}`, lane: 'app', command: `echo idle worker ${i + 1}; exec sleep 100000` })),
  };
  const file = join(repo, 'sessions.json');
  writeFileSync(file, JSON.stringify(config));
  return {
    file,
    socket,
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

function spawnDashboard(file, cols = 160, rows = 45) {
  const env = { ...process.env, TERM: 'xterm-256color' };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  const child = pty.spawn('node', [bin, '--config', file], { cols, rows, env, cwd: root });
  child.onData((d) => term.write(d));
  const screen = () => {
    const buf = term.buffer.active;
    const lines = [];
    for (let y = 0; y < rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return lines.join('\n');
  };
  return { child, screen, dispose: () => { try { child.kill(); } catch { /* gone */ } term.dispose(); } };
}

async function until(probe, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (probe()) return;
    await sleep(5);
  }
  throw new Error(`bench: timed out waiting for ${what}`);
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime: fields 14–17 of proc(5), 12–15 after the name.
  return { self: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
}
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = { node: process.version, tmux: execFileSync('tmux', ['-V']).toString().trim(), workers: workerCount };

// 1. Time from starting muxctl to the first full frame (every panel's name on screen).
{
  const project = makeProject(workerCount);
  try {
    execFileSync('node', [bin, '--config', project.file, 'up'], { stdio: 'ignore' });
    const times = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const dash = spawnDashboard(project.file);
      await until(() => {
        const s = dash.screen();
        return s.includes(`${workerCount} workers`) && s.includes('idle worker 1') && s.includes('w9 · app');
      }, 20_000, 'the first full frame');
      times.push(performance.now() - started);
      dash.child.write('q');
      await new Promise((r) => dash.child.onExit(r));
      dash.dispose();
    }
    results.firstFrameMs = { median: Math.round(median(times)), min: Math.round(Math.min(...times)), max: Math.round(Math.max(...times)), runs };
    say(`first full frame (${workerCount} workers, 160×45): median ${results.firstFrameMs.median} ms (min ${results.firstFrameMs.min}, max ${results.firstFrameMs.max}, ${runs} runs)`);
  } finally {
    project.cleanup();
  }
}

// 2. `muxctl up` of all workers from nothing: worktrees and sessions.
{
  const project = makeProject(workerCount);
  try {
    const started = performance.now();
    execFileSync('node', [bin, '--config', project.file, 'up'], { stdio: 'ignore' });
    results.upFromNothingMs = Math.round(performance.now() - started);
    const again = performance.now();
    execFileSync('node', [bin, '--config', project.file, 'up'], { stdio: 'ignore' });
    results.upAgainMs = Math.round(performance.now() - again);
    say(`muxctl up of ${workerCount} workers from nothing: ${results.upFromNothingMs} ms; again (all running): ${results.upAgainMs} ms`);
  } finally {
    project.cleanup();
  }
}

// 3. The dashboard's CPU and RSS with idle workers, over `seconds`.
{
  const project = makeProject(workerCount);
  try {
    execFileSync('node', [bin, '--config', project.file, 'up'], { stdio: 'ignore' });
    const dash = spawnDashboard(project.file);
    await until(() => dash.screen().includes(`${workerCount} workers`), 20_000, 'the dashboard');
    await sleep(3000); // let start-up work settle
    const serverPid = Number(execFileSync('tmux', ['-L', project.socket, '-f', '/dev/null', 'display-message', '-p', '#{pid}']).toString().trim());
    const before = cpuTicks(dash.child.pid);
    const serverBefore = cpuTicks(serverPid).self;
    const rss = [];
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      rss.push(rssMb(dash.child.pid));
      await sleep(1000);
    }
    const elapsed = (performance.now() - t0) / 1000;
    const after = cpuTicks(dash.child.pid);
    const serverAfter = cpuTicks(serverPid).self;
    const pct = (ticks) => Math.round((ticks / ticksPerSecond / elapsed) * 1000) / 10;
    results.idle = {
      seconds: Math.round(elapsed),
      dashboardCpuPct: pct(after.self - before.self),
      tmuxCallsCpuPct: pct(after.children - before.children),
      tmuxServerCpuPct: pct(serverAfter - serverBefore),
      rssMb: { median: Math.round(median(rss)), max: Math.round(Math.max(...rss)) },
    };
    say(`idle, ${workerCount} workers, ${results.idle.seconds} s: dashboard ${results.idle.dashboardCpuPct}% of a core (+ its tmux calls ${results.idle.tmuxCallsCpuPct}%, tmux server ${results.idle.tmuxServerCpuPct}%), RSS median ${results.idle.rssMb.median} MB, max ${results.idle.rssMb.max} MB`);
    dash.child.write('q');
    await new Promise((r) => dash.child.onExit(r));
    dash.dispose();
  } finally {
    project.cleanup();
  }
}

console.log(JSON.stringify(results));
