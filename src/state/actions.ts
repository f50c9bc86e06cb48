/**
 * What each keymap action does to the model, and which control command it calls. The screens' keys
 * call `run(action)`, each dialog's keys the method for its answer; components never decide anything
 * themselves.
 */
import { lanesOf, nextFilter, nextSort } from '../core/views/gridView.js';
import { keymap, type ScreenAction } from '../core/views/keymap.js';
import { CHROME_ROWS, moveSelection } from '../core/views/layout.js';
import { listGeometry, listWindow, moveInList, type ListMove } from '../core/views/listView.js';
import { detailBodyRows, editDraft, INITIAL_LOG_VIEW, nextMinLevel, scrollLog, withFilter, type DraftEdit, type LogMove } from '../core/views/logView.js';
import { choiceFor, keyLabel, type Question } from '../core/rules/answers.js';
import { answerDialog, helpDialog } from './dialogs.js';
import { currentView, focusedWorker, layoutChoice, selectedIndex, selectedWorker, shownWorkers, type DashboardStore, type DetailMode, type FormOverlay } from './store.js';
import { createTaskHandlers, selectedTask, type TaskCommands } from './taskActions.js';
import { createMessageHandlers, type MessageCommands } from './messageActions.js';
import { createWorkerHandlers, type WorkerCommands } from './workerActions.js';

/** The control plane as the dashboard's keys see it. Each command resolves to a line for the person. */
export interface Commands extends TaskCommands, MessageCommands, WorkerCommands {
  start(worker: string): Promise<string>;
  /** Every worker that should run, brought back with its task (`muxctl up`). */
  bringBack(): Promise<string>;
  stop(worker: string): Promise<string>;
  /** c: cancels (or sets again) the "continue" planned for when the worker's usage limit resets. */
  toggleContinue(worker: string): string;
  /** y: the question on the worker's screen, read now; null when it asks nothing muxctl can read. */
  readQuestion(worker: string): Promise<Question | null>;
  /**
   * Sends the answer `key` picks, only if the screen still asks `asked` (captured again first). A line
   * for the person: what was sent, or why nothing was.
   */
  answerQuestion(worker: string, asked: Question, key: string): Promise<string>;
  /** Hands the terminal to the worker's session; the dashboard comes back when the person detaches. */
  attach(worker: string): void;
  /**
   * Starts (or, with null, stops) feeding `detail` for one worker: its log events for mode 'log', its
   * live screen for mode 'preview'. The dashboard keeps `store.detail` current while it is open.
   */
  watchDetail(request: { worker: string; mode: DetailMode } | null): void;
  quit(): void;
}

export interface Actions {
  /** A screen's key (grid, log view, preview, board), after its `disabledReason`. */
  run(action: ScreenAction): void;
  /** Answers an open confirmation dialog. */
  answer(yes: boolean): void;
  closeOverlay(): void;
  /** A key typed while a log search is being written (after `/`). */
  editSearch(edit: DraftEdit): void;
  /** A key pressed in an answer dialog: the choice it names is sent (if the question is unchanged), else it says so. */
  answerWith(key: string): void;
  /** The extra answer of a confirmation dialog (e.g. x: reset instead). */
  answerExtra(): void;
  /** Moves the highlighted option of a pick dialog, or picks it. */
  pick(move: 'up' | 'down' | 'choose'): void;
  /** A key typed into a form dialog. */
  editForm(edit: { kind: 'type'; text: string } | { kind: 'erase' } | { kind: 'next' } | { kind: 'previous' } | { kind: 'submit' }): void;
}

export function createActions(store: DashboardStore, commands: Commands): Actions {
  const notify = (text: string, level: 'info' | 'error' = 'info'): void => store.setState({ notice: { level, text } });
  const perform = (label: string, work: () => Promise<string>): void => {
    notify(`${label}…`);
    work().then(
      (outcome) => notify(outcome),
      (error: unknown) => notify(`${label} failed: ${error instanceof Error ? error.message : String(error)}`, 'error'),
    );
  };
  const tasks = createTaskHandlers(store, commands, notify, perform);
  const messages = createMessageHandlers(store, commands, perform);
  const newWorkers = createWorkerHandlers(store, commands, perform);
  const move = (direction: 'up' | 'down' | 'left' | 'right'): void => {
    const view = currentView(store.getState());
    if (view === 'board') return tasks.moveOnBoard(direction);
    if (view === 'list' && (direction === 'up' || direction === 'down')) return moveList(direction);
    const state = store.getState();
    const shown = shownWorkers(state);
    const next = moveSelection(selectedIndex(state, shown), shown.length, state.perRow, direction);
    store.setState({ selected: next, selectedName: shown[next]?.name ?? null });
  };
  /** In the list: the selection moves, and the window of lines with it only when it would leave the screen. */
  const moveList = (to: ListMove): void => {
    const state = store.getState();
    const shown = shownWorkers(state);
    const page = listGeometry({ ...state.size, chromeRows: CHROME_ROWS }).rows;
    const from = selectedIndex(state, shown);
    const onScreen = listWindow(shown.length, page, from, state.listFirst);
    const next = moveInList(from, shown.length, page, to);
    store.setState({ selected: next, selectedName: shown[next]?.name ?? null, listFirst: listWindow(shown.length, page, next, onScreen) });
  };
  /** Before the grid's filter or order changes: name the selected worker, so the selection stays on it. */
  const pinSelection = (): void => {
    const worker = selectedWorker(store.getState());
    if (worker) store.setState({ selectedName: worker.name });
  };
  const open = (mode: DetailMode): void => {
    const worker = focusedWorker(store.getState());
    if (!worker) return;
    // The view opens now, empty; the dashboard's feed fills it. The level filter is kept: a person
    // looking for warnings usually looks for them in the next worker too.
    store.setState((s) => ({
      detail: { worker: worker.name, mode, events: [], screen: [] },
      // A diff is read from its top, every line shown (its lines have no levels).
      logView: mode === 'diff' ? { ...INITIAL_LOG_VIEW, follow: false } : { ...INITIAL_LOG_VIEW, minLevel: s.logView.minLevel },
    }));
    commands.watchDetail({ worker: worker.name, mode });
  };
  const scroll = (by: (page: number) => LogMove): void => {
    const { detail, logView, size } = store.getState();
    if (detail === null) return;
    const rows = detailBodyRows(size.rows);
    // A page keeps one line of the last one in view, so the eye has somewhere to land.
    store.setState({ logView: scrollLog(logView, detail.events, rows, by(Math.max(1, rows - 1))) });
  };
  const onFocused = (act: (name: string) => void) => (): void => {
    const worker = focusedWorker(store.getState());
    if (worker) act(worker.name);
  };
  /** y: the question is read off the screen now, not from the last snapshot; the dialog opens unless another did meanwhile. */
  const openAnswer = (name: string): void => {
    notify(`reading ${name}'s question…`);
    commands.readQuestion(name).then(
      (question) => {
        if (question === null) return notify(`${name}: the worker is not asking anything muxctl can read: ⏎ attaches`);
        if (store.getState().overlay !== null) return;
        store.setState({ overlay: answerDialog({ worker: name, question }), notice: null });
      },
      (error: unknown) => notify(`reading ${name}'s question failed: ${error instanceof Error ? error.message : String(error)}`, 'error'),
    );
  };

  const handlers: Record<ScreenAction, () => void> = {
    moveUp: () => move('up'),
    moveDown: () => move('down'),
    moveLeft: () => move('left'),
    moveRight: () => move('right'),
    attach: onFocused((name) => commands.attach(name)),
    movePageUp: () => moveList('pageUp'),
    movePageDown: () => moveList('pageDown'),
    moveFirst: () => moveList('first'),
    moveLast: () => moveList('last'),
    // In the list muxctl chose because the panels do not fit, v shows the grid anyway rather than refuse:
    // the grid never shrinks a panel below its minimum, it shows the panels that fit around the selected
    // one and scrolls with it, so it works, only partly. A key that answers "not possible" leaves the
    // person guessing what would be; the panels they asked for, with the header saying "grid: 8 of 100
    // panels fit · v list" and the status line which ones are on screen, explain themselves.
    toggleLayout: () => {
      pinSelection();
      store.setState((s) => ({ layout: layoutChoice(s).layout === 'list' ? 'grid' : 'list' }));
    },
    openLog: () => open('log'),
    openPreview: () => open('preview'),
    openDiff: () => open('diff'),
    cycleFilter: () => {
      pinSelection();
      store.setState((s) => ({ gridView: { ...s.gridView, filter: nextFilter(s.gridView.filter, lanesOf(s.workers)) } }));
    },
    cycleSort: () => {
      pinSelection();
      store.setState((s) => ({ gridView: { ...s.gridView, sort: nextSort(s.gridView.sort) } }));
    },
    restart: tasks.restart,
    stop: onFocused((name) => perform(`stopping ${name}`, () => commands.stop(name))),
    start: onFocused((name) => perform(`starting ${name}`, () => commands.start(name))),
    bringBack: () => perform('bringing the workers back', () => commands.bringBack()),
    continueAfterLimit: onFocused((name) => notify(commands.toggleContinue(name))),
    message: messages.message,
    messageMany: messages.messageMany,
    addWorker: newWorkers.addWorker,
    answer: onFocused(openAnswer),
    scrollUp: () => scroll(() => ({ by: -1 })),
    scrollDown: () => scroll(() => ({ by: 1 })),
    pageUp: () => scroll((page) => ({ by: -page })),
    pageDown: () => scroll((page) => ({ by: page })),
    scrollTop: () => scroll(() => 'top'),
    follow: () => scroll(() => 'bottom'),
    cycleLevel: () => store.setState((s) => ({ logView: withFilter(s.logView, { minLevel: nextMinLevel(s.logView.minLevel) }) })),
    search: () => store.setState((s) => ({ logView: { ...s.logView, draft: '' } })),
    back: () => {
      if (store.getState().detail === null) return store.setState({ board: false });
      store.setState((s) => ({ detail: null, logView: { ...INITIAL_LOG_VIEW, minLevel: s.logView.minLevel } }));
      commands.watchDetail(null);
    },
    openBoard: tasks.openBoard,
    assign: tasks.assign,
    reassign: tasks.reassign,
    newTask: tasks.newTask,
    events: tasks.events,
    toggleDispatch: tasks.toggleDispatch,
    land: tasks.land,
    doctor: tasks.doctor,
    help: () => store.setState((s) => ({ overlay: s.overlay?.kind === 'help' ? null : helpDialog() })),
    quit: () => commands.quit(),
  };

  return {
    run(action) {
      const state = store.getState();
      const view = currentView(state);
      const binding = keymap.find((b) => b.action === action && b.views.includes(view)) ?? keymap.find((b) => b.action === action);
      const worker = focusedWorker(state);
      const onBoard = view === 'board';
      const reason = binding?.disabledReason({ state: worker?.health.state ?? null, ...(onBoard ? { taskState: selectedTask(state)?.state ?? null } : {}) }) ?? null;
      if (reason !== null) {
        notify(`${binding?.label ?? action}: ${reason}`);
        return;
      }
      handlers[action]();
    },
    answer(yes) {
      const overlay = store.getState().overlay;
      store.setState({ overlay: null });
      if (yes && overlay?.kind === 'confirm') void overlay.onYes();
    },
    closeOverlay() {
      store.setState({ overlay: null });
    },
    answerWith(key) {
      const overlay = store.getState().overlay;
      if (overlay?.kind !== 'answer') return;
      if (choiceFor(overlay.question, key) === undefined) {
        store.setState({ overlay: { ...overlay, problem: `${keyLabel(key)} is not one of the choices: nothing sent` } });
        return;
      }
      store.setState({ overlay: null });
      perform(`answering ${overlay.worker}`, () => commands.answerQuestion(overlay.worker, overlay.question, key));
    },
    answerExtra() {
      const overlay = store.getState().overlay;
      // The key means nothing in a confirmation that offers no other answer.
      if (overlay?.kind !== 'confirm' || overlay.extra === undefined) return;
      store.setState({ overlay: null });
      overlay.extra.onKey();
    },
    pick(move) {
      const overlay = store.getState().overlay;
      if (overlay?.kind !== 'pick') return;
      if (move === 'choose') {
        const option = overlay.options[overlay.index];
        store.setState({ overlay: null });
        if (option) overlay.onPick(option.value);
        return;
      }
      const index = Math.max(0, Math.min(overlay.options.length - 1, overlay.index + (move === 'up' ? -1 : 1)));
      store.setState({ overlay: { ...overlay, index } });
    },
    editForm(edit) {
      const overlay = store.getState().overlay;
      if (overlay?.kind !== 'form') return;
      const set = (next: Partial<FormOverlay>): void => store.setState({ overlay: { ...overlay, ...next } });
      const field = overlay.fields[overlay.index];
      switch (edit.kind) {
        case 'type':
        case 'erase': {
          if (!field) return;
          const value = edit.kind === 'type' ? field.value + edit.text : [...field.value].slice(0, -1).join('');
          return set({ fields: overlay.fields.map((f, i) => (i === overlay.index ? { ...f, value } : f)), error: null });
        }
        case 'next':
          return set({ index: (overlay.index + 1) % overlay.fields.length });
        case 'previous':
          return set({ index: (overlay.index - 1 + overlay.fields.length) % overlay.fields.length });
        case 'submit': {
          const values = Object.fromEntries(overlay.fields.map((f) => [f.name, f.value.trim()]));
          const problem = overlay.onSubmit(values);
          // The submit may have opened the next step's dialog: close only the form that was answered.
          if (problem !== null) set({ error: problem });
          else if (store.getState().overlay === overlay) store.setState({ overlay: null });
          return;
        }
      }
    },
    editSearch(edit) {
      // A search applied in the diff view shows its first match first, not its last.
      store.setState((s) => ({ logView: s.detail?.mode === 'diff' && edit.kind === 'apply' ? { ...editDraft(s.logView, edit), follow: false } : editDraft(s.logView, edit) }));
    },
  };
}

