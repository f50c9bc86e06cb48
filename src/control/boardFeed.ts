/**
 * The board as the dashboard shows it, kept current from `.muxctl/state.db`: read again only when
 * something was written there (by this dashboard, the CLI or a worker), checked with one cheap query.
 * Drift (read from git) is refreshed when the board changed, and otherwise seldom. A task that newly
 * needs a person is reported once, as an alert.
 */
import type { TaskStore } from '../adapters/taskStore.js';
import { clockMinutes } from '../core/rules/health.js';
import { needsPerson, type Task } from '../core/rules/tasks.js';
import type { TreeFacts } from './treeFacts.js';

/**
 * The control actions worth a line in a worker's panel (a plain start is not news). A failed worktree
 * setup is, with its exit status; the preparation that later succeeds takes its place.
 */
const PANEL_ACTIONS: ReadonlySet<string> = new Set(['restart', 'escalate', 'skip', 'refuse', 'backup', 'commit-wip', 'prepare', 'setup-failed']);
const PANEL_EVENTS_SCANNED = 500;
/**
 * Drift is read from git (a few calls a task) when the board changes, and otherwise this seldom: an
 * idle board with a day of finished tasks must not spawn git every few seconds.
 */
export const DRIFT_EVERY_MS = 120_000;

export interface BoardView {
  tasks: Task[];
  /** Per worker: its last control action worth a panel line ("restart 14:02: crashed (exit 3)"). */
  lastEvents: Record<string, string>;
  /** Per worker: messages waiting for it to be at its prompt (`muxctl send`, m, M). */
  messagesWaiting: Record<string, number>;
}

export interface BoardFeedDeps {
  store: TaskStore;
  tree: TreeFacts;
  now: () => number;
  /** The tasks as shown now, for the drift read and to tell what changed. */
  shown: () => readonly Task[];
  onBoard: (board: BoardView) => void;
  onDrift: (drift: Record<string, string[]>) => void;
  /** A task reached a state that hands it to a person (not for what the board showed at start). */
  onNeedsPerson: (task: Task) => void;
}

export class BoardFeed {
  private mark = '';
  private known = false;
  private driftAt = 0;
  private driftRunning = false;

  constructor(private readonly deps: BoardFeedDeps) {}

  /** Reads the board now if it changed since the last read; refreshes drift when due. */
  refresh(): void {
    const next = this.deps.store.changeMark();
    if (next === this.mark) {
      if (this.deps.now() - this.driftAt >= DRIFT_EVERY_MS) this.readDrift();
      return;
    }
    this.mark = next;
    const lastEvents: Record<string, string> = {};
    for (const event of this.deps.store.events({ limit: PANEL_EVENTS_SCANNED })) {
      if (event.kind === 'worker' && PANEL_ACTIONS.has(event.action)) lastEvents[event.subject] = `${event.action} ${clockMinutes(event.time)}: ${event.reasons.join('; ')}`;
    }
    const tasks = this.deps.store.list();
    const before = new Map(this.deps.shown().map((task) => [task.id, task.state]));
    // Not for what the board already showed when the dashboard opened: only a change is news.
    if (this.known) for (const task of tasks) if (needsPerson(task.state) && before.get(task.id) !== task.state) this.deps.onNeedsPerson(task);
    this.known = true;
    this.deps.onBoard({ tasks, lastEvents, messagesWaiting: this.deps.store.messages.waitingCounts() });
    this.readDrift();
  }

  private readDrift(): void {
    if (this.driftRunning) return;
    this.driftRunning = true;
    this.driftAt = this.deps.now();
    this.deps.tree
      .driftFindings(this.deps.shown())
      .then((drift) => this.deps.onDrift(drift))
      .catch(() => {})
      .finally(() => {
        this.driftRunning = false;
      });
  }
}
