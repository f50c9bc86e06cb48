/**
 * The UI model: a zustand vanilla store with no React in it. The dashboard's loop writes snapshots
 * into it; components read slices with selectors; the keymap's actions change it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { INITIAL_GRID_VIEW, matchesFilter, resolveSelection, visibleWorkers, type GridView } from '../core/views/gridView.js';
import type { ScreenView, View } from '../core/views/keymap.js';
import { CHROME_ROWS, computeGrid } from '../core/views/layout.js';
import { chooseLayout, listGeometry, type Layout, type LayoutChoice } from '../core/views/listView.js';
import { INITIAL_LOG_VIEW, type LogLine, type LogViewState } from '../core/views/logView.js';
import type { WorkerSnapshot } from '../core/rules/snapshot.js';
import { heldBy, type Task } from '../core/rules/tasks.js';
import type { Question } from '../core/rules/answers.js';

export interface PickOption {
  label: string;
  value: string;
  /** Dimmed after the label: why this one, or why not. */
  note?: string;
}

export interface FormField {
  name: string;
  label: string;
  value: string;
  /** Shown dimmed while the field is empty. */
  placeholder?: string;
}

/**
 * The dialog on top of the screen, if any; each kind is a keymap view of its own. `state/dialogs.ts`
 * builds every one of them.
 */
export type Overlay = HelpOverlay | ConfirmOverlay | AnswerOverlay | PickOverlay | FormOverlay | EventsOverlay;

export interface HelpOverlay {
  kind: 'help';
}

export interface ConfirmOverlay {
  kind: 'confirm';
  title: string;
  lines: string[];
  onYes: () => Promise<void> | void;
  /** A second answer besides yes and no, on the keymap's `confirmExtra` key: what it does, in words, and the act. */
  extra?: { label: string; onKey: () => void };
}

/** A waiting worker's question as read off its screen, answered by the key of a choice (y). */
export interface AnswerOverlay {
  kind: 'answer';
  worker: string;
  question: Question;
  /** Why the last key sent nothing (not one of the choices), until the next. */
  problem: string | null;
}

export interface PickOverlay {
  kind: 'pick';
  title: string;
  lines: string[];
  options: PickOption[];
  index: number;
  onPick: (value: string) => void;
}

export interface FormOverlay {
  kind: 'form';
  title: string;
  lines: string[];
  fields: FormField[];
  index: number;
  /** The problem with the last submit, shown until the next edit. */
  error: string | null;
  /** Returns a problem to show (the form stays open), or null when it was accepted. */
  onSubmit: (values: Record<string, string>) => string | null;
}

export interface EventsOverlay {
  kind: 'events';
  title: string;
  lines: string[];
}

/** One line of the log view (the control layer's DisplayEvent, as plain data). */
export type { LogLine } from '../core/views/logView.js';

/** The detail views of one worker: its log (`l`), its live screen (`p`), its diff (`d`). */
export type DetailMode = 'log' | 'preview' | 'diff';

/**
 * What the dashboard feeds the detail views for the worker they look at: its recent normalized log
 * (`l`), a live copy of its screen (`p`), or its diff (`d`) as lines the log view's model scrolls and
 * searches (in `events`). Only one worker's detail is ever fed.
 */
export interface Detail {
  worker: string;
  mode: DetailMode;
  events: LogLine[];
  screen: string[];
  /** The diff view: what its title says, and why there are no lines (no worktree yet); absent until read. */
  diff?: { summary: string; against: string; problem: string | null };
}

export interface Notice {
  level: 'info' | 'error';
  text: string;
}

export interface DashboardModel {
  project: string;
  socket: string;
  configFile: string;
  workers: WorkerSnapshot[];
  /**
   * The selected panel's index among the shown workers (filtered and sorted), as last moved to. The
   * worker named by `selectedName` wins while it is shown: a re-sort keeps the selection on it.
   */
  selected: number;
  /** The worker the person selected, or null before the first move (then `selected` alone counts). */
  selectedName: string | null;
  /** What the grid and the list show and in which order (f, o). */
  gridView: GridView;
  /** The person's choice of panels or lines (`v`), or null while muxctl chooses (layoutChoice). */
  layout: Layout | null;
  /** The list's first line on screen, as last scrolled: it moves only when the selection leaves the window. */
  listFirst: number;
  /** The log view's level filter, search and scroll position. */
  logView: LogViewState;
  /** Panels per grid row, as last laid out: movement needs it. */
  perRow: number;
  overlay: Overlay | null;
  /** A config file that no longer parses: shown until a good edit replaces it. */
  configError: string | null;
  /** The outcome of the last action, or a problem worth a line. */
  notice: Notice | null;
  size: { columns: number; rows: number };
  /** Another dashboard on this project acts on its own; this one only shows and obeys keys. */
  follower: { leaderPid: number | null } | null;
  /** The time the model was last refreshed, epoch ms: durations on screen count from it. */
  now: number;
  /** True once the first observation arrived, so the first frame never shows an empty grid as truth. */
  ready: boolean;
  /**
   * The open detail view and what it shows, or null for the grid. The keys' actions set it (so the view
   * opens at once) and the dashboard's feed fills its events or screen.
   */
  detail: Detail | null;
  /** The task board, read from the store (`.muxctl/state.db`) whenever it changes. */
  tasks: Task[];
  /** The board is open (`t`). */
  board: boolean;
  /** The selected card on the board, by task id. */
  boardSelected: string | null;
  dispatchPaused: boolean;
  /** Where a task's record and its tree disagree, by task id (the board marks them). */
  drift: Record<string, string[]>;
  /** The latest control event of each worker, as a line for its panel ("restart 14:03: crashed …"). */
  lastEvents: Record<string, string>;
  /** Per worker, the messages waiting until it is at its prompt. */
  messagesWaiting: Record<string, number>;
  /** Per worker, its lines added and removed against the base (the panel's `+N −M`), once read. */
  diffFigures: Record<string, { added: number; removed: number }>;
}

export type DashboardStore = StoreApi<DashboardModel>;

export function createDashboardStore(initial: Pick<DashboardModel, 'project' | 'socket' | 'configFile' | 'size' | 'now'>): DashboardStore {
  return createStore<DashboardModel>()(() => ({
    workers: [],
    selected: 0,
    selectedName: null,
    gridView: INITIAL_GRID_VIEW,
    layout: null,
    listFirst: 0,
    logView: INITIAL_LOG_VIEW,
    perRow: 1,
    overlay: null,
    configError: null,
    notice: null,
    follower: null,
    ready: false,
    detail: null,
    tasks: [],
    board: false,
    boardSelected: null,
    dispatchPaused: false,
    drift: {},
    lastEvents: {},
    messagesWaiting: {},
    diffFigures: {},
    ...initial,
  }));
}

/** The workers the grid shows, in the order it shows them. */
export function shownWorkers(model: Pick<DashboardModel, 'workers' | 'gridView'>): WorkerSnapshot[] {
  return visibleWorkers(model.workers, model.gridView);
}

/** The selected panel's index among the shown workers. */
export function selectedIndex(model: Pick<DashboardModel, 'selected' | 'selectedName'>, shown: readonly WorkerSnapshot[]): number {
  return resolveSelection(shown, model.selectedName, model.selected);
}

/** The selected worker, if one is shown. */
export function selectedWorker(model: DashboardModel): WorkerSnapshot | undefined {
  const shown = shownWorkers(model);
  return shown[selectedIndex(model, shown)];
}

/** The grid or the list, and whether muxctl chose it: the list when the shown workers' panels do not all fit. */
export function layoutChoice(model: Pick<DashboardModel, 'workers' | 'gridView' | 'size' | 'layout'>): LayoutChoice {
  const shown = model.workers.filter((w) => matchesFilter(w, model.gridView.filter)).length;
  return chooseLayout(model.layout, shown, model.size, CHROME_ROWS);
}

/** The model as far as which screen is in front depends on it. */
export type ScreenModel = Pick<DashboardModel, 'detail' | 'board' | 'workers' | 'gridView' | 'size' | 'layout'>;

/** Which screen the keys work in when no dialog is open. */
export function currentView(model: ScreenModel): ScreenView {
  return model.detail?.mode ?? (model.board ? 'board' : layoutChoice(model).layout);
}

/**
 * How many lines of each worker's screen the observer keeps: what a panel has room for, or in the
 * list what the detail pane has (it shows only the selected worker's, but any line may be selected
 * next). `configured` stands in for the shown workers before the first snapshot.
 */
export function screenLinesShown(model: DashboardModel, configured: number): number {
  const shown = shownWorkers(model);
  const panels = shown.length || configured;
  if (chooseLayout(model.layout, panels, model.size, CHROME_ROWS).layout === 'list') return Math.max(1, listGeometry({ ...model.size, chromeRows: CHROME_ROWS }).detailLines);
  // Sized like the panels on screen: a filter that shows fewer panels makes each taller.
  return computeGrid({ panels, columns: model.size.columns, rows: model.size.rows, chromeRows: CHROME_ROWS, selected: selectedIndex(model, shown) }).bodyLines;
}

/**
 * Whose keys work now: the open dialog's (each overlay kind is a keymap view), the log search's while
 * one is typed, else the screen's.
 */
export function keyView(model: ScreenModel & Pick<DashboardModel, 'overlay' | 'logView'>): View {
  if (model.overlay !== null) return model.overlay.kind;
  if (model.logView.draft !== null) return 'search';
  return currentView(model);
}

/** The task a worker holds now (claimed or running), if any. */
export function taskOf(model: Pick<DashboardModel, 'tasks'>, worker: string): Task | undefined {
  return heldBy(model.tasks, worker);
}

/** The worker the keys act on: the one a detail view shows, else the selected one. */
export function focusedWorker(model: DashboardModel): WorkerSnapshot | undefined {
  if (model.detail !== null) return model.workers.find((w) => w.name === model.detail?.worker);
  return selectedWorker(model);
}
