/**
 * muxctl's own records under `.muxctl/` at the project root: what the person asked of each worker
 * (so "stopped" survives a restart of the dashboard), the control events with their reasons, and the
 * locks that keep two muxctl processes from racing. The tmux server stays the truth about what runs;
 * these files hold only what tmux cannot know.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withLockFile } from './lockFile.js';
import { pidAlive } from './process.js';
import type { EventActorKind } from '../core/rules/events.js';
import type { Actor } from '../core/rules/tasks.js';
import type { Conversation } from '../core/rules/agents.js';
import { TaskStore } from './taskStore.js';

/** The files a worker's logs are kept in: the events an agent writes through muxctl, and its screen. */
export function workerLogFiles(stateDir: string, worker: string): { events: string; screen: string } {
  return { events: `${stateDir}/logs/${worker}.events.jsonl`, screen: `${stateDir}/logs/${worker}.screen.log` };
}

export type NewControlEvent = Omit<ControlEvent, 'time' | 'actor'> & { actor: Actor };

export interface WorkerRecord {
  desired: 'running' | 'stopped';
  /** When the person (or a policy) last started the worker, epoch ms. */
  startedAt: number | null;
  stoppedAt: number | null;
  /** Automatic restarts since the person last started it by hand. */
  autoRestarts: number;
  /**
   * The task its process was given, and which process: the `startedAt` it had then (its epoch). A
   * lease is the delivery's: a later process of the worker (the tmux server died, a reboot) does not
   * have the task, however alive it looks. Absent in records written before muxctl kept it.
   */
  delivered?: { task: string; epoch: number | null; pending?: number } | null;
  /** The agent conversation its process was started on (a preset or `resume.command`), and whether it was resumed. */
  conversation?: Conversation | null;
}

/** A control action on a worker as read back from the history: the actor in the word stored for it. */
export interface ControlEvent {
  time: string;
  actor: EventActorKind;
  /**
   * `deliver`: the worker's command (re)started to hand it a task; not counted as a restart.
   * `prepare`: a new worktree's files copied in and its setup run; `setup-failed`: the setup failed, the worker was not started.
   * `add`: written into the config file (`muxctl worker add`); `remove-entry`: taken out of it once its worktree was removed.
   */
  action: 'start' | 'stop' | 'restart' | 'deliver' | 'remove' | 'backup' | 'refuse' | 'prepare' | 'setup-failed' | 'add' | 'remove-entry';
  worker: string;
  reason: string;
}

export class RuntimeDir {
  readonly dir: string;
  private opened: TaskStore | null = null;

  constructor(repoRoot: string) {
    this.dir = join(repoRoot, '.muxctl');
  }

  ensure(): void {
    mkdirSync(join(this.dir, 'locks'), { recursive: true });
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
  }

  readWorkers(): Record<string, WorkerRecord> {
    try {
      return JSON.parse(readFileSync(join(this.dir, 'workers.json'), 'utf8')) as Record<string, WorkerRecord>;
    } catch {
      return {};
    }
  }

  /** Read-modify-write under a lock, written atomically: two processes never lose each other's change. */
  async updateWorker(name: string, change: (old: WorkerRecord) => WorkerRecord): Promise<WorkerRecord> {
    return this.withLock('workers', () => {
      const all = this.readWorkers();
      const next = change(all[name] ?? { desired: 'running', startedAt: null, stoppedAt: null, autoRestarts: 0 });
      all[name] = next;
      const file = join(this.dir, 'workers.json');
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n');
      renameSync(tmp, file);
      return next;
    });
  }

  /**
   * A whole pane's screen, saved before its session is stopped: `.muxctl/logs/orphan-<session>-<time>.txt`,
   * 0600 like every screen capture of muxctl's (raw output, secrets unmasked), never over another file.
   */
  async saveScreen(session: string, lines: readonly string[], stamp: string): Promise<string> {
    const logs = join(this.dir, 'logs');
    await mkdir(logs, { recursive: true });
    const file = join(logs, `orphan-${session}-${stamp}.txt`);
    await writeFile(file, lines.join('\n') + '\n', { mode: 0o600, flag: 'wx' });
    return file;
  }

  /** Where a directory muxctl will not delete is moved aside: `.muxctl/leftovers/<name>`. */
  async leftoverPath(name: string): Promise<string> {
    const dir = join(this.dir, 'leftovers');
    await mkdir(dir, { recursive: true });
    return join(dir, name);
  }

  /**
   * Writes `.muxctl/<name>` atomically (temp file + rename), and only when its `meaning` changed, so a
   * reader never sees half a file and an idle board does not touch the disk. Returns the path if written.
   */
  writeIfChanged(name: string, content: string, meaning: (text: string) => string, force = false): string | null {
    const file = join(this.dir, name);
    let old: string | null = null;
    try {
      old = readFileSync(file, 'utf8');
    } catch {
      old = null;
    }
    if (!force && old !== null && meaning(old) === meaning(content)) return null;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, file);
    return file;
  }

  /** The board's database (`.muxctl/state.db`), opened on first use and shared by this process. */
  store(): TaskStore {
    if (this.opened === null) this.opened = TaskStore.open(join(this.dir, 'state.db'));
    return this.opened;
  }

  close(): void {
    this.opened?.close();
    this.opened = null;
  }

  /** Records a control action on a worker in the board's event history (masked by the store). */
  record(event: NewControlEvent, now = new Date()): ControlEvent {
    // The command line's actions are stored as `cli`, as they always were: old history reads the same.
    const actor = event.actor.kind === 'person' && event.actor.name === 'cli' ? { kind: 'cli' as const } : event.actor;
    const stored = this.store().record({
      time: now.getTime(),
      actor,
      kind: 'worker',
      subject: event.worker,
      action: event.action,
      worker: event.worker,
      reasons: [event.reason],
    });
    return { time: now.toISOString(), action: event.action, worker: event.worker, actor: actor.kind, reason: stored.reasons[0] ?? '' };
  }

  /** The control actions on workers, oldest first. */
  readEvents(): ControlEvent[] {
    return this.store()
      .events()
      .filter((event) => event.kind === 'worker')
      .map((event) => ({
        time: new Date(event.time).toISOString(),
        actor: event.actor.kind,
        action: event.action as ControlEvent['action'],
        worker: event.subject,
        reason: event.reasons.join('; '),
      }));
  }

  /**
   * Runs `fn` holding an exclusive lock file (lockFile.ts: O_EXCL, holding our pid). A lock whose pid is
   * dead is stale and taken over, and so is one left empty by a crash between its creation and its pid:
   * a crashed muxctl never wedges the next one.
   */
  async withLock<T>(name: string, fn: () => T | Promise<T>, timeoutMs = 15_000): Promise<T> {
    this.ensure();
    const file = join(this.dir, 'locks', `${name}.lock`);
    return withLockFile(file, async () => fn(), {
      waitMs: timeoutMs,
      busy: () => new Error(`could not take the lock ${file}: held by pid ${readPid(file)}`),
    });
  }

  /**
   * Claims the dashboard role that acts on its own (restart policies, config changes). A second
   * dashboard on the same project still shows everything and obeys keys, but leaves automatic
   * actions to the first, so two dashboards never restart one worker twice.
   * Returns the pid of the leader when it is another process.
   */
  claimLeadership(): { leader: boolean; otherPid: number | null } {
    this.ensure();
    const file = join(this.dir, 'dashboard.pid');
    if (tryCreateLock(file)) return { leader: true, otherPid: null };
    if (!lockHolderAlive(file)) {
      rmSync(file, { force: true });
      return this.claimLeadership();
    }
    return { leader: false, otherPid: readPid(file) };
  }

  releaseLeadership(): void {
    const file = join(this.dir, 'dashboard.pid');
    if (readPid(file) === process.pid) rmSync(file, { force: true });
  }
}

function tryCreateLock(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null;
  }
}

function lockHolderAlive(file: string): boolean {
  const pid = readPid(file);
  // A lock file caught between create and write has no pid yet: treat it as held.
  if (pid === null) return true;
  return pidAlive(pid);
}
