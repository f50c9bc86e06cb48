/**
 * The drift doctor's hands (issue 5): gathers what git, tmux and the store say for src/core/rules/doctor.ts,
 * and carries out a finding's fix. Every fix re-reads the world first and acts only if the finding is
 * still there, and every fix keeps the work: it commits, backs up or saves before it moves or stops
 * anything. Each fix carried out is recorded on the board as a `doctor-fix` event.
 */
import { basename, dirname, join, sep } from 'node:path';
import { canonicalPath as canonical, isDirectory, listNames, moveDirectory } from '../adapters/files.js';
import { RuntimeDir } from '../adapters/runtime.js';
import type { Git } from '../adapters/git.js';
import type { TaskStore } from '../adapters/taskStore.js';
import type { Tmux } from '../adapters/tmux.js';
import { workerPath, type ProjectConfig } from '../core/config/config.js';
import { diagnose, type BranchFacts, type DoctorFacts, type Finding, type HostFacts, type IntegrationWorktree, type WorkerFacts } from '../core/rules/doctor.js';
import { MuxctlError } from '../core/errors.js';
import { workerBranch } from '../core/rules/names.js';
import { plural, type Actor, type Checkpoint, type Task, type TaskCommand, type TaskResult } from '../core/rules/tasks.js';
import { probeHosts } from './hostProbe.js';
import { LANDER_LOCK } from './lander.js';
import { integrationInterrupted } from '../adapters/gitLand.js';
import type { Workers } from './workers.js';

/** Integration worktrees are named so: `<worktreeDir>/_land…`, or anything inside a `_land…` directory. */
const INTEGRATION_PREFIX = '_land';

/** Who holds a task while the doctor walks it to landed: no worker of the config can have this name. */
const DOCTOR_HOLDER = '_doctor';

/** More history than any tmux keeps by default (2000 lines): the whole of an orphan's pane is saved. */
const SAVED_LINES = 100_000;

export interface DoctorDeps {
  config: ProjectConfig;
  store: TaskStore;
  git: Git;
  tmux: Tmux;
  workers: Workers;
  /** @default Date.now */
  now?: () => number;
  /** Who applies fixes, for the events. @default { kind: 'person', name: 'doctor' } */
  actor?: Actor;
  /** @default LANDER_LOCK (lander.ts) */
  landerLock?: string;
  /** The lander's integration worktree, when it lives elsewhere than `<worktreeDir>/_land…`. */
  integrationPath?: string;
  /** Lands a done task (the merge queue); without it, the "land it" fix says which command to run. */
  land?: (taskId: string) => Promise<string>;
  /** What the configured hosts answer. @default probeHosts (hostProbe.ts), over ssh */
  probeHosts?: (config: ProjectConfig) => Promise<HostFacts[]>;
}

export async function gatherDoctorFacts(deps: DoctorDeps): Promise<DoctorFacts> {
  const { config, store, git, tmux, workers: control } = deps;
  const now = (deps.now ?? Date.now)();
  // The hosts answer over ssh while the local facts are read: a slow host costs its own time only.
  const hostsProbed = (deps.probeHosts ?? probeHosts)(config);
  const [worktrees, panes, rootCommits] = await Promise.all([registeredWorktrees(git), tmux.listPanes(), Object.keys(config.hosts).length === 0 ? Promise.resolve([]) : git.rootCommits().catch(() => [])]);
  const sessions = new Set(panes.map((pane) => pane.session));
  const records = control.records();
  const tasks = store.list();
  const workers: WorkerFacts[] = [];
  // A worker on a host has its worktree and session there: the host probe speaks for it.
  for (const worker of config.workers.filter((w) => w.host === undefined)) {
    const path = workerPath(config, worker.name);
    const entry = worktrees.get(await canonical(path));
    const exists = entry !== undefined && !entry.prunable && (await isDirectory(path));
    workers.push({
      name: worker.name,
      worktree: path,
      exists,
      branch: exists ? (entry?.branch ?? null) : null,
      dirtyFiles: exists ? await git.dirtyFiles(path) : [],
      hasSession: sessions.has(worker.name),
      desired: records[worker.name]?.desired ?? null,
    });
  }
  const branches: Record<string, BranchFacts> = {};
  for (const task of tasks) {
    if (task.branch !== null && task.state !== 'landed' && task.state !== 'canceled') branches[task.id] = await branchFacts(git, task, config.baseBranch);
  }
  return {
    tasks,
    workers,
    sessions: [...sessions],
    branches,
    integrationWorktrees: await integrationWorktrees(config, worktrees, deps.integrationPath),
    landerLockHeld: store.lockHolder(deps.landerLock ?? LANDER_LOCK)?.alive ?? false,
    baseBranch: config.baseBranch,
    rootCommits,
    hosts: await hostsProbed,
    now,
  };
}

/**
 * Carries out the finding's fix, if the world still shows the finding, and says what was done. A
 * finding gone since it was shown is left alone: the person acted on an older screen.
 */
export async function applyFix(finding: Finding, deps: DoctorDeps): Promise<string> {
  // No host finding has a fix, so the hosts need not be asked again (an ssh round trip each).
  const facts = await gatherDoctorFacts({ ...deps, probeHosts: async () => [] });
  const current = diagnose(facts).find((f) => f.kind === finding.kind && f.subject === finding.subject);
  if (current === undefined) return `nothing to do: ${finding.subject} no longer shows "${finding.kind}"`;
  if (current.fix === null) return `no safe fix for ${current.subject}: ${current.text}`;
  const fixer = new Fixer(deps, facts);
  const message = await fixer.apply(current);
  if (message === null) return `run \`muxctl land ${current.subject}\` to land it`;
  deps.store.record({
    time: fixer.now(),
    actor: fixer.actor,
    kind: 'board',
    subject: current.subject,
    action: 'doctor-fix',
    reasons: [current.text, `${current.fix.label}: ${message}`],
  });
  return message;
}

class Fixer {
  readonly actor: Actor;

  constructor(
    private readonly deps: DoctorDeps,
    private readonly facts: DoctorFacts,
  ) {
    this.actor = deps.actor ?? { kind: 'person', name: 'doctor' };
  }

  now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** What was done, or null for a landing nobody here can carry out. */
  async apply(finding: Finding): Promise<string | null> {
    const key = finding.fix?.key;
    switch (key) {
      case 'land':
        return this.deps.land === undefined ? null : this.deps.land(finding.subject);
      case 'mark-landed':
        return this.markLanded(this.task(finding.subject));
      case 'commit-wip':
        return this.commitWip(this.worker(finding.subject));
      case 'stop-orphan':
        return this.stopOrphan(finding.subject);
      case 'start': {
        const [result] = await this.deps.workers.up([finding.subject], this.actor, `doctor: ${finding.text}`);
        return `${finding.subject} ${result?.outcome ?? 'started'}`;
      }
      case 'release-lease':
        return this.releaseLease(this.task(finding.subject));
      case 'remove-integration':
        return this.removeIntegration(finding.subject);
      case undefined:
        throw new MuxctlError(`no fix for ${finding.subject}`);
    }
  }

  /**
   * Walks the task to landed through the state machine's own moves, one event each, so the history says
   * how it got there. Each step starts from the state the store holds now: a walk cut short by a crash
   * goes on from where it stopped the next time the doctor runs.
   */
  private async markLanded(task: Task): Promise<string> {
    const tip = this.facts.branches[task.id]?.tip;
    if (tip === null || tip === undefined) throw new MuxctlError(`cannot mark ${task.id} landed: its branch ${task.branch ?? '(none)'} is gone`);
    const commits = this.facts.branches[task.id]?.commits ?? 0;
    const from = task.state;
    // At most retry, claim, start, finish, land: the bound only guards against a move that does not move.
    let current = task;
    for (let step = 0; step < 5; step++) {
      const command = nextTowardLanded(current, tip, commits);
      if (command === null) break;
      current = ok(this.deps.store.apply(current.id, command, this.actor, this.now()), `mark ${task.id} landed`).task;
    }
    if (current.state !== 'landed') throw new MuxctlError(`cannot mark ${task.id} landed: it stopped at ${current.state}`);
    return `${task.id} ${from} → landed: ${task.branch ?? ''} is on ${this.facts.baseBranch} at ${tip.slice(0, 7)} (its check was not run again: the work is on the base already)`;
  }

  /**
   * The worktree's changes go on a new branch made where it stands, then the worktree goes back to the
   * branch it had (or the worker's own): clean, and the work one `git switch` away.
   */
  private async commitWip(worker: WorkerFacts): Promise<string> {
    const { git } = this.deps;
    const path = worker.worktree;
    const before = await git.currentBranch(path);
    const head = await git.resolveCommit('HEAD', path);
    if (head === null) throw new MuxctlError(`cannot commit the work in ${path}: it has no commit to branch from`);
    const branch = await this.freeBranch(`muxctl/wip/${worker.name}/${stamp(this.now())}`);
    await git.checkoutTaskBranch(path, branch, head);
    const sha = await git.commitAll(path, `WIP: uncommitted work found in ${worker.name}'s worktree (muxctl doctor)`);
    await git.releaseBranch(path, before ?? workerBranch(worker.name));
    if (sha === null) {
      await git.deleteBranchIfMerged(branch, head);
      return `nothing left to commit in ${path}`;
    }
    return `${plural(worker.dirtyFiles.length, 'file')} committed on ${branch} at ${sha.slice(0, 7)}; ${worker.name}'s worktree is back on ${before ?? workerBranch(worker.name)}, clean`;
  }

  /** The screen is written before the session is killed; a screen that cannot be read stops nothing. */
  private async stopOrphan(session: string): Promise<string> {
    const { tmux } = this.deps;
    const lines = (await tmux.capturePanes([session], SAVED_LINES)).get(session);
    if (lines === undefined) {
      if (!(await tmux.hasSession(session))) return `session ${session} is already gone`;
      throw new MuxctlError(`could not read the screen of session ${session}: left running`);
    }
    const file = await new RuntimeDir(this.deps.config.repo).saveScreen(session, lines, stamp(this.now()));
    await tmux.killSession(session);
    return `session ${session} stopped; its screen is in ${file}`;
  }

  /**
   * The holder's uncommitted work on the task branch is committed as a checkpoint and the branch let go
   * of, as a lease expiry by the dispatcher does; then the task goes back to the queue. A live lease can
   * only be released (for its holder); an expired one is expired, which counts against the budget.
   */
  private async releaseLease(task: Task): Promise<string> {
    const lease = task.lease;
    if (lease === null) throw new MuxctlError(`cannot release ${task.id}: it has no lease`);
    const checkpoint = await this.saveHoldersWork(task, lease.holder);
    const command: TaskCommand = lease.expiresAt > this.now() ? { type: 'release', worker: lease.holder } : { type: 'expireLease' };
    const result = ok(
      this.deps.store.apply(task.id, command, this.actor, this.now(), (next) => ({ checkpoints: checkpoint === null ? next.checkpoints : [...next.checkpoints, checkpoint] })),
      `release ${task.id}`,
    );
    const wip = checkpoint?.sha === undefined ? '' : `; WIP committed as ${checkpoint.sha.slice(0, 7)}`;
    return `${task.id} ${result.event.from} → ${result.event.to}: ${lease.holder}'s lease ended, branch ${task.branch ?? '(none)'} and checkpoints kept${wip}`;
  }

  private async saveHoldersWork(task: Task, holder: string): Promise<Checkpoint | null> {
    const { git } = this.deps;
    const worktree = workerPath(this.deps.config, holder);
    if (task.branch === null || !(await isDirectory(worktree))) return null;
    if ((await git.currentBranch(worktree).catch(() => null)) !== task.branch) return null;
    const sha = await git.commitAll(worktree, `WIP ${task.id}: checkpoint from ${holder} (its lease released by muxctl doctor)`);
    await git.releaseBranch(worktree, workerBranch(holder));
    return sha === null ? null : { at: this.now(), sha: sha.slice(0, 12), note: `WIP from ${holder}: lease released by the doctor` };
  }

  /**
   * A registered integration worktree is snapshotted to a backup ref before git removes it; a directory
   * git does not know is moved under `.muxctl/leftovers/` rather than deleted. The lander's lock is held
   * meanwhile, so a landing that starts now waits instead of losing its worktree halfway.
   */
  private async removeIntegration(path: string): Promise<string> {
    const entry = this.facts.integrationWorktrees.find((w) => w.path === path);
    if (entry === undefined) throw new MuxctlError(`no integration worktree at ${path}`);
    const lock = this.deps.landerLock ?? LANDER_LOCK;
    const taken = this.deps.store.tryLock(lock, 'doctor', this.now());
    if (!taken.ok) throw new MuxctlError(`${path} was left alone: ${taken.holder} (pid ${taken.pid}) started landing meanwhile`);
    try {
      if (!entry.registered) return `moved ${path} to ${await this.moveAside(path)}`;
      const { git } = this.deps;
      const backup = (await isDirectory(path)) ? await git.backupRef(INTEGRATION_PREFIX, await git.snapshotWorktree(path), new Date(this.now())) : null;
      await git.removeWorktree(path, { force: true });
      return `removed ${path}${backup === null ? '' : `; what it held is at ${backup}`}`;
    } finally {
      this.deps.store.unlock(lock);
    }
  }

  private async moveAside(path: string): Promise<string> {
    const target = await new RuntimeDir(this.deps.config.repo).leftoverPath(`${basename(path)}-${stamp(this.now())}`);
    await moveDirectory(path, target);
    return target;
  }

  private async freeBranch(wanted: string): Promise<string> {
    for (let n = 1; n <= 20; n++) {
      const name = n === 1 ? wanted : `${wanted}-${n}`;
      if (!(await this.deps.git.branchExists(name))) return name;
    }
    throw new MuxctlError(`cannot name a WIP branch: ${wanted} and 19 more like it exist`);
  }

  private task(id: string): Task {
    const task = this.facts.tasks.find((t) => t.id === id);
    if (task === undefined) throw new MuxctlError(`no task ${id}`);
    return task;
  }

  private worker(name: string): WorkerFacts {
    const worker = this.facts.workers.find((w) => w.name === name);
    if (worker === undefined) throw new MuxctlError(`no worker named "${name}" in ${this.deps.config.file}`);
    return worker;
  }
}

/**
 * The next legal move toward landed, or null once there. The acceptance check is reported passed: the
 * work it would judge is already on the base, where the lander's (or the person's) check judged it.
 */
function nextTowardLanded(task: Task, tip: string, commits: number): TaskCommand | null {
  const holder = task.lease?.holder ?? task.assignee ?? DOCTOR_HOLDER;
  switch (task.state) {
    case 'failed':
    case 'blocked':
    case 'escalated':
      return { type: 'retry' };
    case 'proposed':
      return { type: 'accept' };
    case 'queued':
      return { type: 'claim', worker: DOCTOR_HOLDER, leaseMs: 60_000 };
    case 'claimed':
      return { type: 'start', worker: holder };
    case 'running':
      return { type: 'finish', worker: holder, evidence: { checkPassed: task.check === null ? null : true, dirtyFiles: [], commitsOnBranch: Math.max(1, commits) } };
    case 'done':
      return { type: 'land', sha: tip };
    case 'landed':
    case 'canceled':
      return null;
  }
}

function ok(result: TaskResult, what: string): Extract<TaskResult, { ok: true }> {
  if (!result.ok) throw new MuxctlError(`cannot ${what}: ${result.error}`);
  return result;
}

async function branchFacts(git: Git, task: Task, base: string): Promise<BranchFacts> {
  const ref = `refs/heads/${task.branch ?? ''}`;
  const tip = await git.resolveCommit(ref);
  if (tip === null) return { landed: false, commits: 0, tip: null };
  const commits = await git.countCommits(task.baseSha ?? base, ref);
  const landed = task.baseSha !== null && tip !== task.baseSha && (await git.isAncestor(tip, base));
  return { landed, commits, tip };
}

type Registered = Map<string, { branch: string | null; prunable: boolean; path: string }>;

/** git's worktrees by canonical path (git records real paths; the config may name a symlink). */
async function registeredWorktrees(git: Git): Promise<Registered> {
  const map: Registered = new Map();
  for (const entry of await git.listWorktrees()) map.set(await canonical(entry.path), { branch: entry.branch, prunable: entry.prunable, path: entry.path });
  return map;
}

/**
 * Registered worktrees named `_land…` or inside a `_land…` directory (or at the lander's configured
 * path), and `_land…` directories in the worktree directory that hold none of those: made by a lander
 * that died before git registered them.
 */
async function integrationWorktrees(config: ProjectConfig, registered: Registered, configured?: string): Promise<IntegrationWorktree[]> {
  const lander = configured === undefined ? null : await canonical(configured);
  const isIntegration = (path: string): boolean => path === lander || [basename(path), basename(dirname(path))].some((name) => name.startsWith(INTEGRATION_PREFIX));
  const main = await canonical(config.repo);
  const found: IntegrationWorktree[] = [...registered.entries()]
    .filter(([path]) => path !== main && isIntegration(path))
    .map(([, entry]) => ({ path: entry.path, registered: true }));
  for (const entry of found) entry.interrupted = await integrationInterrupted(entry.path);
  const dir = await canonical(config.worktreeDir);
  const names = await listNames(dir);
  const candidates = names.filter((n) => n.startsWith(INTEGRATION_PREFIX)).map((n) => join(dir, n));
  if (lander !== null && !registered.has(lander)) candidates.push(lander);
  for (const path of new Set(candidates)) {
    if (!(await isDirectory(path))) continue;
    const holdsRegistered = [...registered.keys()].some((r) => r === path || r.startsWith(path + sep));
    if (!holdsRegistered) found.push({ path, registered: false });
  }
  return found;
}

/** A UTC time usable in a branch, a ref and a file name: 20250102T030405Z. */
function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
