/**
 * The dashboard's diffs, wired to its store: every panel's `+N −M` (control/diffFigures.ts) and the
 * open diff view (control/diffFeed.ts). Both are woken only by the loop's snapshots, which come only
 * when something on screen changed: an idle grid reads no diff.
 */
import { DiffFeed } from '../control/diffFeed.js';
import { DiffFigures, type Figure } from '../control/diffFigures.js';
import type { ProjectConfig } from '../core/config/config.js';
import type { WorkerSnapshot } from '../core/rules/snapshot.js';
import type { DashboardStore } from '../state/store.js';

export interface DashboardDiffs {
  /** Each new snapshot of the workers. */
  observe(workers: readonly WorkerSnapshot[]): void;
  /** A detail view opened or closed (`Commands.watchDetail`): the diff view's feed follows it. */
  watch(request: { worker: string; mode: string } | null): void;
  close(): void;
}

export function dashboardDiffs(store: DashboardStore, deps: { config: () => ProjectConfig; redact: (text: string) => string; now: () => number }): DashboardDiffs {
  const setFigure = (worker: string, figure: Figure | null): void => {
    const known = store.getState().diffFigures[worker];
    if (figure !== null && known?.added === figure.added && known.removed === figure.removed) return;
    if (figure === null && known === undefined) return;
    store.setState((s) => {
      const next = { ...s.diffFigures };
      if (figure === null) delete next[worker];
      else next[worker] = figure;
      return { diffFigures: next };
    });
  };
  const figures = new DiffFigures({ config: deps.config, now: deps.now, onFigure: setFigure });
  const view = new DiffFeed({
    config: deps.config,
    redact: deps.redact,
    now: deps.now,
    onDiff: (worker, screen) => {
      const open = store.getState().detail;
      if (open?.worker !== worker || open.mode !== 'diff') return;
      store.setState({ detail: { ...open, events: screen.lines, diff: { summary: screen.summary, against: screen.against, problem: screen.problem } } });
      // The view read the whole diff: the panel says the same.
      if (screen.totals !== null) setFigure(worker, { added: screen.totals.added, removed: screen.totals.removed });
    },
  });
  return {
    observe: (workers) => {
      figures.observe(workers);
      view.observe(workers);
    },
    watch: (request) => view.watch(request?.mode === 'diff' ? request.worker : null, store.getState().workers),
    close: () => {
      figures.close();
      view.close();
    },
  };
}
