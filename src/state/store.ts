/**
 * The UI model: a zustand vanilla store with no React in it. The dashboard's loop writes snapshots
 * into it; components read slices with selectors; the keymap's actions change it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { WorkerSnapshot } from '../core/snapshot.js';

export type Overlay =
  | { kind: 'help' }
  | { kind: 'confirm'; title: string; lines: string[]; onYes: () => Promise<void> | void };

/** One line of the log view (the control layer's DisplayEvent, as plain data). */
export interface LogLine {
  at: number;
  source: 'log' | 'events' | 'screen';
  kind: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  text: string;
  tool?: string;
}

/**
 * What the dashboard feeds the detail views for the worker they look at: its recent normalized log
 * (`l`) or a live copy of its screen (`p`). Only one worker's detail is ever fed.
 */
export interface Detail {
  worker: string;
  mode: 'log' | 'preview';
  events: LogLine[];
  screen: string[];
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
  selected: number;
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
  /** The open detail view and what it shows, or null for the grid. */
  detail: Detail | null;
}

export type DashboardStore = StoreApi<DashboardModel>;

export function createDashboardStore(initial: Pick<DashboardModel, 'project' | 'socket' | 'configFile' | 'size' | 'now'>): DashboardStore {
  return createStore<DashboardModel>()(() => ({
    workers: [],
    selected: 0,
    perRow: 1,
    overlay: null,
    configError: null,
    notice: null,
    follower: null,
    ready: false,
    detail: null,
    ...initial,
  }));
}

/** The selected worker, if there is one. */
export function selectedWorker(model: DashboardModel): WorkerSnapshot | undefined {
  return model.workers[Math.min(model.selected, model.workers.length - 1)];
}
