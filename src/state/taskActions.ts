/**
 * The task keys: the board (`t`), assign (`a`), reassign (`R`), new task (`n`), events (`e`),
 * pause dispatch (`P`) and restart through its guard dialog (`r`). Each opens a dialog that shows what
 * will happen and why before anything does; the control plane decides, these only ask and relay.
 */
import { boardView, moveSelection as moveOnBoard } from '../core/views/boardView.js';
import type { RestartDecision } from '../core/rules/guards.js';
import { compareQueueOrder, waitingOn } from '../core/rules/queue.js';
import type { Task } from '../core/rules/tasks.js';
import { confirmDialog, eventsDialog, formDialog, pickDialog } from './dialogs.js';
import { focusedWorker, taskOf, type DashboardModel, type DashboardStore, type FormField } from './store.js';

/** The control plane's task side, as the dashboard's keys see it. */
export interface TaskCommands {
  assign(taskId: string, worker: string): Promise<string>;
  /** A worker's proposal accepted into the queue. */
  accept(taskId: string): Promise<string>;
  /** `askLane` when the worker is of another lane and the person has not said yes to that yet. */
  reassign(taskId: string, worker: string, laneConfirmed: boolean): Promise<{ message: string; askLane?: boolean }>;
  /** Returns null when the task was added, else what is wrong with the input. */
  addTask(input: { title: string; lane: string; priority: string; check: string }): string | null;
  restartDecision(worker: string, options: { destructive: boolean; confirmation: string | null }): Promise<RestartDecision>;
  restartGuarded(worker: string, options: { destructive: boolean; confirmation: string | null }): Promise<string>;
  /** Lines for the events dialog: what happened to a worker or a task, oldest first. */
  eventLines(about: string): string[];
  setDispatchPaused(paused: boolean): void;
  /** Lands the done tasks now; resolves to a line for the person. */
  land(): Promise<string>;
  /** The doctor's findings, each with its fix (or none), in the order shown. */
  doctorFindings(): Promise<Array<{ text: string; fix: { label: string } | null }>>;
  /** Applies the fix of the finding at `index` of the last doctorFindings(); a line for the person. */
  fixFinding(index: number): Promise<string>;
}

type Notify = (text: string, level?: 'info' | 'error') => void;
type Perform = (label: string, work: () => Promise<string>) => void;

const BOARD_CHROME_ROWS = 3;

export function boardModel(state: Pick<DashboardModel, 'tasks' | 'size' | 'boardSelected' | 'drift'>, now: number) {
  const blockedBy: Record<string, string[]> = {};
  for (const task of state.tasks) {
    const waits = task.state === 'queued' ? waitingOn(task, state.tasks) : [];
    if (waits.length > 0) blockedBy[task.id] = waits;
  }
  return boardView({ tasks: state.tasks, width: state.size.columns, height: Math.max(state.size.rows - BOARD_CHROME_ROWS, 3), selectedId: state.boardSelected, drift: state.drift, blockedBy, now });
}

export function selectedTask(state: DashboardModel): Task | undefined {
  const id = boardModel(state, state.now).selectedId;
  return state.tasks.find((task) => task.id === id);
}

export function createTaskHandlers(store: DashboardStore, commands: TaskCommands, notify: Notify, perform: Perform) {
  const onBoard = (): boolean => store.getState().board && store.getState().detail === null;

  const pickWorker = (task: Task, title: string, act: (worker: string) => void): void => {
    const state = store.getState();
    const options = state.workers
      .filter((w) => w.name !== task.assignee)
      .map((w) => {
        const busy = taskOf(state, w.name);
        const notes = [w.lane === task.lane ? 'same lane' : `lane ${w.lane}`, busy ? `busy with ${busy.id}` : w.health.state];
        return { label: w.name, value: w.name, note: notes.join(' · ') };
      })
      .sort((a, b) => Number(b.note.startsWith('same lane')) - Number(a.note.startsWith('same lane')));
    if (options.length === 0) return notify('no other worker to choose');
    store.setState({ overlay: pickDialog({ title, lines: [`${task.id}: ${task.title}`], options, onPick: act }) });
  };

  const reassignTo = (task: Task, worker: string, laneConfirmed: boolean): void => {
    notify(`moving ${task.id} to ${worker}…`);
    commands.reassign(task.id, worker, laneConfirmed).then(
      (outcome) => {
        if (outcome.askLane !== true) return notify(outcome.message);
        store.setState({ overlay: confirmDialog({ title: `Move ${task.id} to another lane?`, lines: [outcome.message], onYes: () => reassignTo(task, worker, true) }) });
      },
      (error: unknown) => notify(`reassign failed: ${(error as Error).message}`, 'error'),
    );
  };

  const confirmReassign = (task: Task, worker: string): void => {
    store.setState({
      overlay: confirmDialog({
        title: `Move ${task.id} from ${task.assignee ?? 'nobody'} to ${worker}?`,
        lines: [
          `${task.id}: ${task.title}`,
          `${task.assignee ?? 'Its worker'} comes back idle; its uncommitted changes are committed to ${task.branch ?? 'the task branch'} as a WIP checkpoint.`,
          `${worker} checks the branch out and resumes the task from there. Nothing is reset.`,
        ],
        onYes: () => reassignTo(task, worker, false),
      }),
    });
  };

  /** The task a key acts on: the selected card on the board, else the focused worker's task. */
  const subjectTask = (): Task | undefined => {
    const state = store.getState();
    if (onBoard()) return selectedTask(state);
    const worker = focusedWorker(state);
    return worker ? taskOf(state, worker.name) : undefined;
  };

  const showRestartDialog = (name: string, destructive: boolean, confirmation: string | null): void => {
    commands.restartDecision(name, { destructive, confirmation }).then(
      (decision) => {
        const worker = store.getState().workers.find((w) => w.name === name);
        const lines = [
          ...(worker ? [`Now: ${worker.health.badge} · ${worker.health.evidence}`] : []),
          `Decision: ${decision.action}`,
          ...decision.reasons.map((reason) => `· ${reason}`),
          ...(decision.backupRef ? ['A backup ref of the worktree is saved first.'] : [`Its worktree (${worker?.worktree ?? '?'}) is kept as it is: nothing in it is reset.`]),
        ];
        if (decision.action === 'reset-needs-confirmation') return askTypedName(name, lines);
        store.setState({
          overlay: confirmDialog({
            title: `Restart ${name}?`,
            lines,
            onYes: () => perform(`restarting ${name}`, () => commands.restartGuarded(name, { destructive, confirmation })),
            ...(destructive ? {} : { extra: { label: 'reset to the base instead', onKey: () => showRestartDialog(name, true, null) } }),
          }),
        });
      },
      (error: unknown) => notify(`restart: ${(error as Error).message}`, 'error'),
    );
  };

  const askTypedName = (name: string, lines: string[]): void => {
    store.setState({
      overlay: formDialog({
        title: `Reset ${name} to the base?`,
        lines,
        fields: [{ name: 'confirmation', label: `type ${name} to confirm`, value: '' }],
        onSubmit: (values) => {
          if (values['confirmation'] !== name) return `type exactly ${name} (nothing was reset)`;
          perform(`resetting ${name}`, () => commands.restartGuarded(name, { destructive: true, confirmation: name }));
          return null;
        },
      }),
    });
  };

  return {
    openBoard: (): void => store.setState({ board: true }),
    restart: (): void => {
      const worker = focusedWorker(store.getState());
      if (worker) showRestartDialog(worker.name, false, null);
    },
    assign: (): void => {
      const state = store.getState();
      if (onBoard()) {
        const task = selectedTask(state);
        if (!task) return;
        // A worker's proposal: a on its card takes it into the queue (then a again assigns it).
        if (task.state === 'proposed') return perform(`accepting ${task.id}`, () => commands.accept(task.id));
        if (task.state !== 'queued') return notify(`${task.id} is ${task.state}: only a queued task is assigned (R moves a held one)`);
        return pickWorker(task, `Assign ${task.id} to…`, (worker) => perform(`assigning ${task.id} to ${worker}`, () => commands.assign(task.id, worker)));
      }
      const worker = focusedWorker(state);
      if (!worker) return;
      const held = taskOf(state, worker.name);
      if (held) return notify(`${worker.name} is busy with ${held.id}: R moves it, or finish it first`);
      const queued = state.tasks.filter((task) => task.state === 'queued').sort((a, b) => Number(b.lane === worker.lane) - Number(a.lane === worker.lane) || compareQueueOrder(a, b));
      if (queued.length === 0) return notify('no queued task: n adds one');
      store.setState({
        overlay: pickDialog({
          title: `Assign to ${worker.name}…`,
          lines: [`${worker.name} · lane ${worker.lane} · ${worker.health.badge}`],
          options: queued.map((task) => ({ label: `${task.id} ${task.title}`, value: task.id, note: `P${task.priority} · lane ${task.lane}` })),
          onPick: (id) => perform(`assigning ${id} to ${worker.name}`, () => commands.assign(id, worker.name)),
        }),
      });
    },
    reassign: (): void => {
      const task = subjectTask();
      if (!task) return notify(onBoard() ? 'no task selected' : 'the worker holds no task');
      if (task.state !== 'claimed' && task.state !== 'running') return notify(`${task.id} is ${task.state}: only a claimed or running task moves`);
      pickWorker(task, `Move ${task.id} to…`, (worker) => confirmReassign(task, worker));
    },
    newTask: (): void => {
      const state = store.getState();
      const worker = onBoard() ? undefined : focusedWorker(state);
      const fields: FormField[] = [
        { name: 'title', label: 'title', value: '', placeholder: 'what to do, in a line' },
        { name: 'lane', label: 'lane', value: worker?.lane ?? '', placeholder: 'empty: by the routing rules' },
        { name: 'priority', label: 'priority', value: '2', placeholder: '0 (first) … 9' },
        { name: 'check', label: 'check', value: '', placeholder: 'a command that passes when it is done, e.g. npm test' },
      ];
      store.setState({
        overlay: formDialog({
          title: 'New task',
          lines: [],
          fields,
          onSubmit: (values) => commands.addTask({ title: values['title'] ?? '', lane: values['lane'] ?? '', priority: values['priority'] ?? '', check: values['check'] ?? '' }),
        }),
      });
    },
    events: (): void => {
      const state = store.getState();
      const about = onBoard() ? selectedTask(state)?.id : focusedWorker(state)?.name;
      if (about === undefined) return;
      const drifted = (state.drift[about] ?? []).map((finding) => `⚠ drift: ${finding}`);
      const lines = [...drifted, ...commands.eventLines(about)];
      store.setState({ overlay: eventsDialog({ title: `What happened to ${about}`, lines }) });
    },
    toggleDispatch: (): void => {
      const paused = !store.getState().dispatchPaused;
      commands.setDispatchPaused(paused);
      store.setState({ dispatchPaused: paused });
      notify(paused ? 'automatic dispatch paused (P resumes)' : 'automatic dispatch resumed');
    },
    land: (): void => perform('landing done tasks', () => commands.land()),
    doctor: (): void => {
      notify('looking for drift…');
      commands.doctorFindings().then(
        (findings) => {
          if (findings.length === 0) return notify('no drift: the board and the world agree');
          store.setState({
            notice: null,
            overlay: pickDialog({
              title: `Drift doctor: ${findings.length} finding${findings.length === 1 ? '' : 's'}`,
              lines: ['Picking a finding shows its fix and asks first; every fix commits, moves or backs up before it changes anything'],
              options: findings.map((finding, index) => ({ label: finding.text, value: String(index), note: finding.fix ? `fix: ${finding.fix.label}` : 'no safe fix' })),
              onPick: (value) => {
                const finding = findings[Number(value)];
                if (finding?.fix == null) return notify('no safe fix for that one: a person decides');
                store.setState({ overlay: confirmDialog({ title: `Fix: ${finding.fix.label}?`, lines: [finding.text], onYes: () => perform(`fixing`, () => commands.fixFinding(Number(value))) }) });
              },
            }),
          });
        },
        (error: unknown) => notify(`doctor failed: ${(error as Error).message}`, 'error'),
      );
    },
    moveOnBoard: (direction: 'up' | 'down' | 'left' | 'right'): void => {
      const state = store.getState();
      const model = boardModel(state, state.now);
      store.setState({ boardSelected: moveOnBoard(model, model.selectedId, direction) });
    },
  };
}
