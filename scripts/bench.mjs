// `npm run bench`: performance figures, printed for people and as JSON. Never a timed assertion:
// these numbers go into notes and comparisons, not into pass/fail.
//
//   node scripts/bench.mjs [--seconds 60] [--workers 20] [--runs 5] [--ingest-seconds 30] [--ingest-rate 500]
//                          [--soak-minutes 10] [--quick] [--profile DIR] [--json-only]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pty from 'node-pty';
import xterm from '@xterm/headless';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    workers: { type: 'string', default: '20' },
    runs: { type: 'string', default: '5' },
    'json-only': { type: 'boolean', default: false },
    'ingest-seconds': { type: 'string', default: '30' },
    'ingest-rate': { type: 'string', default: '500' },
    'soak-minutes': { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
    // Writes a V8 CPU profile of each dashboard run into this folder (open it in Chrome's DevTools).
    profile: { type: 'string' },
  },
});
// --quick: short runs to see that every part works, not figures to quote.
const seconds = values.quick ? 10 : Number(values.seconds);
const ingestSeconds = values.quick ? 8 : Number(values['ingest-seconds']);
const ingestRate = Number(values['ingest-rate']);
const soakMinutes = values.quick ? 0 : Number(values['soak-minutes']);
const workerCount = Number(values.workers);
const runs = Number(values.runs);
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'muxctl');
const say = (line) => values['json-only'] || console.log(line);
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function makeProject(workers, command = (i) => `echo idle worker ${i + 1}; exec sleep 100000`) {
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
    workers: Array.from({ length: workers }, (_, i) => ({ name: `w${i + 1}`, lane: 'app', command: command(i) })),
  };
  const file = join(repo, 'sessions.json');
  writeFileSync(file, JSON.stringify(config));
  return {
    file,
    socket,
    repo,
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

function spawnDashboard(file, cols = 160, rows = 45, extraEnv = {}) {
  const env = { ...process.env, TERM: 'xterm-256color', ...extraEnv };

  delete env.TMUX;
  delete env.TMUX_PANE;
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  // --cpu-prof is refused in NODE_OPTIONS: it goes on the command line.
  const profiling = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile)}`] : [];
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
  return { child, screen, counter, dispose: () => { try { child.kill(); } catch { /* gone */ } term.dispose(); } };
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

// 3. The dashboard's CPU and RSS with idle workers, over `seconds`: with an empty board, then with a
// board of BOARD_TASKS (what the dispatcher and the board's poll cost when nothing happens).
async function idle(label, { prepare = () => {}, shown = () => true } = {}) {
  const project = makeProject(workerCount);
  try {
    execFileSync('node', [bin, '--config', project.file, 'up'], { stdio: 'ignore' });
    prepare(project);
    const dash = spawnDashboard(project.file);
    await until(() => {
      const screen = dash.screen();
      return screen.includes(`${workerCount} workers`) && shown(screen);
    }, 20_000, `the dashboard (${label})`);
    // Idle is the steady state of a dashboard left open: start-up work (and the garbage collection
    // that follows it) is over within ~10 s.
    await sleep(10_000);
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
    const out = {
      seconds: Math.round(elapsed),
      dashboardCpuPct: pct(after.self - before.self),
      tmuxCallsCpuPct: pct(after.children - before.children),
      tmuxServerCpuPct: pct(serverAfter - serverBefore),
      rssMb: { median: Math.round(median(rss)), max: Math.round(Math.max(...rss)) },
    };
    say(`${label}, ${workerCount} workers, ${out.seconds} s: dashboard ${out.dashboardCpuPct}% of a core (+ its tmux calls ${out.tmuxCallsCpuPct}%, tmux server ${out.tmuxServerCpuPct}%), RSS median ${out.rssMb.median} MB, max ${out.rssMb.max} MB`);
    dash.child.write('q');
    await new Promise((r) => dash.child.onExit(r));
    dash.dispose();
    return out;
  } finally {
    project.cleanup();
  }
}

/** A board after days of work: mostly landed, some done awaiting a landing, some still queued. */
const BOARD = { landed: 200, done: 50, queued: 50 };
const BOARD_TASKS = Object.values(BOARD).reduce((a, b) => a + b, 0);

// Rows written straight into the schema TaskStore creates (src/adapters/taskStoreSchema.ts MIGRATIONS), in one
// transaction: `muxctl task add` takes ~0.2 s a task. Only tasks and their 'add' events, as the CLI writes.
function seedBoard(project) {
  // Paused so nothing queued is handed out; opening the board for that also creates its schema.
  execFileSync('node', [bin, '--config', project.file, 'dispatch', 'pause'], { stdio: 'ignore' });
  const db = new Database(join(project.repo, '.muxctl', 'state.db'), { timeout: 10_000 });
  try {
    const insertTask = db.prepare(
      `INSERT INTO tasks (id, seq, state, title, prompt, lane, priority, labels, check_cmd, branch, base_sha, assignee, attempts,
         max_attempts, lease_holder, lease_expires, checkpoints, outcome, after_ids, chain, created_at, updated_at)
       VALUES (@id, @seq, @state, @title, @title, 'app', @priority, '[]', NULL, @branch, NULL, @assignee, @attempts,
         3, NULL, NULL, '[]', @outcome, '[]', NULL, @created, @updated)`,
    );
    const insertAdd = db.prepare(
      `INSERT INTO events (time, actor_kind, actor_name, kind, subject, action, from_state, to_state, worker, reasons)
       VALUES (?, 'person', 'bench', 'task', ?, 'add', NULL, 'queued', NULL, ?)`,
    );
    const states = Object.entries(BOARD).flatMap(([state, count]) => Array(count).fill(state));
    const firstAdded = Date.now() - states.length * 60_000;
    db.transaction(() => {
      states.forEach((state, i) => {
        const seq = i + 1;
        const id = `T${seq}`;
        const created = firstAdded + i * 60_000;
        const worked = state !== 'queued';
        const priority = seq % 5;
        insertTask.run({
          id,
          seq,
          state,
          title: `bench task ${seq}`,
          priority,
          branch: worked ? `task/${id}-bench-task-${seq}` : null,
          assignee: worked ? `w${(i % workerCount) + 1}` : null,
          attempts: worked ? 1 : 0,
          outcome: worked ? JSON.stringify({ message: `finished bench task ${seq}`, commits: 1 }) : null,
          created,
          updated: worked ? created + 30_000 : created,
        });
        insertAdd.run(created, id, JSON.stringify([`lane app, priority ${priority}`]));
      });
    })();
  } finally {
    db.close();
  }
}

results.idle = await idle('idle');
results.idleBoard = {
  tasks: BOARD,
  ...(await idle(`idle with a board of ${BOARD_TASKS} tasks`, {
    prepare: seedBoard,
    // The header's count: the dashboard has read the board (and sees dispatch paused) before the window starts.
    shown: (screen) => screen.includes(`${BOARD.queued} queued`) && screen.includes('dispatch paused'),
  })),
};

// 4. Ingest: every worker appends `ingestRate` lines/s; then (5) the same load for `soakMinutes`.
async function ingest(runSeconds, label) {
  const writer = join(root, 'scripts', 'bench-writer.mjs');
  const project = makeProject(workerCount, () => `exec node ${writer} --rate ${ingestRate} --seconds ${runSeconds}`);
  const statsFile = join(project.repo, '..', 'stats.json');
  try {
    const dash = spawnDashboard(project.file, 160, 45, { MUXCTL_STATS_FILE: statsFile });
    await until(() => dash.screen().includes(`${workerCount} workers`), 20_000, 'the dashboard');
    execFileSync('node', [bin, '--config', project.file, 'up'], { stdio: 'ignore' });
    const t0 = performance.now();
    const before = cpuTicks(dash.child.pid);
    const bytesBefore = dash.counter.bytes;
    const rss = [];
    const delays = [];
    const markFile = join(project.repo, '.muxctl', 'logs', 'w1.events.jsonl');
    let mark = 0;
    while (performance.now() - t0 < runSeconds * 1000) {
      rss.push({ at: (performance.now() - t0) / 1000, mb: rssMb(dash.child.pid) });
      // A marked line into w1's log: how long until a person sees it in w1's panel?
      if (performance.now() - t0 > 3000) {
        mark += 1;
        const text = `MARK-${mark}-${process.pid}`;
        const written = performance.now();
        writeFileSync(markFile, JSON.stringify({ time: new Date().toISOString(), type: 'prompt', text }) + '\n', { flag: 'a' });
        try {
          await until(() => dash.screen().includes(text), 5000, `mark ${mark} on screen`);
          delays.push(performance.now() - written);
        } catch {
          delays.push(Infinity);
        }
      }
      await sleep(1000);
    }
    const elapsed = (performance.now() - t0) / 1000;
    const after = cpuTicks(dash.child.pid);
    const screenBytesPerSecond = Math.round((dash.counter.bytes - bytesBefore) / elapsed);
    await sleep(1500); // let the last lines land
    dash.child.write('q');
    await new Promise((r) => dash.child.onExit(r));
    dash.dispose();
    const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
    // What was written is what the files hold; what was read is what the dashboard counted.
    let written = 0;
    for (let i = 1; i <= workerCount; i++) {
      const text = readFileSync(join(project.repo, '.muxctl', 'logs', `w${i}.events.jsonl`), 'utf8');
      written += text.split('\n').length - 1;
    }
    const read = Object.values(stats.linesRead).reduce((a, b) => a + b, 0);
    const warm = rss.filter((r) => r.at > Math.min(60, runSeconds / 3));
    const pct = (ticks) => Math.round((ticks / ticksPerSecond / elapsed) * 1000) / 10;
    const finite = delays.filter(Number.isFinite);
    const out = {
      seconds: Math.round(elapsed),
      linesPerSecondPerWorker: ingestRate,
      dashboardCpuPct: pct(after.self - before.self),
      tmuxCallsCpuPct: pct(after.children - before.children),
      rssMb: {
        median: Math.round(median(rss.map((r) => r.mb))),
        max: Math.round(Math.max(...rss.map((r) => r.mb))),
        warmFirst: Math.round(warm[0]?.mb ?? 0),
        warmLast: Math.round(warm.at(-1)?.mb ?? 0),
        // The median of each quarter after warm-up: a leak climbs quarter after quarter, a heap that
        // breathes does not.
        quarters: [0, 1, 2, 3].map((q) => Math.round(median(warm.slice(Math.floor((q * warm.length) / 4), Math.floor(((q + 1) * warm.length) / 4)).map((r) => r.mb)) ?? 0)),
      },
      lines: { expected: written, read, lost: written - read },
      screenKBPerSecond: Math.round(screenBytesPerSecond / 1024),
      displayDelayMs: { median: Math.round(median(finite)), max: Math.round(Math.max(...finite)), missed: delays.length - finite.length, samples: delays.length },
    };
    say(`${label}, ${workerCount} workers × ${ingestRate} lines/s, ${out.seconds} s: dashboard ${out.dashboardCpuPct}% of a core (+ tmux calls ${out.tmuxCallsCpuPct}%), RSS median ${out.rssMb.median} MB (max ${out.rssMb.max}; after warm-up ${out.rssMb.warmFirst} → ${out.rssMb.warmLast}, quarter medians ${out.rssMb.quarters.join(' / ')}), lines read ${read} of ${written} (lost ${out.lines.lost}), ${out.screenKBPerSecond} KB/s to the terminal, write→screen median ${out.displayDelayMs.median} ms, max ${out.displayDelayMs.max} ms (${out.displayDelayMs.samples} samples, ${out.displayDelayMs.missed} missed)`);
    return out;
  } finally {
    project.cleanup();
  }
}

results.ingest = await ingest(ingestSeconds, 'ingest');
if (soakMinutes > 0) results.soak = await ingest(soakMinutes * 60, 'soak');

console.log(JSON.stringify(results));
