/**
 * The drift doctor (issue 5): every place where the board's record and the world disagree, read from
 * facts the control plane gathered (git, tmux, the store), each with a safe fix where one exists. Pure:
 * the same facts always give the same findings, in the same order.
 *
 * No fix deletes work. A fix commits, moves or backs up first; the labels say so, because the person
 * pressing the key decides on the label alone.
 */
import { MONITOR_SESSION } from '../parsers/controlProtocol.js';
import { isHeld, OPEN_STATES, plural } from './tasks.js';
import type { Task } from './tasks.js';

export const FINDING_KINDS = [
  'done-not-landed',
  'landed-not-recorded',
  'dirty-without-task',
  'orphan-session',
  'missing-session',
  'gone-lease',
  'leftover-integration',
  'host-unreachable',
  'host-clone',
  'host-tmux',
  'host-clock',
  'host-orphan-session',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** Which fix: a stable id the dashboard's key and the recorded event name; the label is what a person reads. */
export const FIX_KEYS = ['land', 'mark-landed', 'commit-wip', 'stop-orphan', 'start', 'release-lease', 'remove-integration'] as const;
export type FixKey = (typeof FIX_KEYS)[number];

export interface Fix {
  key: FixKey;
  label: string;
}

export interface Finding {
  kind: FindingKind;
  /** A task id, a worker name, a tmux session name or a worktree path: what the finding is about. */
  subject: string;
  text: string;
  fix: Fix | null;
}

export interface WorkerFacts {
  name: string;
  worktree: string;
  /** Registered with git and present on disk. */
  exists: boolean;
  /** The branch checked out there; null when detached or when the worktree does not exist. */
  branch: string | null;
  dirtyFiles: string[];
  hasSession: boolean;
  /** What the person last asked of it; null when it was never started (no record), which is not drift. */
  desired: 'running' | 'stopped' | null;
}

export interface BranchFacts {
  /** The tip moved past the task's baseSha and is contained in the base. */
  landed: boolean;
  /** Commits on the branch past where the task started. */
  commits: number;
  /** The branch's tip, or null when the branch does not exist. */
  tip: string | null;
}

export interface IntegrationWorktree {
  path: string;
  /** Registered with git (a `git worktree`), rather than a bare directory left behind. */
  registered: boolean;
  /**
   * A merge or rebase in progress, or files changed: a landing stopped half-way. The lander keeps its
   * worktree clean between landings for the next one, so a clean one is not left over. Unknown: true.
   */
  interrupted?: boolean;
}

/** What one configured host answered (control/hostProbe.ts): one ssh call that asks git and tmux there. */
export interface HostFacts {
  name: string;
  /** The ssh destination, for the messages. */
  destination: string;
  repo: string;
  /** What ssh said when it could not log in; null when it did. */
  unreachable: string | null;
  /** The root commits of the clone at `repo`; null when no git repository with a commit is there. */
  rootCommits: readonly string[] | null;
  /** What `tmux -V` printed there; null when tmux is not on the host's PATH. */
  tmux: string | null;
  /** The sessions on muxctl's tmux server there (`<tmuxSocket>-<host>`); [] when none runs. */
  sessions: readonly string[];
  /** The workers the config runs there. */
  workers: readonly string[];
  /** How a person stops a session there, for the message: `ssh … tmux -L … kill-session -t =`. */
  killCommand: string;
  /** How far the host's clock is ahead of this machine's (behind: negative), ms; null when not read. */
  clockOffsetMs?: number | null;
}

/**
 * A host clock this far off makes its workers' activity read wrong: a pane that moved a minute ago on a
 * clock two minutes behind looks quiet for three. Below it, the probe's own round trip and the clock's
 * one-second steps are the difference.
 */
export const CLOCK_OFF_LIMIT_MS = 5_000;

export interface DoctorFacts {
  tasks: readonly Task[];
  /** The configured workers, in config order. */
  workers: readonly WorkerFacts[];
  /** Every session on muxctl's tmux socket. */
  sessions: readonly string[];
  /** By task id, for each task with a branch. */
  branches: Readonly<Record<string, BranchFacts>>;
  integrationWorktrees: readonly IntegrationWorktree[];
  /** A lander holds its lock and its pid is alive: an integration worktree is in use, not left over. */
  landerLockHeld: boolean;
  baseBranch: string;
  /** The root commits of this repository, to compare each host's clone with. */
  rootCommits: readonly string[];
  /** The configured hosts, in config order. */
  hosts: readonly HostFacts[];
  now: number;
}

/** Open or done: a branch of one of these already on the base is a landing the board never recorded. */
const UNLANDED_STATES: ReadonlySet<Task['state']> = new Set([...OPEN_STATES, 'done']);

/** tmux accepts session names muxctl's adapter refuses to target (it only targets these exactly). */
const TARGETABLE_SESSION = /^[A-Za-z0-9_-]+$/;

export const FIX_LABELS: Readonly<Record<FixKey, string>> = {
  land: 'land it',
  'mark-landed': 'mark it landed',
  'commit-wip': 'commit it to a new branch muxctl/wip/<worker>/<time>',
  'stop-orphan': 'stop it (its screen is saved to a file first)',
  start: 'start it',
  'release-lease': 'expire the lease (its branch and checkpoints are kept)',
  'remove-integration': 'remove it (nothing in it is work: it is reset for every landing)',
};

function fix(key: FixKey, label: string = FIX_LABELS[key]): Fix {
  return { key, label };
}

export function diagnose(facts: DoctorFacts): Finding[] {
  return [
    ...facts.tasks.flatMap((task) => taskFindings(task, facts)),
    ...facts.workers.flatMap((worker) => workerFindings(worker, facts)),
    ...orphanSessions(facts),
    ...facts.tasks.flatMap((task) => goneLease(task, facts)),
    ...leftoverIntegration(facts),
    ...facts.hosts.flatMap((host) => hostFindings(host, facts.rootCommits)),
  ].sort((a, b) => FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind));
}

/** A host that cannot run workers; none has a safe fix here: the person fixes ssh, the clone or tmux there. */
function hostFindings(host: HostFacts, rootCommits: readonly string[]): Finding[] {
  if (host.unreachable !== null) {
    return [{ kind: 'host-unreachable', subject: host.name, text: `host ${host.name} (${host.destination}) cannot be reached: ${host.unreachable}`, fix: null }];
  }
  const findings: Finding[] = [];
  if (host.rootCommits === null) {
    findings.push({ kind: 'host-clone', subject: host.name, text: `host ${host.name} has no clone of this repository at ${host.repo}: clone it there`, fix: null });
  } else if (rootCommits.length > 0 && !host.rootCommits.some((sha) => rootCommits.includes(sha))) {
    const there = host.rootCommits[0]?.slice(0, 7) ?? '?';
    const here = rootCommits[0]?.slice(0, 7) ?? '?';
    findings.push({ kind: 'host-clone', subject: host.name, text: `host ${host.name}: ${host.repo} is a clone of another repository (its first commit is ${there}, this one's ${here})`, fix: null });
  }
  if (host.tmux === null) findings.push({ kind: 'host-tmux', subject: host.name, text: `host ${host.name} has no tmux on its PATH: install tmux ≥ 3.0 there`, fix: null });
  const offset = host.clockOffsetMs ?? null;
  if (offset !== null && Math.abs(offset) >= CLOCK_OFF_LIMIT_MS) {
    const by = clockDistance(Math.abs(offset));
    const text = `host ${host.name}'s clock is ${by} ${offset > 0 ? 'ahead of' : 'behind'} this machine's: its workers' activity times read ${by} off (a worker may show idle while it works, or working after it stopped); set its clock (NTP)`;
    findings.push({ kind: 'host-clock', subject: host.name, text, fix: null });
  }
  // A session there that no worker of that host names: a worker removed from the config, or moved to
  // another machine, still running on this one. Its fix is a person's: its screen is there, not here.
  const named = new Set(host.workers);
  for (const session of [...new Set(host.sessions)].filter((name) => !named.has(name)).sort()) {
    findings.push({ kind: 'host-orphan-session', subject: `${host.name}:${session}`, text: `tmux session "${session}" on host ${host.name} belongs to no worker there in the config: look at it with muxctl's socket there, then stop it: ${host.killCommand}${session}`, fix: null });
  }
  return findings;
}

function taskFindings(task: Task, facts: DoctorFacts): Finding[] {
  const branch = task.branch;
  const tree = facts.branches[task.id];
  if (branch === null || tree === undefined) return [];
  if (task.state === 'done' && !tree.landed) {
    if (tree.commits > 0) {
      const text = `${task.id} is done but not landed: ${plural(tree.commits, 'commit')} on ${branch} wait to go onto ${facts.baseBranch}`;
      return [{ kind: 'done-not-landed', subject: task.id, text, fix: fix('land') }];
    }
    const where = tree.tip === null ? `its branch ${branch} is gone` : `${branch} holds no commits past where it started`;
    return [{ kind: 'done-not-landed', subject: task.id, text: `${task.id} is done but not landed, and ${where}: nothing to land; look at it by hand`, fix: null }];
  }
  if (UNLANDED_STATES.has(task.state) && tree.landed) {
    const text = `${task.id} is ${task.state} but its branch ${branch} already landed on ${facts.baseBranch}${tree.tip === null ? '' : ` (at ${tree.tip.slice(0, 7)})`}`;
    const unfinished = unfinishedWork(task, facts);
    if (unfinished !== null) return [{ kind: 'landed-not-recorded', subject: task.id, text: `${text}; ${unfinished}`, fix: null }];
    return [{ kind: 'landed-not-recorded', subject: task.id, text, fix: fix('mark-landed') }];
  }
  return [];
}

/** Marking a task landed while its worker has uncommitted changes on its branch would call half-done work finished. */
function unfinishedWork(task: Task, facts: DoctorFacts): string | null {
  if (!isHeld(task.state) || task.assignee === null) return null;
  const worker = facts.workers.find((w) => w.name === task.assignee);
  if (worker === undefined || !worker.exists || worker.branch !== task.branch || worker.dirtyFiles.length === 0) return null;
  return `${worker.name} still has ${listed(worker.dirtyFiles)} on it: finish or commit them, then it lands again`;
}

function workerFindings(worker: WorkerFacts, facts: DoctorFacts): Finding[] {
  const findings: Finding[] = [];
  if (worker.exists && worker.dirtyFiles.length > 0 && !holdsTask(worker.name, facts.tasks)) {
    const label = FIX_LABELS['commit-wip'].replace('<worker>', worker.name);
    // The worker's name, not its worktree's path: the line must leave room for the fix on a panel.
    const text = `${worker.name}'s worktree has ${listed(worker.dirtyFiles)} and ${worker.name} holds no task`;
    findings.push({ kind: 'dirty-without-task', subject: worker.name, text, fix: fix('commit-wip', label) });
  }
  if (worker.desired === 'running' && !worker.hasSession) {
    findings.push({ kind: 'missing-session', subject: worker.name, text: `${worker.name} should be running but has no tmux session`, fix: fix('start') });
  }
  return findings;
}

function holdsTask(worker: string, tasks: readonly Task[]): boolean {
  return tasks.some((task) => task.assignee === worker && isHeld(task.state));
}

function orphanSessions(facts: DoctorFacts): Finding[] {
  const named = new Set(facts.workers.map((w) => w.name));
  return [...new Set(facts.sessions)]
    .filter((session) => session !== MONITOR_SESSION && !named.has(session))
    .sort()
    .map((session): Finding => {
      const text = `tmux session "${session}" on muxctl's socket belongs to no worker in the config`;
      if (TARGETABLE_SESSION.test(session)) return { kind: 'orphan-session', subject: session, text, fix: fix('stop-orphan') };
      return { kind: 'orphan-session', subject: session, text: `${text}; its name cannot be targeted safely: stop it by hand`, fix: null };
    });
}

function goneLease(task: Task, facts: DoctorFacts): Finding[] {
  const lease = task.lease;
  if (lease === null || !isHeld(task.state)) return [];
  const worker = facts.workers.find((w) => w.name === lease.holder);
  const held = `${task.id} is ${task.state} and held by ${lease.holder}`;
  if (worker === undefined) {
    return [{ kind: 'gone-lease', subject: task.id, text: `${held}, which is not in the config`, fix: fix('release-lease') }];
  }
  const liveMs = lease.expiresAt - facts.now;
  // An expired lease is the dispatcher's to hand on; a live one of a worker with no session would sit until it runs out.
  if (worker.hasSession || liveMs <= 0) return [];
  const text = `${held}, whose lease is live for ${duration(liveMs)} more but which has no tmux session`;
  return [{ kind: 'gone-lease', subject: task.id, text, fix: fix('release-lease') }];
}

function leftoverIntegration(facts: DoctorFacts): Finding[] {
  if (facts.landerLockHeld) return [];
  return [...facts.integrationWorktrees]
    .filter((entry) => !entry.registered || entry.interrupted !== false)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((entry): Finding => ({
      kind: 'leftover-integration',
      subject: entry.path,
      text: `integration ${entry.registered ? 'worktree' : 'directory'} ${entry.path} is left over from a landing that stopped: no lander holds the lock`,
      fix: fix('remove-integration'),
    }));
}

const SHOWN = 3;

function listed(files: readonly string[]): string {
  const more = files.length > SHOWN ? ` and ${files.length - SHOWN} more` : '';
  return `${plural(files.length, 'uncommitted file')} (${files.slice(0, SHOWN).join(', ')}${more})`;
}

function duration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 120) return plural(seconds, 'second');
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? plural(minutes, 'minute') : plural(Math.round(minutes / 60), 'hour');
}

/** "7 s", "2m 10s", "3h 5m": how far apart two clocks are, in the units a person would say. */
function clockDistance(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
