/**
 * Observing the workers: one `list-panes -a` a tick, a capture of only the panes whose activity moved,
 * and the snapshot each panel shows, computed from that poll and the logs as they are now. A guess
 * (working, idle, waiting, stuck) is shown only once it held for the settle time, so badges never flicker.
 */
import type { ProjectConfig } from '../core/config/config.js';
import { workerPath } from '../core/config/config.js';
import type { Activity } from '../core/rules/activity.js';
import { currentEpoch } from '../core/rules/epoch.js';
import { AGENT_PRESETS } from '../core/rules/agents.js';
import { deriveHealth, minuteOf, unreachableHealth, type Health } from '../core/rules/health.js';
import { assessLiveness, DEFAULT_LIVENESS_RULES, DEFAULT_WAITING_PATTERNS, limitEvidence, screenLimitLine, settle, withContinuePlan, type LiveState, type LivenessRules, type Settled } from '../core/rules/liveness.js';
import type { WorkerSnapshot, WorkerSummary } from '../core/rules/snapshot.js';
import type { PaneInfo } from '../core/parsers/tmuxFormat.js';
import type { RuntimeDir, WorkerRecord } from '../adapters/runtime.js';
import type { PaneSource } from './paneObserver.js';

export interface ObserverDeps {
  config: () => ProjectConfig;
  /** One-shot tmux commands, or the dashboard's persistent control client. */
  panes: PaneSource;
  runtime: RuntimeDir;
  now: () => number;
  /** Masks secrets in what muxctl shows of a worker's screen; identity for --no-redact. */
  redact?: (text: string) => string;
  /** What muxctl will do when a limited worker's limit resets (recover.afterLimit), said in its evidence. */
  limitPlan?: (worker: string, resetsAt: number | null) => string | null;
  /** The hosts that do not answer now (the fleet's), by name: their workers are unreachable, not missing. */
  unreachable?: () => ReadonlyMap<string, { since: number; said: string }>;
}

/** What the logs know of a worker, for `observe` and `snapshot`. */
export type LogLookup = (worker: string) => { activity: Activity; malformed: number } | undefined;

/** Never capture fewer screen lines than this: waiting is read off the last few. */
const MIN_CAPTURED_LINES = 8;

export class Observer {
  /** Per worker: the pane fingerprint of the last capture, so an idle screen is never read again. */
  private readonly captured = new Map<string, { fingerprint: string; atSecond: number; lines: string[] }>();
  /** The last poll of tmux, and of `.muxctl/workers.json`. */
  private panes = new Map<string, PaneInfo>();
  private records: Record<string, WorkerRecord> = {};
  /** Per worker: the live state shown and the guess waiting to be, with the evidence shown. */
  private readonly settled = new Map<string, { settled: Settled<LiveState>; evidence: string; until?: number }>();
  /** Per worker: the pid of its process, when it was last seen, and when its epoch began. */
  private readonly epochs = new Map<string, { pid: number; lastSeenAt: number; start: number }>();
  /** Per worker: the usage-limit line on its screen and when it was first seen (its "resets 3pm" counts from then). */
  private readonly screenLimits = new Map<string, { line: string; seenAt: number }>();
  private readonly compiledRules = new WeakMap<ProjectConfig, Map<string, LivenessRules>>();

  private source: PaneSource;

  constructor(private readonly deps: ObserverDeps) {
    this.source = deps.panes;
  }

  /** The dashboard looks at tmux through a persistent control client; one-shot commands spawn tmux. */
  usePaneSource(source: PaneSource): void {
    this.source = source;
  }

  /** Polls tmux and returns the snapshot with what `logs` (when given) knows of each worker. */
  async observe(screenLines: number, logs?: LogLookup): Promise<WorkerSnapshot[]> {
    await this.pollTmux(screenLines);
    return this.snapshot(logs);
  }

  /**
   * Reads tmux (and the records of what the person asked) into the cache `snapshot` works from: ONE
   * `list-panes -a`, then one batched capture of only those panes whose activity changed since they
   * were last read. An idle grid costs one tmux call per tick.
   */
  async pollTmux(screenLines: number): Promise<void> {
    const source = this.source;
    const panes = new Map((await source.listPanes()).map((p) => [p.session, p] as const));
    const now = this.deps.now();
    // Waiting is read off the screen's last lines: capture enough of them even for a tiny panel.
    const lines = Math.max(screenLines, MIN_CAPTURED_LINES);
    const toCapture = this.deps.config().workers
      .filter((w) => {
        const pane = panes.get(w.name);
        return pane !== undefined && this.needsCapture(w.name, pane, lines);
      })
      .map((w) => w.name);
    if (toCapture.length > 0) {
      const screens = await source.capturePanes(toCapture, lines);
      const redact = this.deps.redact ?? ((text: string) => text);
      for (const name of toCapture) {
        const pane = panes.get(name);
        const screen = screens.get(name);
        // No answer for it (a host still reading it, a session gone meanwhile): asked again at the next look.
        if (pane && screen !== undefined) this.captured.set(name, { fingerprint: fingerprint(pane, lines), atSecond: Math.floor(now / 1000), lines: screen.map(redact) });
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
    const config = this.deps.config();
    const unreachable = this.deps.unreachable?.() ?? new Map<string, { since: number; said: string }>();
    return config.workers.map((w) => {
      // A worker on a host that does not answer: its state unknown and its last screen kept. Its settled
      // state is kept too, so it comes back as it was once the host answers.
      const down = w.host === undefined ? undefined : unreachable.get(w.host);
      const pane = down === undefined ? this.panes.get(w.name) : undefined;
      const record: WorkerRecord = this.records[w.name] ?? { desired: 'running', startedAt: null, stoppedAt: null, autoRestarts: 0 };
      const screen = pane || down ? (this.captured.get(w.name)?.lines ?? []) : [];
      const logState = down === undefined ? logs?.(w.name) : undefined;
      const install = w.agent === undefined ? undefined : AGENT_PRESETS[w.agent].install;
      const base = deriveHealth({ pane, desired: record.desired, startedAt: record.startedAt, stoppedAt: record.stoppedAt, now, install });
      // A live process weighs only what happened since it started: the log may hold an older process's turn.
      const epoch = logState && pane && !pane.dead && base.since !== null ? currentEpoch(logState.activity, this.epochStart(w.name, pane.pid, base.since, now)) : null;
      const activity = epoch?.activity ?? logState?.activity;
      const live = logState && activity && pane ? (this.liveHealth(w.name, base, pane, screen, activity, epoch?.previousRun ?? null, now) ?? limitedExit(base, activity, record.startedAt, now)) : base;
      const health = down === undefined ? live : unreachableHealth(w.host ?? '', down.since, down.said);
      if (health === base) this.settled.delete(w.name);
      return {
        name: w.name,
        lane: w.lane,
        ...(w.host === undefined ? {} : { host: w.host }),
        health,
        upSince: pane && !pane.dead ? base.since : null,
        screen,
        worktree: workerPath(config, w.name),
        command: pane && !pane.dead ? pane.currentCommand : null,
        screenActiveAt: pane ? pane.activity * 1000 : null,
        restarts: w.restart.policy === 'never' ? null : { spent: record.autoRestarts, budget: w.restart.maxRestarts },
        summary: logState && activity ? summarize(activity, logState.malformed) : null,
        conversation: record.conversation ?? null,
      };
    });
  }

  /** A live pane past its start: working, idle, waiting, limited or stuck, from its logs, screen and activity. */
  private liveHealth(name: string, base: Health, pane: PaneInfo, screen: string[], activity: Activity, previousRun: string | null, now: number): Health | undefined {
    if (base.state !== 'running') return undefined;
    const rules = this.rules(name);
    const screenLimitSeenAt = this.screenLimitSeen(name, screenLimitLine(screen, rules), now);
    const live = assessLiveness({ activity, paneActivityAt: pane.activity * 1000, screen, startedAt: base.since ?? now, now, shownNow: minuteOf(now), rules, previousRun, screenLimitSeenAt });
    const previous = this.settled.get(name) ?? null;
    const settled = settle(previous?.settled ?? null, live.state, now, this.deps.config().health.settleMs);
    const evidence = settled.shown === live.state ? live.evidence : (previous?.evidence ?? live.evidence);
    this.settled.set(name, { settled, evidence });
    const since = settled.shown === 'working' || settled.shown === 'waiting' || settled.shown === 'limited' ? settled.shownSince : live.lastActiveAt;
    const until = settled.shown === 'limited' ? (live.until ?? previous?.until) : undefined;
    if (until !== undefined) this.settled.set(name, { settled, evidence, until });
    const shown = settled.shown === 'limited' ? withContinuePlan(evidence, this.deps.limitPlan?.(name, until ?? null) ?? null) : evidence;
    return { state: settled.shown, evidence: shown, since, badge: settled.shown, ...(until !== undefined ? { until } : {}) };
  }

  /** When the limit line now on the worker's screen was first seen there; `now` for none. */
  private screenLimitSeen(name: string, line: string | null, now: number): number {
    if (line === null) {
      this.screenLimits.delete(name);
      return now;
    }
    const seen = this.screenLimits.get(name);
    if (seen?.line === line) return seen.seenAt;
    this.screenLimits.set(name, { line, seenAt: now });
    return now;
  }

  /** The project's health rules, with the worker's own waiting lines (its agent preset's) added. */
  private rules(name: string): LivenessRules {
    const config = this.deps.config();
    // Compiled once per config (a reload brings a new object), not on every poll.
    let compiled = this.compiledRules.get(config);
    if (compiled === undefined) {
      compiled = new Map();
      this.compiledRules.set(config, compiled);
    }
    const known = compiled.get(name);
    if (known !== undefined) return known;
    const h = config.health;
    const own = config.workers.find((w) => w.name === name)?.waitingPatterns ?? [];
    const rules: LivenessRules = {
      idleAfterMs: h.idleAfterSeconds * 1000,
      stuckAfterMs: h.stuckAfterSeconds * 1000,
      waitingPatterns: [...DEFAULT_WAITING_PATTERNS, ...[...h.waitingPatterns, ...own].map((p) => new RegExp(p))],
      screenLinesSearched: DEFAULT_LIVENESS_RULES.screenLinesSearched,
    };
    compiled.set(name, rules);
    return rules;
  }

  /**
   * When the worker's current process began: muxctl's record of its start (or the session's creation);
   * for a process muxctl did not start (a person respawned the pane by hand), no earlier than the last
   * moment the previous pid was seen alive.
   */
  private epochStart(name: string, pid: number, recorded: number, now: number): number {
    const seen = this.epochs.get(name);
    const start = Math.max(recorded, seen === undefined ? recorded : seen.pid === pid ? seen.start : seen.lastSeenAt);
    this.epochs.set(name, { pid, lastSeenAt: now, start });
    return start;
  }

  /**
   * tmux's activity time has one-second resolution: output in the same second as a capture does not
   * move it, so a pane captured in the second of its last activity is read once more.
   */
  private needsCapture(name: string, pane: PaneInfo, lines: number): boolean {
    const last = this.captured.get(name);
    return !last || last.fingerprint !== fingerprint(pane, lines) || last.atSecond <= pane.activity;
  }
}

/**
 * A process that ended on a usage limit (an agent run with `-p` exits when it hits one) is limited until
 * the reset, not crashed: no restart policy spends its budget restarting it into the same limit.
 */
function limitedExit(base: Health, activity: Activity, startedAt: number | null, now: number): Health {
  const limit = activity.limit;
  if ((base.state !== 'crashed' && base.state !== 'exited') || limit === null || limit.at < (startedAt ?? 0)) return base;
  if (limit.resetsAt !== null && limit.resetsAt <= now) return base;
  return { state: 'limited', evidence: `${limitEvidence(limit, now)} · ${base.evidence}`, since: limit.at, badge: 'limited', ...(limit.resetsAt !== null ? { until: limit.resetsAt } : {}) };
}

/** What identifies a pane's screen as unchanged: same process, same liveness, no new activity. */
function fingerprint(pane: PaneInfo, lines: number): string {
  return `${pane.pid}:${pane.dead ? 1 : 0}:${pane.activity}:${lines}`;
}

function summarize(a: Activity, malformed: number): WorkerSummary {
  return {
    prompt: a.lastPrompt,
    tool: a.lastTool ? { name: a.lastTool.name, text: a.lastTool.text, open: a.lastTool.open, ok: a.lastTool.ok } : null,
    outcome: a.lastOutcome ? { ok: a.lastOutcome.ok, text: a.lastOutcome.text } : null,
    message: a.lastMessage,
    tokens: a.tokens.input + a.tokens.output > 0 ? a.tokens : null,
    costUsd: a.costUsd,
    estimate: a.estimate.usd > 0 ? { usd: a.estimate.usd, partial: a.estimate.unpricedTokens > 0 } : null,
    errors: a.errors,
    lastError: a.lastError,
    malformed,
    lastActiveAt: a.lastEventAt,
    checkpoint: a.checkpoint?.text ?? null,
    status: a.status?.text ?? null,
    limit: a.limit,
    turnOpen: a.turnOpen,
  };
}
