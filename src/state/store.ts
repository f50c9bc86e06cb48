/**
 * The UI model: a zustand vanilla store with no React in it. The dashboard's loop writes snapshots
 * into it; components read slices with selectors; the keymap's actions change it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { WorkerSnapshot } from '../core/snapshot.js';

export type Overlay =
  | { kind: 'help' }
  | { kind: 'confirm'; title: string; lines: string[]; onYes: () => Promise<void> | void };

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
    ...initial,
  }));
}

/** The selected worker, if there is one. */
export function selectedWorker(model: DashboardModel): WorkerSnapshot | undefined {
  return model.workers[Math.min(model.selected, model.workers.length - 1)];
}
