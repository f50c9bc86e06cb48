import { Box, Text } from 'ink';
import { useEffect, useMemo } from 'react';
import { useStore } from 'zustand';
import { emptyGridText, gridViewStatus, resolveSelection, visibleWorkers } from '../src/core/views/gridView.js';
import { SCREEN_ACTIONS, type ScreenView } from '../src/core/views/keymap.js';
import { CHROME_ROWS, computeGrid } from '../src/core/views/layout.js';
import { listGeometry, listWindow } from '../src/core/views/listView.js';
import type { Actions } from '../src/state/actions.js';
import { currentView, keyView, type DashboardStore } from '../src/state/store.js';
import { Grid } from './Grid.js';
import { WorkerList } from './WorkerList.js';
import { Header } from './Header.js';
import { DialogHost } from './DialogHost.js';
import { HintsBar } from './HintsBar.js';
import { KeyRouter } from './KeyRouter.js';
import { LogView } from './LogView.js';
import { DiffView } from './DiffView.js';
import { Preview } from './Preview.js';
import { Board } from './Board.js';
import { useBindings } from './useBindings.js';
import { boardModel } from '../src/state/taskActions.js';
import { isHeld, type Task } from '../src/core/rules/tasks.js';

/** The dashboard: one key router for the screen and every dialog drawn over it. */
export function App({ store, actions }: { store: DashboardStore; actions: Actions }) {
  return (
    <KeyRouter>
      <Dashboard store={store} actions={actions} />
    </KeyRouter>
  );
}

function Dashboard({ store, actions }: { store: DashboardStore; actions: Actions }) {
  const workers = useStore(store, (s) => s.workers);
  const gridView = useStore(store, (s) => s.gridView);
  const selectedAt = useStore(store, (s) => s.selected);
  const selectedName = useStore(store, (s) => s.selectedName);
  const listFirst = useStore(store, (s) => s.listFirst);
  const size = useStore(store, (s) => s.size);
  const overlay = useStore(store, (s) => s.overlay);
  const now = useStore(store, (s) => s.now);
  const ready = useStore(store, (s) => s.ready);
  // Only the mode: the detail's lines change many times a second and only the detail view draws them.
  const view = useStore(store, (s): ScreenView => currentView(s));
  // While a dialog is open its own hint line says its keys: the bar keeps quiet rather than offer the
  // screen's keys under it, which do nothing then.
  const dialogOpen = useStore(store, (s) => s.overlay !== null);

  const shown = useMemo(() => visibleWorkers(workers, gridView), [workers, gridView]);
  const selected = resolveSelection(shown, selectedName, selectedAt);
  const grid = computeGrid({ panels: shown.length, columns: size.columns, rows: size.rows, chromeRows: CHROME_ROWS, selected });
  const list = listGeometry({ columns: size.columns, rows: size.rows, chromeRows: CHROME_ROWS });
  const listFirstShown = listWindow(shown.length, list.rows, selected, listFirst);
  const perRow = grid.perRow;
  useEffect(() => {
    if (store.getState().perRow !== perRow) store.setState({ perRow });
  }, [store, perRow]);

  const tasks = useStore(store, (s) => s.tasks);
  const boardSelected = useStore(store, (s) => s.boardSelected);
  const drift = useStore(store, (s) => s.drift);
  const lastEvents = useStore(store, (s) => s.lastEvents);
  const messagesWaiting = useStore(store, (s) => s.messagesWaiting);
  const diffFigures = useStore(store, (s) => s.diffFigures);
  const held = useMemo(() => heldTasks(tasks), [tasks]);

  // The screen's keys work while nothing is on top of it (an open dialog or a log search being typed
  // owns them), in the screen the store is on when the key arrives.
  const screenKeys = useMemo(() => Object.fromEntries(SCREEN_ACTIONS.map((action) => [action, () => actions.run(action)])), [actions]);
  useBindings(
    () => currentView(store.getState()),
    screenKeys,
    () => keyView(store.getState()) === currentView(store.getState()),
  );

  const bodyHeight = Math.max(size.rows - CHROME_ROWS, 3);
  let body;
  if (overlay !== null) body = <DialogHost store={store} overlay={overlay} actions={actions} screen={view} width={size.columns} height={bodyHeight} />;
  else if (!ready) body = <Text dimColor> looking at the tmux server…</Text>;
  else if (view === 'log') body = <LogView store={store} actions={actions} width={size.columns} height={bodyHeight} />;
  else if (view === 'preview') body = <Preview store={store} width={size.columns} height={bodyHeight} />;
  else if (view === 'diff') body = <DiffView store={store} actions={actions} width={size.columns} height={bodyHeight} />;
  else if (view === 'board') body = <Board model={boardModel({ tasks, size, boardSelected, drift }, now)} />;
  else if (shown.length === 0) body = <Text dimColor wrap="truncate-end">{` ${emptyGridText(gridView.filter, workers.length)}`}</Text>;
  else if (view === 'list') body = <WorkerList workers={shown} geometry={list} first={listFirstShown} selected={selected} now={now} taskLines={held.lines} branches={held.branches} lastEvents={lastEvents} messagesWaiting={messagesWaiting} diffFigures={diffFigures} />;
  else body = <Grid workers={shown} grid={grid} selected={selected} now={now} taskLines={held.lines} lastEvents={lastEvents} messagesWaiting={messagesWaiting} diffFigures={diffFigures} />;

  const status =
    view === 'grid'
      ? [gridViewStatus(gridView, shown.length, workers.length), grid.shown < shown.length ? `${grid.first + 1}–${grid.first + grid.shown} of ${shown.length} on screen · move to see more` : '']
      : view === 'list'
        ? [gridViewStatus(gridView, shown.length, workers.length), list.rows < shown.length ? `${listFirstShown + 1}–${Math.min(shown.length, listFirstShown + list.rows)} of ${shown.length} listed · PgUp/PgDn pages` : '']
        : [];
  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Header store={store} width={size.columns} />
      <Box height={bodyHeight} flexDirection="column">
        {body}
      </Box>
      <StatusLine store={store} width={size.columns} extra={status.filter(Boolean).join(' · ')} />
      {dialogOpen ? <Text> </Text> : <HintsBar width={size.columns} view={view} />}
    </Box>
  );
}

/** Per worker holding a task: one line for it ("T3 running · fix the login form"), and its branch. */
function heldTasks(tasks: readonly Task[]): { lines: Record<string, string>; branches: Record<string, string> } {
  const lines: Record<string, string> = {};
  const branches: Record<string, string> = {};
  for (const task of tasks) {
    if (task.assignee === null || !isHeld(task.state)) continue;
    lines[task.assignee] = `${task.id} ${task.state} · ${task.title}`;
    if (task.branch !== null) branches[task.assignee] = task.branch;
  }
  return { lines, branches };
}

/** The config error if the file is broken, else the last action's outcome and what the grid shows. */
function StatusLine({ store, width, extra }: { store: DashboardStore; width: number; extra: string }) {
  const configError = useStore(store, (s) => s.configError);
  const notice = useStore(store, (s) => s.notice);
  if (configError !== null) {
    return (
      <Box width={width}>
        <Text color="red" wrap="truncate-end">
          {` config not applied, nothing changed: ${configError}`}
        </Text>
      </Box>
    );
  }
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        {' '}
        {notice ? <Text color={notice.level === 'error' ? 'red' : 'yellow'}>{notice.text}</Text> : null}
        {notice && extra ? ' · ' : ''}
        <Text color="cyan">{extra}</Text>
      </Text>
    </Box>
  );
}
