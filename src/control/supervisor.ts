/**
 * The supervisor: starts, stops and restarts workers, and observes all of them. tmux is the truth
 * about what runs; git about what each worktree holds; `.muxctl/` about what the person asked for.
 * Every control action is recorded with who asked and why.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProjectConfig, WorkerConfig } from '../core/config.js';
import { workerPath } from '../core/config.js';
import { MuxctlError } from '../core/errors.js';
import type { Activity } from '../core/activity.js';
import { deriveHealth, minuteOf, type Health } from '../core/health.js';
import { assessLiveness, DEFAULT_LIVENESS_RULES, DEFAULT_WAITING_PATTERNS, settle, type LiveState, type LivenessRules, type Settled } from '../core/liveness.js';
import type { ActionResult, WorkerSnapshot, WorkerSummary } from '../core/snapshot.js';
import { shellCommand, workerBranch } from '../core/names.js';
import { decideRemoval } from '../core/removal.js';
import type { PaneInfo } from '../core/tmuxFormat.js';
import type { Git } from '../adapters/git.js';
import type { ControlEvent, RuntimeDir, WorkerRecord } from '../adapters/runtime.js';
import type { Tmux } from '../adapters/tmux.js';
import { workerLogFiles } from './logMonitor.js';
import type { PaneSource } from './paneObserver.js';

export type Actor = ControlEvent['actor'];

export interface SupervisorDeps {
  tmux: Tmux;
  git: Git;
  runtime: RuntimeDir;
  /** muxctl's own bin directory, put first on each worker's PATH so `muxctl …` and the demo agent resolve. */
  binDir: string;
  now: () => number;
  /** Masks secrets in what muxctl shows of a worker's screen; identity for --no-redact. */
  redact?: (text: string) => string;
}

export type { ActionResult, WorkerSnapshot } from '../core/snapshot.js';

const SESSION_SIZE = { width: 160, height: 48 };
/** Never capture fewer screen lines than this: waiting is read off the last few. */
const MIN_CAPTURED_LINES = 8;

/** What the logs know of a worker, for `observe` and `snapshot`. */
export type LogLookup = (worker: string) => { activity: Activity; malformed: number } | undefined;

function summarize(a: Activity, malformed: number): WorkerSummary {
  return {
    prompt: a.lastPrompt,
    tool: a.lastTool ? { name: a.lastTool.name, text: a.lastTool.text, open: a.lastTool.open, ok: a.lastTool.ok } : null,
    outcome: a.lastOutcome ? { ok: a.lastOutcome.ok, text: a.lastOutcome.text } : null,
    message: a.lastMessage,
    tokens: a.tokens.input + a.tokens.output > 0 ? a.tokens : null,
    costUsd: a.costUsd,
    errors: a.errors,
    lastError: a.lastError,
    malformed,
    lastActiveAt: a.lastEventAt,
    checkpoint: a.checkpoint?.text ?? null,
    status: a.status?.text ?? null,
  };
}


export class Supervisor {
  private config: ProjectConfig;
  private readonly deps: SupervisorDeps;
  /** Per worker: the pane fingerprint of the last capture, so an idle screen is never read again. */
  private readonly captured = new Map<string, { fingerprint: string; atSecond: number; lines: string[] }>();
  private paneSource: PaneSource | null = null;
  /** The last poll of tmux, and of `.muxctl/workers.json`. */
  private panes = new Map<string, PaneInfo>();
  private records: Record<string, WorkerRecord> = {};
  /** Per worker: the live state shown and the guess waiting to be, with the evidence shown. */
  private readonly settled = new Map<string, { settled: Settled<LiveState>; evidence: string }>();

  constructor(config: ProjectConfig, deps: SupervisorDeps) {
    this.config = config;
    this.deps = deps;
  }

  get project(): ProjectConfig {
    return this.config;
  }

  /** The dashboard looks at tmux through a persistent control client; one-shot commands spawn tmux. */
  usePaneSource(source: PaneSource): void {
    this.paneSource = source;
  }

  setConfig(config: ProjectConfig): void {
    this.config = config;
  }

  worker(name: string): WorkerConfig {
    const worker = this.config.workers.find((w) => w.name === name);
    if (!worker) {
      const known = this.config.workers.map((w) => w.name).join(', ');
      throw new UnknownWorkerError(`no worker named "${name}" in ${this.config.file} (workers: ${known})`);
    }
    return worker;
  }

  /** What the person asked of each worker, and its automatic restarts so far. */
  workerRecords(): Record<string, WorkerRecord> {
    return this.deps.runtime.readWorkers();
  }

  /** Resolves worker names given on a command line; none means all of them. */
  select(names: readonly string[]): WorkerConfig[] {
    return names.length === 0 ? [...this.config.workers] : names.map((n) => this.worker(n));
  }

  /** Checks everything `up` needs before anything starts, so a fault leaves nothing half-started. */
  async preflight(): Promise<void> {
    // repoRoot first: in a directory that is not a repository, its error is the one that says so plainly.
    await this.deps.git.repoRoot();
    this.deps.runtime.ensure();
    await Promise.all([this.deps.git.requireBranch(this.config.baseBranch), this.deps.git.ensureExcluded(this.config.repo, '/.muxctl/')]);
  }

  /** Starts the named workers (idempotent: a running worker is left as it is). */
  async up(names: readonly string[], actor: Actor, reason: string): Promise<ActionResult[]> {
    const results: ActionResult[] = [];
    for (const worker of this.select(names)) results.push(await this.start(worker, actor, reason));
    return results;
  }

  private async start(worker: WorkerConfig, actor: Actor, reason: string, launch: Launch = {}): Promise<ActionResult> {
    const worktree = workerPath(this.config, worker.name);
    // Worktree creation and session start for one worker happen under one lock, so two `up`s or two
    // dashboards never interleave; the tmux server is the final judge of duplicates either way.
    return this.deps.runtime.withLock(`worker-${worker.name}`, async () => {
      await this.deps.git.ensureWorktree({ path: worktree, branch: workerBranch(worker.name), base: this.config.baseBranch });
      const transientEnv = Object.keys(launch.env ?? {});
      const outcome = await this.deps.tmux.newSession({ ...this.launchSpec(worker, worktree, launch), ...SESSION_SIZE, transientEnv });
      await this.deps.runtime.updateWorker(worker.name, (old) => ({
        ...old,
        desired: 'running',
        startedAt: outcome === 'created' ? this.deps.now() : old.startedAt,
        stoppedAt: null,
        autoRestarts: actor === 'policy' ? old.autoRestarts : 0,
      }));
      if (outcome === 'created') this.deps.runtime.record({ actor, action: launch.delivery === true ? 'deliver' : 'start', worker: worker.name, reason });
      return { worker: worker.name, ok: true, outcome: outcome === 'created' ? 'started' : 'already running' };
    });
  }

  /**
   * Restarts in place (the session and any attached client stay); starts it if it has no session.
   * `launch` adds a task's environment or runs the worker's task command instead (see TaskControl).
   */
  async restart(name: string, actor: Actor, reason: string, launch: Launch = {}): Promise<ActionResult> {
    const worker = this.worker(name);
    if (!(await this.deps.tmux.hasSession(worker.name))) return this.start(worker, actor, reason, launch);
    const worktree = workerPath(this.config, worker.name);
    await this.deps.tmux.respawnPane(this.launchSpec(worker, worktree, launch));
    await this.deps.runtime.updateWorker(worker.name, (old) => ({
      ...old,
      desired: 'running',
      startedAt: this.deps.now(),
      stoppedAt: null,
      autoRestarts: actor === 'policy' ? old.autoRestarts + 1 : 0,
    }));
    this.deps.runtime.record({ actor, action: launch.delivery === true ? 'deliver' : 'restart', worker: worker.name, reason });
    this.captured.delete(worker.name);
    return { worker: worker.name, ok: true, outcome: 'restarted' };
  }

  /**
   * Stops gracefully: the worker's stop keys or signal, up to its grace period for the process to
   * end, then the session is killed. The worktree is kept.
   */
  async stop(name: string, actor: Actor, reason: string): Promise<ActionResult> {
    return this.stopWorker(this.worker(name), actor, reason);
  }

  /**
   * Stops a worker given its (possibly former) config: workers removed from the file are stopped this way.
   * Each step gets the grace period to work before the next: the stop keys (if any), then the stop
   * signal, then SIGKILL to the pane's whole process group. Killing only the session would not do:
   * tmux merely hangs up the pty, and a process that ignores SIGHUP would live on, unseen, in the worktree.
   */
  async stopWorker(worker: WorkerConfig, actor: Actor, reason: string): Promise<ActionResult> {
    const pane = await this.pane(worker.name);
    let how = pane ? 'stopped' : 'was not running';
    if (pane && !pane.dead) {
      const graceMs = worker.stop.graceSeconds * 1000;
      const steps: Array<{ label: string; act: () => Promise<void> | void; waitMs: number }> = [];
      if (worker.stop.keys.length > 0) steps.push({ label: `keys ${worker.stop.keys.join(' ')}`, act: () => this.deps.tmux.sendKeys(worker.name, worker.stop.keys), waitMs: graceMs });
      steps.push({ label: worker.stop.signal, act: () => this.deps.tmux.signalPane(pane.pid, worker.stop.signal), waitMs: graceMs });
      // tmux makes the pane's process a session and group leader: the negative pid reaches its children.
      steps.push({ label: 'SIGKILL', act: () => this.deps.tmux.signalPane(-pane.pid, 'SIGKILL'), waitMs: 2000 });
      for (const step of steps) {
        await step.act();
        if (await this.waitForExit(worker.name, pane.pid, step.waitMs)) {
          how = `stopped (${step.label})`;
          break;
        }
      }
    }
    if (pane) await this.deps.tmux.killSession(worker.name);
    await this.deps.runtime.updateWorker(worker.name, (old) => ({ ...old, desired: 'stopped', stoppedAt: this.deps.now() }));
    this.deps.runtime.record({ actor, action: 'stop', worker: worker.name, reason });
    this.captured.delete(worker.name);
    return { worker: worker.name, ok: true, outcome: how };
  }

  /** Polls until the pane with `pid` is dead or gone, for up to `ms`. */
  private async waitForExit(name: string, pid: number, ms: number): Promise<boolean> {
    const deadline = this.deps.now() + ms;
    for (;;) {
      const current = await this.pane(name);
      if (!current || current.dead || current.pid !== pid) return true;
      if (this.deps.now() >= deadline) return false;
      await sleep(50);
    }
  }

  /**
   * Removes a stopped worker's worktree, but only when that loses nothing: uncommitted changes or
   * commits not on the base make it refuse unless forced, and a forced removal first saves a backup ref.
   * The branch is deleted only when git confirms the base contains it.
   */
  async remove(name: string, force: boolean, actor: Actor): Promise<ActionResult> {
    const worker = this.worker(name);
    const worktree = workerPath(this.config, worker.name);
    const listed = (await this.deps.git.listWorktrees()).some((w) => w.path === worktree);
    const facts = listed
      ? { ...(await this.deps.git.worktreeFacts(worktree, this.config.baseBranch)), exists: true }
      : { dirty: [], ahead: 0, landed: true, exists: false, branch: null, head: '', behind: 0 };
    const decision = decideRemoval(facts, { force });
    const why = decision.reasons.join('; ');
    if (decision.action === 'nothing') return { worker: name, ok: true, outcome: 'no worktree to remove' };
    if (decision.action === 'refuse') {
      this.deps.runtime.record({ actor, action: 'refuse', worker: name, reason: `remove refused: ${why}` });
      return { worker: name, ok: false, outcome: `kept ${worktree}: ${why} (use --force to remove it anyway; a backup ref is kept)` };
    }
    let backup = '';
    if (decision.backup) {
      const sha = await this.deps.git.snapshotWorktree(worktree);
      const ref = await this.deps.git.backupRef(name, sha);
      backup = ` · backup at ${ref}`;
      this.deps.runtime.record({ actor, action: 'backup', worker: name, reason: `before forced remove (${why}): ${ref}` });
    }
    await this.deps.git.removeWorktree(worktree, { force: decision.backup });
    const branch = await this.deps.git.deleteBranchIfMerged(workerBranch(name), this.config.baseBranch);
    const branchNote = branch === 'kept-unmerged' ? ` · branch ${workerBranch(name)} kept (commits not on ${this.config.baseBranch})` : '';
    this.deps.runtime.record({ actor, action: 'remove', worker: name, reason: why || 'clean worktree' });
    return { worker: name, ok: true, outcome: `removed ${worktree}${backup}${branchNote}` };
  }

  /**
   * Observes every worker: ONE `list-panes -a`, then one batched capture of only those panes whose
   * activity changed since they were last read. An idle grid costs one tmux call per tick. Returns the
   * snapshot with what `logs` (when given) knows of each worker.
   */
  async observe(screenLines: number, logs?: LogLookup): Promise<WorkerSnapshot[]> {
    await this.pollTmux(screenLines);
    return this.snapshot(logs);
  }

  /** Reads tmux (and the records of what the person asked) into the cache `snapshot` works from. */
  async pollTmux(screenLines: number): Promise<void> {
    const source = this.paneSource ?? this.deps.tmux;
    const panes = new Map((await source.listPanes()).map((p) => [p.session, p] as const));
    const now = this.deps.now();
    // Waiting is read off the screen's last lines: capture enough of them even for a tiny panel.
    const lines = Math.max(screenLines, MIN_CAPTURED_LINES);
    const toCapture = this.config.workers
      .filter((w) => {
        const pane = panes.get(w.name);
        return pane !== undefined && this.needsCapture(w.name, pane, lines);
      })
      .map((w) => w.name);
    if (toCapture.length > 0) {
      const screens = await source.capturePanes(toCapture, lines);
      for (const name of toCapture) {
        const pane = panes.get(name);
        const redact = this.deps.redact ?? ((text: string) => text);
        if (pane) this.captured.set(name, { fingerprint: fingerprint(pane, lines), atSecond: Math.floor(now / 1000), lines: (screens.get(name) ?? []).map(redact) });
      }
    }
    this.panes = panes;
    this.records = this.deps.runtime.readWorkers();
  }

  /**
   * The snapshot of every worker from the last poll and the logs as they are now: cheap, so the
   * dashboard calls it whenever a log line arrives, without asking tmux again.
   */
  snapshot(logs?: LogLookup): WorkerSnapshot[] {
    const now = this.deps.now();
    return this.config.workers.map((w) => {
      const pane = this.panes.get(w.name);
      const record: WorkerRecord = this.records[w.name] ?? { desired: 'running', startedAt: null, stoppedAt: null, autoRestarts: 0 };
      const screen = pane ? (this.captured.get(w.name)?.lines ?? []) : [];
      const logState = logs?.(w.name);
      const base = deriveHealth({ pane, desired: record.desired, startedAt: record.startedAt, stoppedAt: record.stoppedAt, now });
      const health = logState && pane ? this.liveHealth(w.name, base, pane, screen, logState.activity, now) : base;
      if (health === base) this.settled.delete(w.name);
      return {
        name: w.name,
        lane: w.lane,
        health,
        upSince: pane && !pane.dead ? base.since : null,
        screen,
        worktree: workerPath(this.config, w.name),
        command: pane && !pane.dead ? pane.currentCommand : null,
        restarts: w.restart.policy === 'never' ? null : { spent: record.autoRestarts, budget: w.restart.maxRestarts },
        summary: logState ? summarize(logState.activity, logState.malformed) : null,
      };
    });
  }

  /**
   * A live pane past its start: working, idle, waiting or stuck, from its logs, screen and activity.
   * A new guess is shown only once it held for the settle time, so the badge never flickers.
   */
  private liveHealth(name: string, base: Health, pane: PaneInfo, screen: string[], activity: Activity, now: number): Health {
    if (base.state !== 'running') return base;
    const rules = this.rules();
    const live = assessLiveness({ activity, paneActivityAt: pane.activity * 1000, screen, startedAt: base.since ?? now, now, shownNow: minuteOf(now), rules });
    const previous = this.settled.get(name) ?? null;
    const settled = settle(previous?.settled ?? null, live.state, now, this.config.health.settleMs);
    const evidence = settled.shown === live.state ? live.evidence : (previous?.evidence ?? live.evidence);
    this.settled.set(name, { settled, evidence });
    const since = settled.shown === 'working' || settled.shown === 'waiting' ? settled.shownSince : live.lastActiveAt;
    return { state: settled.shown, evidence, since, badge: settled.shown };
  }

  private rules(): LivenessRules {
    const h = this.config.health;
    return {
      idleAfterMs: h.idleAfterSeconds * 1000,
      stuckAfterMs: h.stuckAfterSeconds * 1000,
      waitingPatterns: [...DEFAULT_WAITING_PATTERNS, ...h.waitingPatterns.map((p) => new RegExp(p))],
      screenLinesSearched: DEFAULT_LIVENESS_RULES.screenLinesSearched,
    };
  }

  /** Restarts that a worker's restart policy calls for now, with exponential backoff and a budget. */
  async applyRestartPolicies(
    snapshots: readonly WorkerSnapshot[],
    restart: (name: string, reason: string) => Promise<ActionResult> = (name, reason) => this.restart(name, 'policy', reason),
  ): Promise<ActionResult[]> {
    const results: ActionResult[] = [];
    const records = this.deps.runtime.readWorkers();
    for (const snap of snapshots) {
      const worker = this.config.workers.find((w) => w.name === snap.name);
      const record = records[snap.name];
      if (!worker || !record || record.desired !== 'running') continue;
      const { policy, maxRestarts, backoffSeconds } = worker.restart;
      const wants = (policy === 'on-failure' && snap.health.state === 'crashed') || (policy === 'always' && (snap.health.state === 'crashed' || snap.health.state === 'exited'));
      if (!wants || record.autoRestarts >= maxRestarts) continue;
      const delayMs = backoffSeconds * 1000 * 2 ** record.autoRestarts;
      if (snap.health.since !== null && this.deps.now() - snap.health.since < delayMs) continue;
      const reason = `restart policy ${policy}: ${snap.health.evidence} (attempt ${record.autoRestarts + 1}/${maxRestarts})`;
      results.push(await restart(snap.name, reason));
    }
    return results;
  }

  /**
   * tmux's activity time has one-second resolution: output in the same second as a capture does not
   * move it, so a pane captured in the second of its last activity is read once more.
   */
  private needsCapture(name: string, pane: PaneInfo, lines: number): boolean {
    const last = this.captured.get(name);
    return !last || last.fingerprint !== fingerprint(pane, lines) || last.atSecond <= pane.activity;
  }

  private async pane(name: string): Promise<PaneInfo | undefined> {
    return (await this.deps.tmux.listPanes()).find((p) => p.session === name);
  }

  private launchSpec(worker: WorkerConfig, worktree: string, launch: Launch = {}) {
    const env: Record<string, string> = {
      PATH: `${this.deps.binDir}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
      ...pick(process.env, ['HOME', 'USER', 'LANG', 'LC_ALL', 'SHELL']),
      MUXCTL_WORKER: worker.name,
      MUXCTL_LANE: worker.lane,
      MUXCTL_PROJECT: this.config.project,
      MUXCTL_SOCKET: this.config.tmuxSocket,
      MUXCTL_CONFIG: this.config.file,
      MUXCTL_REPO: this.config.repo,
      MUXCTL_WORKTREE: worktree,
      MUXCTL_STATE_DIR: this.deps.runtime.dir,
      // Where an agent that speaks muxctl's event format (the demo agent does) writes: outside the
      // worktree, so the log never shows up as uncommitted work.
      MUXCTL_AGENT_LOG: workerLogFiles(this.deps.runtime.dir, worker.name).events,
      ...worker.env,
      ...launch.env,
    };
    const given = launch.command ?? worker.command;
    const command = typeof given === 'string' ? given : shellCommand(given);
    return {
      name: worker.name,
      worker: worker.name,
      cwd: worker.cwd ? join(worktree, worker.cwd) : worktree,
      env,
      command,
      pipeTo: workerLogFiles(this.deps.runtime.dir, worker.name).screen,
    };
  }
}

/** What a task adds to a worker's launch: its MUXCTL_TASK_* environment, or a task command to run instead. */
export interface Launch {
  env?: Record<string, string>;
  command?: string | string[];
  /** Recorded as a delivery of a task rather than a restart (reports count restarts as trouble). */
  delivery?: boolean;
}

export class UnknownWorkerError extends MuxctlError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** What identifies a pane's screen as unchanged: same process, same liveness, no new activity. */
function fingerprint(pane: PaneInfo, lines: number): string {
  return `${pane.pid}:${pane.dead ? 1 : 0}:${pane.activity}:${lines}`;
}

function pick(env: NodeJS.ProcessEnv, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
