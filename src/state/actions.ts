/**
 * What each keymap action does to the model, and which control command it calls. Components call
 * `run(action)`; they never decide anything themselves.
 */
import type { Action } from '../core/keymap.js';
import { keymap } from '../core/keymap.js';
import { moveSelection } from '../core/layout.js';
import { selectedWorker, type DashboardStore } from './store.js';

/** The control plane as the dashboard's keys see it. Each command resolves to a line for the person. */
export interface Commands {
  start(worker: string): Promise<string>;
  stop(worker: string): Promise<string>;
  restart(worker: string): Promise<string>;
  /** Hands the terminal to the worker's session; the dashboard comes back when the person detaches. */
  attach(worker: string): void;
  /**
   * Starts (or, with null, stops) feeding `detail` for one worker: its log events for mode 'log', its
   * live screen for mode 'preview'. The dashboard keeps `store.detail` current while it is open.
   */
  watchDetail(request: { worker: string; mode: 'log' | 'preview' } | null): void;
  quit(): void;
}

export interface Actions {
  run(action: Action): void;
  /** Answers an open confirmation dialog. */
  answer(yes: boolean): void;
  closeOverlay(): void;
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
  const move = (direction: 'up' | 'down' | 'left' | 'right'): void => {
    const { selected, workers, perRow } = store.getState();
    store.setState({ selected: moveSelection(selected, workers.length, perRow, direction) });
  };

  const handlers: Record<Action, () => void> = {
    moveUp: () => move('up'),
    moveDown: () => move('down'),
    moveLeft: () => move('left'),
    moveRight: () => move('right'),
    attach: () => {
      const worker = selectedWorker(store.getState());
      if (worker) commands.attach(worker.name);
    },
    restart: () => {
      const worker = selectedWorker(store.getState());
      if (!worker) return;
      store.setState({
        overlay: {
          kind: 'confirm',
          title: `Restart ${worker.name}?`,
          lines: [
            `Now: ${worker.health.badge} · ${worker.health.evidence}`,
            'Its process is ended and its command started again in the same session.',
            `Its worktree (${worker.worktree}) is kept as it is: nothing in it is reset.`,
          ],
          onYes: () => perform(`restarting ${worker.name}`, () => commands.restart(worker.name)),
        },
      });
    },
    stop: () => {
      const worker = selectedWorker(store.getState());
      if (worker) perform(`stopping ${worker.name}`, () => commands.stop(worker.name));
    },
    start: () => {
      const worker = selectedWorker(store.getState());
      if (worker) perform(`starting ${worker.name}`, () => commands.start(worker.name));
    },
    help: () => store.setState((s) => ({ overlay: s.overlay?.kind === 'help' ? null : { kind: 'help' } })),
    quit: () => commands.quit(),
  };

  return {
    run(action) {
      const binding = keymap.find((b) => b.action === action);
      const worker = selectedWorker(store.getState());
      const reason = binding?.disabledReason({ state: worker?.health.state ?? null }) ?? null;
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
  };
}
