/**
 * Starting, stopping, restarting and removing workers. tmux is the truth about what runs; git about
 * what each worktree holds; `.muxctl/` about what the person asked for. Every control action is
 * recorded with who asked and why. The config is read live: an edit applies at the next action.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProjectConfig, WorkerConfig } from '../core/config/config.js';
import { hostOf, workerPath } from '../core/config/config.js';
import { MuxctlError, throwFirstFailure } from '../core/errors.js';
import type { ActionResult } from '../core/rules/snapshot.js';
import { shellCommand, workerBranch } from '../core/rules/names.js';
import { decideRemoval } from '../core/rules/removal.js';
import type { Actor } from '../core/rules/tasks.js';
import type { PaneInfo } from '../core/parsers/tmuxFormat.js';
import type { Git } from '../adapters/git.js';
import type { RuntimeDir, WorkerRecord } from '../adapters/runtime.js';
import { workerLogFiles } from '../adapters/runtime.js';
import type { ConversationPlan } from '../core/rules/agents.js';
import { Conversations, conversationCommand } from './conversations.js';
import { workerPort } from '../core/rules/worktreePrep.js';
import { WorktreePrep } from './worktreePrep.js';
import { hostStateDir, type Fleet, type TmuxSessions } from './fleet.js';
import { SshError } from '../adapters/ssh.js';
import { installHostShim, requestsBase } from '../adapters/hostShim.js';
import { HostPrepPlace } from '../adapters/hostPrep.js';

export interface WorkersDeps {
  config: () => ProjectConfig;
  /** Every worker's tmux server and clone: this machine's, or its host's. */
  fleet: Fleet;
  /** The session calls by name (the fleet's), for the conversations' look at a screen. */
  tmux: TmuxSessions;
  /** This machine's repository: the main checkout new worktrees take their files from. */
  git: Git;
  runtime: RuntimeDir;
  /** muxctl's own bin directory, put first on each worker's PATH so `muxctl …` and the demo agent resolve. */
  binDir: string;
  now: () => number;
  /** Where the agents keep their conversations (their ~). @default $HOME */
  home?: string;
  /** How long a resumed agent is watched for a failed resume (it exits at once, or says so). @default 4000 */
  resumeCheckMs?: number;
}

/** What a task adds to a worker's launch: its MUXCTL_TASK_* environment, or a task command to run instead. */
export interface Launch {
  env?: Record<string, string>;
  command?: string | string[];
  /** Recorded as a delivery of a task rather than a restart (reports count restarts as trouble). */
  delivery?: boolean;
  /** The task this process is started with: recorded with its start, in one write, as its delivery. */
  task?: string;
  /** The task starts over (the guard's `fresh`): so does the agent's conversation. */
  newConversation?: boolean;
}

const SESSION_SIZE = { width: 160, height: 48 };

export class Workers {
  private readonly conversations: Conversations;
  private readonly prep: WorktreePrep;
  /** Per host: the last of the worktree creations queued there. */
  private readonly hostQueues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: WorkersDeps) {
    this.conversations = new Conversations(deps);
    this.prep = new WorktreePrep(deps);
  }

  /** A Codex worker's conversation, recorded once its rollout appears (see Conversations.locate). */
  locateConversations(): Promise<boolean> {
    return this.conversations.locate();
  }


  private get config(): ProjectConfig {
    return this.deps.config();
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
  records(): Record<string, WorkerRecord> {
    return this.deps.runtime.readWorkers();
  }

  /**
   * The worker's current process has `task`: the lease it holds is this process's to renew. `pending`:
   * a paste of it is under way (since now), not yet seen on the screen.
   */
  async markDelivered(name: string, task: string, options: { pending?: boolean } = {}): Promise<void> {
    const pending = options.pending === true ? { pending: this.deps.now() } : {};
    await this.deps.runtime.updateWorker(name, (old) => ({ ...old, delivered: { task, epoch: old.startedAt, ...pending } }));
  }

  /** Resolves worker names given on a command line; none means all of them. */
  select(names: readonly string[]): WorkerConfig[] {
    return names.length === 0 ? [...this.config.workers] : names.map((n) => this.worker(n));
  }

  /** Checks everything `up` needs before anything starts, so a fault leaves nothing half-started. */
  async preflight(): Promise<void> {
    // One round of git processes, not two: every command pays for this before it does anything.
    const checks = await Promise.allSettled([
      this.deps.git.repoRoot(),
      this.deps.git.requireBranch(this.config.baseBranch),
      this.deps.git.ensureExcluded(this.config.repo, '/.muxctl/'),
    ]);
    // repoRoot's fault first: in a directory that is not a repository, its error is the one that says so plainly.
    throwFirstFailure(checks);
    this.deps.runtime.ensure();
  }

  /** Starts the named workers (idempotent: a running worker is left as it is). */
  async up(names: readonly string[], actor: Actor, reason: string): Promise<ActionResult[]> {
    const results: ActionResult[] = [];
    for (const worker of this.select(names)) {
      try {
        results.push(await this.start(worker, actor, reason));
      } catch (error) {
        // A host that cannot be reached fails its own workers, in ssh's words; the others start.
        if (!(error instanceof SshError)) throw error;
        results.push({ worker: worker.name, ok: false, outcome: error.message });
      }
    }
    return results;
  }

  private async start(worker: WorkerConfig, actor: Actor, reason: string, launch: Launch = {}): Promise<ActionResult> {
    const worktree = workerPath(this.config, worker.name);
    // Worktree creation and session start for one worker happen under one lock, so two `up`s or two
    // dashboards never interleave; the tmux server is the final judge of duplicates either way.
    const tmux = this.deps.fleet.tmuxOf(worker.name);
    const host = hostOf(this.config, worker.name);
    return this.deps.runtime.withLock(`worker-${worker.name}`, async () => {
      const spec = { path: worktree, branch: workerBranch(worker.name), base: this.config.baseBranch };
      const git = this.deps.fleet.gitOf(worker.name);
      // A host's worktrees are made one at a time, as the lock file does here (see gitWorktree.ts).
      const made = host === null ? await git.ensureWorktree(spec) : await this.oneAtATime(host.name, () => git.ensureWorktree(spec));
      if (host !== null) {
        // The screen capture is appended there by the host's tmux: its directory must exist first. The
        // worker's own `muxctl task|emit` there is muxctl's stand-in, written in the same call.
        await installHostShim(this.deps.fleet.ssh(host), hostStateDir(host));
      }
      // A new worktree gets its files and its setup before the worker's first start; a failed setup keeps it stopped.
      const running = () => tmux.hasSession(worker.name);
      const on = host === null ? undefined : { place: new HostPrepPlace(this.deps.fleet.shell(host), this.deps.fleet.ssh(host), host.name), git, stateDir: hostStateDir(host), exclude: [host.worktreeDir] };
      const prepared = await this.prep.prepare({ worker, worktree, made, env: this.workerEnv(worker, worktree), running, actor, ...(on === undefined ? {} : { on }) });
      if (!prepared.ok) return { worker: worker.name, ok: false, outcome: prepared.outcome };
      const transientEnv = Object.keys(launch.env ?? {});
      const plan = launch.command === undefined ? await this.plan(worker, launch.newConversation === true) : null;
      // Taken before the launch: the process's first log lines must not predate its own start (its epoch).
      const launchedAt = this.deps.now();
      const outcome = await tmux.newSession({ ...this.launchSpec(worker, worktree, launch, plan), ...SESSION_SIZE, transientEnv });
      // A person's start of a new session is a fresh budget; `up` on a worker already running (or the
      // policy's own restart) keeps the count, so reopening the dashboard never forgives a crash loop.
      const freshBudget = outcome === 'created' && actor.kind !== 'policy';
      await this.deps.runtime.updateWorker(worker.name, (old) => {
        const startedAt = outcome === 'created' ? launchedAt : old.startedAt;
        const conversation = outcome === 'created' && plan !== null ? { conversation: plan.conversation } : {};
        return { ...old, desired: 'running', startedAt, stoppedAt: null, autoRestarts: freshBudget ? 0 : old.autoRestarts, ...delivered(launch, startedAt), ...conversation };
      });
      if (outcome !== 'created') return { worker: worker.name, ok: true, outcome: 'already running' };
      this.deps.runtime.record({ actor, action: launch.delivery === true ? 'deliver' : 'start', worker: worker.name, reason: withNote(reason, plan) });
      await this.confirmResume(worker, worktree, launch, plan, actor);
      return { worker: worker.name, ok: true, outcome: 'started' };
    });
  }

  /**
   * Restarts in place (the session and any attached client stay); starts it if it has no session.
   * `launch` adds a task's environment or runs the worker's task command instead (see Delivery).
   */
  async restart(name: string, actor: Actor, reason: string, launch: Launch = {}): Promise<ActionResult> {
    const worker = this.worker(name);
    const tmux = this.deps.fleet.tmuxOf(worker.name);
    if (!(await tmux.hasSession(worker.name))) return this.start(worker, actor, reason, launch);
    const worktree = workerPath(this.config, worker.name);
    const plan = launch.command === undefined ? await this.plan(worker, launch.newConversation === true) : null;
    const startedAt = this.deps.now();
    await tmux.respawnPane(this.launchSpec(worker, worktree, launch, plan));
    await this.deps.runtime.updateWorker(worker.name, (old) => ({
      ...old,
      desired: 'running',
      startedAt,
      stoppedAt: null,
      autoRestarts: actor.kind === 'policy' ? old.autoRestarts + 1 : 0,
      ...delivered(launch, startedAt),
      ...(plan === null ? {} : { conversation: plan.conversation }),
    }));
    this.deps.runtime.record({ actor, action: launch.delivery === true ? 'deliver' : 'restart', worker: worker.name, reason: withNote(reason, plan) });
    await this.confirmResume(worker, worktree, launch, plan, actor);
    return { worker: worker.name, ok: true, outcome: 'restarted' };
  }

  /**
   * A resumed agent that exits at once, or says its conversation is not there, is started once more on
   * a new conversation, with the reason recorded: never a restart loop on a stale id.
   */
  private async confirmResume(worker: WorkerConfig, worktree: string, launch: Launch, plan: ConversationPlan | null, actor: Actor): Promise<void> {
    if (plan === null || !plan.conversation.resumed) return;
    const failure = await this.conversations.resumeFailure(worker);
    const fresh = failure === null ? null : this.conversations.fresh(worker, plan, failure);
    if (fresh === null) return;
    const startedAt = this.deps.now();
    await this.deps.fleet.tmuxOf(worker.name).respawnPane(this.launchSpec(worker, worktree, launch, fresh));
    await this.deps.runtime.updateWorker(worker.name, (old) => ({ ...old, startedAt, ...delivered(launch, startedAt), conversation: fresh.conversation }));
    this.deps.runtime.record({ actor, action: 'restart', worker: worker.name, reason: fresh.conversation.note ?? 'a new conversation' });
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
    const tmux = this.deps.fleet.tmuxOf(worker);
    const pane = await this.pane(worker);
    let how = pane ? 'stopped' : 'was not running';
    if (pane && !pane.dead) {
      const graceMs = worker.stop.graceSeconds * 1000;
      const steps: Array<{ label: string; act: () => Promise<void> | void; waitMs: number }> = [];
      if (worker.stop.keys.length > 0) steps.push({ label: `keys ${worker.stop.keys.join(' ')}`, act: () => tmux.sendKeys(worker.name, worker.stop.keys), waitMs: graceMs });
      steps.push({ label: worker.stop.signal, act: () => tmux.signalPane(pane.pid, worker.stop.signal), waitMs: graceMs });
      // tmux makes the pane's process a session and group leader: the negative pid reaches its children.
      steps.push({ label: 'SIGKILL', act: () => tmux.signalPane(-pane.pid, 'SIGKILL'), waitMs: 2000 });
      for (const step of steps) {
        await step.act();
        if (await this.waitForExit(worker, pane.pid, step.waitMs)) {
          how = `stopped (${step.label})`;
          break;
        }
      }
    }
    if (pane) await tmux.killSession(worker.name);
    await this.deps.runtime.updateWorker(worker.name, (old) => ({ ...old, desired: 'stopped', stoppedAt: this.deps.now() }));
    this.deps.runtime.record({ actor, action: 'stop', worker: worker.name, reason });
    return { worker: worker.name, ok: true, outcome: how };
  }

  /** Polls until the pane with `pid` is dead or gone, for up to `ms`. */
  private async waitForExit(worker: WorkerConfig, pid: number, ms: number): Promise<boolean> {
    const deadline = this.deps.now() + ms;
    for (;;) {
      const current = await this.pane(worker);
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
    const config = this.config;
    const worktree = workerPath(config, worker.name);
    const git = this.deps.fleet.gitOf(name);
    const listed = (await git.listWorktrees()).some((w) => w.path === worktree);
    const facts = listed
      ? { ...(await git.worktreeFacts(worktree, config.baseBranch)), exists: true }
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
      const sha = await git.snapshotWorktree(worktree);
      const ref = await git.backupRef(name, sha);
      const where = worker.host === undefined ? '' : ` in the clone on ${worker.host}`;
      backup = ` · backup at ${ref}${where}`;
      this.deps.runtime.record({ actor, action: 'backup', worker: name, reason: `before forced remove (${why}): ${ref}` });
    }
    await git.removeWorktree(worktree, { force: decision.backup });
    const branch = await git.deleteBranchIfMerged(workerBranch(name), config.baseBranch);
    const branchNote = branch === 'kept-unmerged' ? ` · branch ${workerBranch(name)} kept (commits not on ${config.baseBranch})` : '';
    this.deps.runtime.record({ actor, action: 'remove', worker: name, reason: why || 'clean worktree' });
    return { worker: name, ok: true, outcome: `removed ${worktree}${backup}${branchNote}` };
  }

  private async pane(worker: WorkerConfig): Promise<PaneInfo | undefined> {
    return (await this.deps.fleet.tmuxOf(worker).listPanes()).find((p) => p.session === worker.name);
  }

  private oneAtATime<T>(host: string, work: () => Promise<T>): Promise<T> {
    const turn = (this.hostQueues.get(host) ?? Promise.resolve()).catch(() => {}).then(work);
    this.hostQueues.set(host, turn);
    return turn;
  }

  /** How the agent's conversation goes on; a worker on a host starts each process on a new one (its files are there, not here). */
  private plan(worker: WorkerConfig, fresh: boolean): Promise<ConversationPlan | null> {
    return worker.host === undefined ? this.conversations.plan(worker, fresh) : Promise.resolve(null);
  }

  private launchSpec(worker: WorkerConfig, worktree: string, launch: Launch = {}, plan: ConversationPlan | null = null) {
    const logs = workerLogFiles(this.stateDir(worker), worker.name);
    const env: Record<string, string> = {
      ...this.workerEnv(worker, worktree),
      ...launch.env,
      ...(plan?.conversation.id ? { MUXCTL_SESSION_ID: plan.conversation.id } : {}),
    };
    const given = launch.command ?? conversationCommand(worker, plan);
    const line = typeof given === 'string' ? given : shellCommand(given);
    // On a host, muxctl's stand-in comes first on the PATH the host gives it (only its shell knows that PATH).
    const command = hostOf(this.config, worker.name) === null ? line : `export PATH="$MUXCTL_BIN:$PATH"; ${line}`;
    return {
      name: worker.name,
      worker: worker.name,
      cwd: worker.cwd ? join(worktree, worker.cwd) : worktree,
      env,
      command,
      pipeTo: logs.screen,
    };
  }

  /** Where the worker's screen capture and event log are written: `.muxctl/` here, `<worktreeDir>/.muxctl` on its host. */
  private stateDir(worker: WorkerConfig): string {
    const host = hostOf(this.config, worker.name);
    return host === null ? this.deps.runtime.dir : hostStateDir(host);
  }

  /** The worker's own environment, a task's aside: what its process and its worktree's setup get. */
  private workerEnv(worker: WorkerConfig, worktree: string): Record<string, string> {
    const config = this.config;
    const logs = workerLogFiles(this.stateDir(worker), worker.name);
    const port = workerPort(config, worker.name);
    const host = hostOf(config, worker.name);
    if (host !== null) {
      // On a host, its own PATH, HOME and locale (its tmux server has them): this machine's paths mean nothing there.
      return {
        MUXCTL_WORKER: worker.name,
        MUXCTL_LANE: worker.lane,
        MUXCTL_PROJECT: config.project,
        MUXCTL_HOST: host.name,
        MUXCTL_REPO: host.repo,
        MUXCTL_WORKTREE: worktree,
        MUXCTL_AGENT_LOG: logs.events,
        // Where muxctl's stand-in there sends `muxctl task|emit` (adapters/hostShim.ts).
        MUXCTL_BIN: `${hostStateDir(host)}/bin`,
        MUXCTL_REQUESTS: requestsBase(hostStateDir(host), worker.name),
        MUXCTL_REQUEST_WAIT: String(host.requestWaitSeconds),
        ...(port === null ? {} : { MUXCTL_PORT: String(port) }),
        ...worker.env,
      };
    }
    return {
      PATH: `${this.deps.binDir}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
      ...pick(process.env, ['HOME', 'USER', 'LANG', 'LC_ALL', 'SHELL']),
      MUXCTL_WORKER: worker.name,
      MUXCTL_LANE: worker.lane,
      MUXCTL_PROJECT: config.project,
      MUXCTL_SOCKET: config.tmuxSocket,
      MUXCTL_CONFIG: config.file,
      MUXCTL_REPO: config.repo,
      MUXCTL_WORKTREE: worktree,
      MUXCTL_STATE_DIR: this.deps.runtime.dir,
      // Where an agent that speaks muxctl's event format (the demo agent does) writes: outside the
      // worktree, so the log never shows up as uncommitted work.
      MUXCTL_AGENT_LOG: logs.events,
      // Its own port (worktree.portBase + its index in workers), the same at every restart.
      ...(port === null ? {} : { MUXCTL_PORT: String(port) }),
      ...worker.env,
    };
  }
}

function withNote(reason: string, plan: ConversationPlan | null): string {
  return plan?.conversation.note === undefined ? reason : `${reason} (${plan.conversation.note})`;
}

/** A launch with a task records it as that process's delivery; one without leaves the record as it was. */
function delivered(launch: Launch, startedAt: number | null): Partial<WorkerRecord> {
  return launch.task === undefined ? {} : { delivered: { task: launch.task, epoch: startedAt } };
}

export class UnknownWorkerError extends MuxctlError {
  constructor(message: string) {
    super(message, 2);
  }
}

function pick(env: NodeJS.ProcessEnv, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
