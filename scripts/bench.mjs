// `npm run bench`: performance figures, printed for people and as JSON. Never a timed assertion:
// these numbers go into notes and comparisons, not into pass/fail.
//
//   node scripts/bench.mjs [--seconds 60] [--workers 20] [--runs 5] [--ingest-seconds 30] [--ingest-rate 500]
//                          [--soak-minutes 10] [--many 100] [--many-rate 100] [--long-idle-minutes 60] [--hosts 2]
//                          [--only version,status,first-frame,up,idle,ingest,soak,many,long-idle,remote]
//                          [--quick] [--profile DIR] [--json-only]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { bin, cpuMs, cpuPct, cpuTicks, mainThreadTicks, makeProject, median, medianTimeline, root, rssMb, sleep, spawnDashboard, timed, tmuxServerPid, until } from './bench-lib.mjs';

const PHASES = ['version', 'status', 'first-frame', 'up', 'idle', 'ingest', 'soak', 'many', 'long-idle', 'remote'];
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    workers: { type: 'string', default: '20' },
    runs: { type: 'string', default: '5' },
    'json-only': { type: 'boolean', default: false },
    'ingest-seconds': { type: 'string', default: '30' },
    'ingest-rate': { type: 'string', default: '500' },
    'soak-minutes': { type: 'string', default: '10' },
    // The screen that must hold a hundred workers: its first frame, idle and ingest.
    many: { type: 'string', default: '100' },
    'many-rate': { type: 'string', default: '100' },
    // A dashboard left open: does its memory stay flat?
    'long-idle-minutes': { type: 'string', default: '60' },
    // Workers on other machines: how many loopback "hosts" the remote phase spreads its workers over.
    hosts: { type: 'string', default: '2' },
    only: { type: 'string', default: PHASES.join(',') },
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
const longIdleMinutes = values.quick ? 0 : Number(values['long-idle-minutes']);
const workerCount = Number(values.workers);
const many = Number(values.many);
const manyRate = Number(values['many-rate']);
const runs = Number(values.runs);
const hostCount = Math.max(1, Number(values.hosts));
const only = new Set(values.only.split(','));
for (const phase of only) if (!PHASES.includes(phase)) throw new Error(`bench: unknown phase "${phase}" (phases: ${PHASES.join(', ')})`);
const say = (line) => values['json-only'] || console.log(line);
const timelineText = (t) => Object.entries(t).map(([mark, ms]) => `${mark} ${ms}`).join(' → ');

const results = { node: process.version, tmux: execFileSync('tmux', ['-V']).toString().trim(), workers: workerCount };

// 1. `muxctl --version`: node's own start, the entry and nothing else. Beside it, a bare node.
if (only.has('version')) {
  const version = await timed(runs * 2, () => execFileSync('node', [bin, '--version'], { stdio: 'ignore' }));
  const bare = await timed(runs * 2, () => execFileSync('node', ['-e', ''], { stdio: 'ignore' }));
  results.versionMs = { ...version, bareNodeMedian: bare.median };
  say(`muxctl --version: median ${version.median} ms (min ${version.min}, max ${version.max}, ${version.runs} runs); a bare node -e '': ${bare.median} ms`);
}

// 2. `muxctl status` of running workers, with its start-up timeline.
if (only.has('status')) {
  const project = makeProject(workerCount);
  try {
    project.muxctl('up');
    const timelines = [];
    const file = join(project.dir, 'timeline.json');
    const status = await timed(runs * 2, () => {
      execFileSync('node', [bin, '--config', project.file, 'status'], { stdio: 'ignore', env: { ...process.env, MUXCTL_TIMELINE: file } });
      if (existsSync(file)) timelines.push(JSON.parse(readFileSync(file, 'utf8')));
    });
    results.statusMs = { ...status, timeline: medianTimeline(timelines) };
    say(`muxctl status (${workerCount} workers): median ${status.median} ms (min ${status.min}, max ${status.max}, ${status.runs} runs)`);
    say(`  timeline (ms since the process began, medians): ${timelineText(results.statusMs.timeline)}`);
  } finally {
    project.cleanup();
  }
}

/**
 * Time from starting muxctl to the first full frame: every panel's name on screen for a grid, a row a
 * worker for the list. Also the dashboard's own start-up timeline.
 */
async function firstFrame(project, fullFrame, label) {
  const timelines = [];
  const cpu = [];
  const file = join(project.dir, 'timeline.json');
  const frame = await timed(runs, async () => {
    const dash = spawnDashboard(project.file, { env: { MUXCTL_TIMELINE: file }, profile: values.profile });
    await until(() => fullFrame(dash.screen()), 30_000, 'the first full frame');
    // CPU time is what a busy machine does not inflate (wall time waits for a core).
    cpu.push(cpuMs(cpuTicks(dash.child.pid).self));
    await dash.quit();
    // 'done' is when the bench quit it, not start-up. (A build from before the timeline writes none.)
    const marks = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    delete marks.done;
    timelines.push(marks);
  });
  const out = { ...frame, cpuMsMedian: median(cpu), timeline: medianTimeline(timelines) };
  say(`first full frame (${label}, 160×45): median ${out.median} ms (min ${out.min}, max ${out.max}, ${out.runs} runs), CPU until then median ${out.cpuMsMedian} ms`);
  say(`  timeline (ms since the process began, medians): ${timelineText(out.timeline)}`);
  return out;
}

const gridFrame = (count) => (s) => s.includes(`${count} workers`) && s.includes('idle worker 1') && s.includes('w9 · app');
/** A list with a row for each worker it has room for (at 45 rows, at least 20). */
const listFrame = (count) => (s) => s.includes(`${count} workers`) && s.split('\n').filter((line) => /\bw\d+\b/.test(line)).length >= 20;

if (only.has('first-frame')) {
  const project = makeProject(workerCount);
  try {
    project.muxctl('up');
    results.firstFrameMs = await firstFrame(project, gridFrame(workerCount), `${workerCount} workers`);
  } finally {
    project.cleanup();
  }
}

// 3. `muxctl up` of all workers from nothing (worktrees and sessions), then again with all running.
async function up(count) {
  const project = makeProject(count);
  try {
    const fromNothing = await timed(1, () => project.muxctl('up'));
    const again = await timed(1, () => project.muxctl('up'));
    say(`muxctl up of ${count} workers from nothing: ${fromNothing.median} ms; again (all running): ${again.median} ms`);
    return { fromNothingMs: fromNothing.median, againMs: again.median };
  } finally {
    project.cleanup();
  }
}
if (only.has('up')) {
  const out = await up(workerCount);
  results.upFromNothingMs = out.fromNothingMs;
  results.upAgainMs = out.againMs;
}

/** The medians of each quarter of a run: a leak climbs quarter after quarter, a heap that breathes does not. */
const quarters = (xs) => [0, 1, 2, 3].map((q) => Math.round(median(xs.slice(Math.floor((q * xs.length) / 4), Math.floor(((q + 1) * xs.length) / 4))) ?? 0));

// 4. The dashboard's CPU and RSS with idle workers, over `seconds`: with an empty board, then with a
// board of BOARD_TASKS (what the dispatcher and the board's poll cost when nothing happens).
async function idle(label, { count = workerCount, runSeconds = seconds, sampleMs = 1000, prepare = () => {}, shown = () => true } = {}) {
  const project = makeProject(count);
  try {
    project.muxctl('up');
    prepare(project);
    const dash = spawnDashboard(project.file, { profile: values.profile });
    await until(() => {
      const screen = dash.screen();
      return screen.includes(`${count} workers`) && shown(screen);
    }, 30_000, `the dashboard (${label})`);
    // Idle is the steady state of a dashboard left open: start-up work (and the garbage collection
    // that follows it) is over within ~10 s.
    await sleep(10_000);
    const serverPid = tmuxServerPid(project.socket);
    const before = cpuTicks(dash.child.pid);
    const mainBefore = mainThreadTicks(dash.child.pid);
    const serverBefore = cpuTicks(serverPid).self;
    const rss = [];
    // The dashboard's CPU ticks at each sample: a quarter by quarter figure shows V8's warm-up fading.
    const ticks = [{ at: 0, self: before.self }];
    const t0 = performance.now();
    while (performance.now() - t0 < runSeconds * 1000) {
      rss.push(rssMb(dash.child.pid));
      await sleep(sampleMs);
      ticks.push({ at: (performance.now() - t0) / 1000, self: cpuTicks(dash.child.pid).self });
    }
    const elapsed = (performance.now() - t0) / 1000;
    const after = cpuTicks(dash.child.pid);
    const mainAfter = mainThreadTicks(dash.child.pid);
    const serverAfter = cpuTicks(serverPid).self;
    const quarterCpu = [0, 1, 2, 3].map((q) => {
      const from = ticks[Math.floor((q * (ticks.length - 1)) / 4)];
      const to = ticks[Math.floor(((q + 1) * (ticks.length - 1)) / 4)];
      return to.at > from.at ? cpuPct(to.self - from.self, to.at - from.at) : 0;
    });
    const out = {
      workers: count,
      seconds: Math.round(elapsed),
      dashboardCpuPct: cpuPct(after.self - before.self, elapsed),
      // Of the dashboard's: its main thread (our code, Ink, the event loop) and the rest (V8 compiling and collecting in the background).
      mainThreadCpuPct: cpuPct(mainAfter - mainBefore, elapsed),
      backgroundThreadsCpuPct: cpuPct(after.self - before.self - (mainAfter - mainBefore), elapsed),
      quarterCpuPct: quarterCpu,
      tmuxCallsCpuPct: cpuPct(after.children - before.children, elapsed),
      tmuxServerCpuPct: cpuPct(serverAfter - serverBefore, elapsed),
      rssMb: { median: Math.round(median(rss)), max: Math.round(Math.max(...rss)), first: Math.round(rss[0]), last: Math.round(rss.at(-1)), quarters: quarters(rss) },
    };
    say(`${label}, ${count} workers, ${out.seconds} s: dashboard ${out.dashboardCpuPct}% of a core (main thread ${out.mainThreadCpuPct}%, V8's background threads ${out.backgroundThreadsCpuPct}%; by quarter ${out.quarterCpuPct.join(' / ')}%) (+ its tmux calls ${out.tmuxCallsCpuPct}%, tmux server ${out.tmuxServerCpuPct}%), RSS median ${out.rssMb.median} MB, max ${out.rssMb.max} MB, quarter medians ${out.rssMb.quarters.join(' / ')}`);
    await dash.quit();
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
  project.muxctl('dispatch', 'pause');
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
          assignee: worked ? `w${(i % project.workers) + 1}` : null,
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

if (only.has('idle')) {
  results.idle = await idle('idle');
  results.idleBoard = {
    tasks: BOARD,
    ...(await idle(`idle with a board of ${BOARD_TASKS} tasks`, {
      prepare: seedBoard,
      // The header's count: the dashboard has read the board (and sees dispatch paused) before the window starts.
      shown: (screen) => screen.includes(`${BOARD.queued} queued`) && screen.includes('dispatch paused'),
    })),
  };
}

// 5. Ingest: every worker appends `rate` lines/s; then (6) the same load for `soakMinutes`.
async function ingest(runSeconds, label, { count = workerCount, rate = ingestRate } = {}) {
  const writer = join(root, 'scripts', 'bench-writer.mjs');
  const project = makeProject(count, () => `exec node ${writer} --rate ${rate} --seconds ${runSeconds}`);
  const statsFile = join(project.dir, 'stats.json');
  try {
    const dash = spawnDashboard(project.file, { env: { MUXCTL_STATS_FILE: statsFile }, profile: values.profile });
    await until(() => dash.screen().includes(`${count} workers`), 30_000, 'the dashboard');
    project.muxctl('up');
    const t0 = performance.now();
    const before = cpuTicks(dash.child.pid);
    const bytesBefore = dash.counter.bytes;
    const rss = [];
    const delays = [];
    const markFile = join(project.repo, '.muxctl', 'logs', 'w1.events.jsonl');
    let mark = 0;
    while (performance.now() - t0 < runSeconds * 1000) {
      rss.push({ at: (performance.now() - t0) / 1000, mb: rssMb(dash.child.pid) });
      // A marked line into w1's log: how long until a person sees it in w1's panel (or its row)?
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
      // Jittered: marks exactly a second apart land at the same point of every 200 ms frame interval.
      await sleep(1000 + Math.random() * 250);
    }
    const elapsed = (performance.now() - t0) / 1000;
    const after = cpuTicks(dash.child.pid);
    const screenBytesPerSecond = Math.round((dash.counter.bytes - bytesBefore) / elapsed);
    await sleep(1500); // let the last lines land
    await dash.quit();
    const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
    // What was written is what the files hold; what was read is what the dashboard counted.
    let written = 0;
    for (let i = 1; i <= count; i++) {
      const text = readFileSync(join(project.repo, '.muxctl', 'logs', `w${i}.events.jsonl`), 'utf8');
      written += text.split('\n').length - 1;
    }
    const read = Object.values(stats.linesRead).reduce((a, b) => a + b, 0);
    const warm = rss.filter((r) => r.at > Math.min(60, runSeconds / 3));
    const finite = delays.filter(Number.isFinite);
    const out = {
      workers: count,
      seconds: Math.round(elapsed),
      linesPerSecondPerWorker: rate,
      dashboardCpuPct: cpuPct(after.self - before.self, elapsed),
      tmuxCallsCpuPct: cpuPct(after.children - before.children, elapsed),
      rssMb: {
        median: Math.round(median(rss.map((r) => r.mb))),
        max: Math.round(Math.max(...rss.map((r) => r.mb))),
        warmFirst: Math.round(warm[0]?.mb ?? 0),
        warmLast: Math.round(warm.at(-1)?.mb ?? 0),
        quarters: quarters(warm.map((r) => r.mb)),
      },
      lines: { expected: written, read, lost: written - read },
      screenKBPerSecond: Math.round(screenBytesPerSecond / 1024),
      displayDelayMs: { median: Math.round(median(finite)), max: Math.round(Math.max(...finite)), missed: delays.length - finite.length, samples: delays.length },
    };
    say(`${label}, ${count} workers × ${rate} lines/s, ${out.seconds} s: dashboard ${out.dashboardCpuPct}% of a core (+ tmux calls ${out.tmuxCallsCpuPct}%), RSS median ${out.rssMb.median} MB (max ${out.rssMb.max}; after warm-up ${out.rssMb.warmFirst} → ${out.rssMb.warmLast}, quarter medians ${out.rssMb.quarters.join(' / ')}), lines read ${read} of ${written} (lost ${out.lines.lost}), ${out.screenKBPerSecond} KB/s to the terminal, write→screen median ${out.displayDelayMs.median} ms, max ${out.displayDelayMs.max} ms (${out.displayDelayMs.samples} samples, ${out.displayDelayMs.missed} missed)`);
    return out;
  } finally {
    project.cleanup();
  }
}

if (only.has('ingest')) results.ingest = await ingest(ingestSeconds, 'ingest');
if (only.has('soak') && soakMinutes > 0) results.soak = await ingest(soakMinutes * 60, 'soak');

// 7. A hundred workers: the list view's first frame, idle, and ingest at `manyRate` lines/s each.
if (only.has('many')) {
  const project = makeProject(many);
  try {
    const upMs = await timed(1, () => project.muxctl('up'));
    say(`muxctl up of ${many} workers from nothing: ${upMs.median} ms`);
    results.many = { workers: many, upFromNothingMs: upMs.median, firstFrameMs: await firstFrame(project, listFrame(many), `${many} workers, list`) };
  } finally {
    project.cleanup();
  }
  results.many.idle = await idle('idle', { count: many });
  results.many.ingest = await ingest(ingestSeconds, 'ingest', { count: many, rate: manyRate });
}

// 8. A dashboard left open for an hour with idle workers: RSS and CPU over the whole run.
if (only.has('long-idle') && longIdleMinutes > 0) results.longIdle = await idle(`left open ${longIdleMinutes} min`, { runSeconds: longIdleMinutes * 60, sampleMs: 10_000 });

// 9. Workers on other machines: `workerCount` workers over `--hosts` "hosts" (an sshd each on loopback, each with
// its own clone and tmux server): `up`, the first frame, and idle, counting what the hosts' side costs too
// (their tmux servers and the sshd sessions that carry every call).
async function remote(count) {
  // The tests' sshd harness, loaded through tsx (a devDependency): one harness, not a second copy here.
  const { tsImport } = await import('tsx/esm/api');
  const { startSshd } = await tsImport('../test/helpers/sshd.ts', import.meta.url);
  const servers = [];
  for (let i = 0; i < hostCount; i++) servers.push(await startSshd());
  const project = makeProject(count);
  const hostSockets = servers.map((_, i) => `${project.socket}-box${i + 1}`);
  try {
    const config = JSON.parse(readFileSync(project.file, 'utf8'));
    config.hosts = {};
    servers.forEach((sshd, i) => {
      const clone = join(project.dir, `box${i + 1}`);
      execFileSync('git', ['clone', '-q', project.repo, clone]);
      config.hosts[`box${i + 1}`] = { ...sshd.hostEntry(), repo: clone };
    });
    config.workers.forEach((worker, i) => (worker.host = `box${(i % hostCount) + 1}`));
    writeFileSync(project.file, JSON.stringify(config));
    const upMs = await timed(1, () => project.muxctl('up'));
    say(`muxctl up of ${count} workers on ${hostCount} hosts from nothing: ${upMs.median} ms`);
    // A hundred workers do not fit a grid at 160×45: the list view is what the first frame shows then.
    const frame = count > 40 ? listFrame(count) : gridFrame(count);
    const out = { workers: count, hosts: hostCount, upFromNothingMs: upMs.median, firstFrameMs: await firstFrame(project, frame, `${count} workers on ${hostCount} hosts`) };
    const dash = spawnDashboard(project.file, { profile: values.profile });
    await until(() => frame(dash.screen()), 30_000, 'the dashboard (remote)');
    await sleep(10_000);
    const hostSide = () => {
      const pids = [...hostSockets.map((socket) => tmuxServerPid(socket)), ...servers.flatMap((sshd) => [sshd.pid(), ...execFileSync('pgrep', ['-P', String(sshd.pid())], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number)])];
      return pids.reduce((sum, pid) => {
        try {
          const t = cpuTicks(pid);
          return sum + t.self + t.children;
        } catch {
          return sum;
        }
      }, 0);
    };
    const before = cpuTicks(dash.child.pid);
    const hostsBefore = hostSide();
    const rss = [];
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      rss.push(rssMb(dash.child.pid));
      await sleep(1000);
    }
    const elapsed = (performance.now() - t0) / 1000;
    const after = cpuTicks(dash.child.pid);
    out.idle = {
      seconds: Math.round(elapsed),
      dashboardCpuPct: cpuPct(after.self - before.self, elapsed),
      sshCallsCpuPct: cpuPct(after.children - before.children, elapsed),
      hostSideCpuPct: cpuPct(hostSide() - hostsBefore, elapsed),
      rssMb: Math.round(median(rss)),
    };
    say(`idle, ${count} workers on ${hostCount} hosts, ${out.idle.seconds} s: dashboard ${out.idle.dashboardCpuPct}% of a core (+ its ssh calls ${out.idle.sshCallsCpuPct}%, the hosts' tmux and sshd ${out.idle.hostSideCpuPct}%), RSS median ${out.idle.rssMb} MB`);
    await dash.quit();
    return out;
  } finally {
    for (const socket of hostSockets) {
      try {
        execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'kill-server'], { stdio: 'ignore' });
      } catch {
        /* no server */
      }
    }
    project.cleanup();
    await Promise.all(servers.map((sshd) => sshd.stop()));
  }
}
if (only.has('remote')) results.remote = await remote(workerCount);

console.log(JSON.stringify(results));
