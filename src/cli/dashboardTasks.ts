/**
 * The dashboard's task side: the keys' task commands over TaskControl, the leader's dispatcher, and the
 * board kept current from `.muxctl/state.db` — read again only when something was written there (by
 * this dashboard, the CLI or a worker), checked once a second with one cheap query.
 */
import type { TaskControl } from '../control/taskControl.js';
import { Dispatcher } from '../control/dispatcher.js';
import { formatEvent } from '../core/events.js';
import { clockMinutes, clockTime } from '../core/health.js';
import type { Actor, Task } from '../core/tasks.js';
import type { TaskCommands } from '../state/taskActions.js';
import type { DashboardStore } from '../state/store.js';
import type { Context } from './context.js';
import { taskControl } from './tasks.js';
import { createLander, describeLanding, doctorDeps } from './landing.js';
import { applyFix, gatherDoctorFacts } from '../control/doctor.js';
import { diagnose, type Finding } from '../core/doctor.js';

const PERSON: Actor = { kind: 'person', name: 'dashboard' };
const BOARD_POLL_MS = 1000;
/**
 * Drift is read from git (a few calls a task) when the board changes, and otherwise this seldom: an
 * idle board with a day of finished tasks must not spawn git every few seconds.
 */
const DRIFT_EVERY_MS = 120_000;
/** The control actions worth a line in a worker's panel (a plain start is not news). */
const PANEL_ACTIONS: ReadonlySet<string> = new Set(['restart', 'escalate', 'skip', 'refuse', 'backup', 'commit-wip']);
const PANEL_EVENTS_SCANNED = 500;
/** land.auto tries a landing that changed nothing again after this long (the base may be free by then). */
const AUTO_LAND_RETRY_MS = 5 * 60_000;

export interface DashboardTasks {
  control: TaskControl;
  dispatcher: Dispatcher;
  commands: TaskCommands;
  /** Reads the board into the UI store now if it changed; `refresh()` after an action of our own. */
  refresh(): void;
  stop(): void;
}

/** Task states that hand the task to a person: reaching one is worth an alert, like a worker that waits. */
const NEEDS_PERSON: ReadonlySet<string> = new Set(['escalated', 'blocked', 'failed']);

export function createDashboardTasks(ctx: Context, store: DashboardStore, afterAction: () => void, onNeedsPerson: (task: Task) => void = () => {}): DashboardTasks {
  const control = taskControl(ctx);
  const db = control.store;
  const lander = createLander(ctx, control);
  let landing: Promise<string> | null = null;
  /** One landing at a time from this dashboard; another process's is refused by the lock in the database. */
  let landedAtMark = '';
  /** The done tasks as the lander last saw them: a refusal it records must not count as news. */
  const doneKey = (): string => JSON.stringify(db.list({ states: ['done'] }).map((task) => [task.id, task.updatedAt]));
  let landedAt = 0;
  const land = (): Promise<string> => {
    landing ??= lander
      .land(undefined, PERSON)
      .then(describeLanding)
      .finally(() => {
        landing = null;
        landedAtMark = doneKey();
        landedAt = Date.now();
        refresh();
      });
    return landing;
  };
  const dispatcher = new Dispatcher({
    control,
    supervisor: ctx.supervisor,
    store: db,
    stateDir: ctx.runtime.dir,
    config: () => ctx.supervisor.project,
    now: Date.now,
    // land.auto: the leader lands done tasks as they come, in the background (a check may take minutes).
    autoLand: () => {
      // Again only when the board changed since the last try (or after a while): a landing the base
      // refused (local changes in the main checkout) must not merge and check once a second.
      if (landing !== null || (doneKey() === landedAtMark && Date.now() - landedAt < AUTO_LAND_RETRY_MS)) return;
      void land().then(
        (text) => text !== 'nothing to land' && store.setState({ notice: { level: 'info', text: `landed: ${text}` } }),
        (error: unknown) => store.setState({ notice: { level: 'error', text: `landing failed: ${(error as Error).message}` } }),
      );
    },
  });
  let findings: Finding[] = [];
  let mark = '';
  let known = false;
  let driftAt = 0;
  let driftRunning = false;
  const readDrift = (): void => {
    if (driftRunning) return;
    driftRunning = true;
    driftAt = Date.now();
    control
      .driftFindings(store.getState().tasks)
      .then((drift) => store.setState({ drift }))
      .catch(() => {})
      .finally(() => {
        driftRunning = false;
      });
  };
  const refresh = (): void => {
    const next = db.changeMark();
    if (next === mark) {
      if (Date.now() - driftAt >= DRIFT_EVERY_MS) readDrift();
      return;
    }
    mark = next;
    const lastEvents: Record<string, string> = {};
    for (const event of db.events({ limit: PANEL_EVENTS_SCANNED })) {
      if (event.kind === 'worker' && PANEL_ACTIONS.has(event.action)) lastEvents[event.subject] = `${event.action} ${clockMinutes(event.time)}: ${event.reasons.join('; ')}`;
    }
    const tasks = db.list();
    const before = new Map(store.getState().tasks.map((task) => [task.id, task.state]));
    // Not for what the board already showed when the dashboard opened: only a change is news.
    if (mark !== '' && known) for (const task of tasks) if (NEEDS_PERSON.has(task.state) && before.get(task.id) !== task.state) onNeedsPerson(task);
    known = true;
    store.setState({ tasks, dispatchPaused: dispatcher.paused(), lastEvents });
    readDrift();
  };
  const timer = setInterval(refresh, BOARD_POLL_MS);
  refresh();
  const done = (message: string): string => {
    refresh();
    afterAction();
    return message;
  };

  const commands: TaskCommands = {
    assign: async (taskId, worker) => done((await control.assign(taskId, worker, PERSON)).message),
    reassign: async (taskId, worker, laneConfirmed) => {
      const outcome = await control.reassign(taskId, worker, PERSON, { laneConfirmed });
      done(outcome.message);
      return outcome.ok ? { message: outcome.message } : { message: outcome.message, ...(outcome.askLane === true ? { askLane: true } : {}) };
    },
    addTask: (input) => {
      const priority = input.priority === '' ? undefined : Number(input.priority);
      if (priority !== undefined && (!Number.isInteger(priority) || priority < 0 || priority > 9)) return `priority: expected a whole number 0–9, got "${input.priority}"`;
      const outcome = control.add(
        {
          title: input.title,
          ...(input.lane === '' ? {} : { lane: input.lane }),
          ...(priority === undefined ? {} : { priority }),
          ...(input.check === '' ? {} : { check: input.check }),
        },
        PERSON,
      );
      if (!outcome.ok) return outcome.message;
      store.setState({ notice: { level: 'info', text: outcome.message }, boardSelected: outcome.task?.id ?? null });
      done(outcome.message);
      return null;
    },
    restartDecision: (worker, options) => control.restartDecision(worker, { ...options, automatic: false }),
    restartGuarded: async (worker, options) => {
      const outcome = await control.restart(worker, { actor: PERSON, reason: 'restarted from the dashboard (r), confirmed', ...options });
      return done(`${worker}: ${outcome.message} · ${outcome.decision.reasons[0] ?? ''}`);
    },
    eventLines: (about) => db.events({ about, limit: 200 }).map((event) => formatEvent(event, clockTime)),
    land: async () => done(await land()),
    doctorFindings: async () => {
      findings = diagnose(await gatherDoctorFacts(doctorDeps(ctx, control, lander, PERSON)));
      return findings;
    },
    fixFinding: async (index) => {
      const finding = findings[index];
      if (finding === undefined) return 'that finding is gone: press D to look again';
      return done(await applyFix(finding, doctorDeps(ctx, control, lander, PERSON)));
    },
    setDispatchPaused: (paused) => {
      dispatcher.setPaused(paused, PERSON, paused ? 'paused from the dashboard (P)' : 'resumed from the dashboard (P)');
      refresh();
    },
  };
  return { control, dispatcher, commands, refresh, stop: () => clearInterval(timer) };
}
