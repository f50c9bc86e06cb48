import { Box, Text, useInput } from 'ink';
import { useEffect, useMemo } from 'react';
import { useStore } from 'zustand';
import { emptyGridText, gridViewStatus, resolveSelection, visibleWorkers } from '../src/core/gridView.js';
import { bindingFor, confirmKeys, type View } from '../src/core/keymap.js';
import { computeGrid } from '../src/core/layout.js';
import type { Actions } from '../src/state/actions.js';
import { currentView, type DashboardStore } from '../src/state/store.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { Grid } from './Grid.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { HintsBar } from './HintsBar.js';
import { LogView } from './LogView.js';
import { Preview } from './Preview.js';
import { Board } from './Board.js';
import { PickDialog, FormDialog, EventsDialog } from './TaskDialogs.js';
import { boardModel } from '../src/state/taskActions.js';
import type { Task } from '../src/core/tasks.js';

/** Header, status line and hints bar: the rows the grid cannot use. */
const CHROME_ROWS = 3;

export function App({ store, actions }: { store: DashboardStore; actions: Actions }) {
  const workers = useStore(store, (s) => s.workers);
  const gridView = useStore(store, (s) => s.gridView);
  const selectedAt = useStore(store, (s) => s.selected);
  const selectedName = useStore(store, (s) => s.selectedName);
  const size = useStore(store, (s) => s.size);
  const overlay = useStore(store, (s) => s.overlay);
  const now = useStore(store, (s) => s.now);
  const ready = useStore(store, (s) => s.ready);
  // Only the mode: the detail's lines change many times a second and only the detail view draws them.
  const view = useStore(store, (s): View => currentView(s));

  const shown = useMemo(() => visibleWorkers(workers, gridView), [workers, gridView]);
  const selected = resolveSelection(shown, selectedName, selectedAt);
  const grid = computeGrid({ panels: shown.length, columns: size.columns, rows: size.rows, chromeRows: CHROME_ROWS, selected });
  const perRow = grid.perRow;
  useEffect(() => {
    if (store.getState().perRow !== perRow) store.setState({ perRow });
  }, [store, perRow]);

  const tasks = useStore(store, (s) => s.tasks);
  const boardSelected = useStore(store, (s) => s.boardSelected);
  const drift = useStore(store, (s) => s.drift);
  const lastEvents = useStore(store, (s) => s.lastEvents);

  useInput((input, key) => {
    if (overlay?.kind === 'confirm') {
      if ((confirmKeys.yes as readonly string[]).includes(input)) actions.answer(true);
      else if ((confirmKeys.no as readonly string[]).includes(input) || key.escape) actions.answer(false);
      else if (overlay.extra !== undefined && input === overlay.extra.key) actions.answerExtra();
      return;
    }
    if (overlay?.kind === 'pick') {
      if (key.escape || input === 'q') actions.closeOverlay();
      else if (key.upArrow || input === 'k') actions.pick('up');
      else if (key.downArrow || input === 'j') actions.pick('down');
      else if (key.return) actions.pick('choose');
      return;
    }
    if (overlay?.kind === 'form') {
      if (key.ctrl && input === 'c') actions.run('quit');
      else if (key.escape) actions.closeOverlay();
      else if (key.tab && key.shift) actions.editForm({ kind: 'previous' });
      else if (key.upArrow) actions.editForm({ kind: 'previous' });
      else if (key.downArrow) actions.editForm({ kind: 'next' });
      else if (key.return && input.length <= 1) actions.editForm({ kind: 'submit' });
      else if (key.tab && input.length <= 1) actions.editForm({ kind: 'next' });
      else if ((key.backspace || key.delete) && input.length <= 1) actions.editForm({ kind: 'erase' });
      else if (!key.ctrl && !key.meta) formChunk(input, actions);
      return;
    }
    if (overlay?.kind === 'events') {
      if (key.escape || input === 'q' || input === 'e') actions.closeOverlay();
      return;
    }
    if (overlay?.kind === 'help' && (key.escape || input === '?' || input === 'q')) {
      actions.closeOverlay();
      return;
    }
    // Writing a log search takes every key but Ctrl-C, which still quits.
    if (view === 'log' && store.getState().logView.draft !== null && !(key.ctrl && input === 'c')) {
      if (key.escape) actions.editSearch({ kind: 'cancel' });
      else if (key.return) actions.editSearch({ kind: 'apply' });
      else if (key.backspace || key.delete) actions.editSearch({ kind: 'erase' });
      else if (!key.ctrl && !key.meta && input !== '') actions.editSearch({ kind: 'type', text: input });
      return;
    }
    const binding = bindingFor(input, key, view);
    if (binding) actions.run(binding.action);
  });

  const bodyHeight = Math.max(size.rows - CHROME_ROWS, 3);
  let body;
  if (overlay?.kind === 'help') body = <HelpOverlay width={size.columns} height={bodyHeight} view={view} />;
  else if (overlay?.kind === 'confirm') body = <ConfirmDialog title={overlay.title} lines={overlay.lines} width={size.columns} height={bodyHeight} {...(overlay.extra ? { extra: overlay.extra } : {})} />;
  else if (overlay?.kind === 'pick') body = <PickDialog overlay={overlay} width={size.columns} height={bodyHeight} />;
  else if (overlay?.kind === 'form') body = <FormDialog overlay={overlay} width={size.columns} height={bodyHeight} />;
  else if (overlay?.kind === 'events') body = <EventsDialog overlay={overlay} width={size.columns} height={bodyHeight} />;
  else if (!ready) body = <Text dimColor> looking at the tmux server…</Text>;
  else if (view === 'log') body = <LogView store={store} width={size.columns} height={bodyHeight} />;
  else if (view === 'preview') body = <Preview store={store} width={size.columns} height={bodyHeight} />;
  else if (view === 'board') body = <Board model={boardModel({ tasks, size, boardSelected, drift }, now)} />;
  else if (shown.length === 0) body = <Text dimColor wrap="truncate-end">{` ${emptyGridText(gridView.filter, workers.length)}`}</Text>;
  else body = <Grid workers={shown} grid={grid} selected={selected} now={now} taskLines={taskLines(tasks)} lastEvents={lastEvents} />;

  const status =
    view === 'grid'
      ? [gridViewStatus(gridView, shown.length, workers.length), grid.shown < shown.length ? `${grid.first + 1}–${grid.first + grid.shown} of ${shown.length} on screen · move to see more` : '']
      : [];
  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Header store={store} width={size.columns} />
      <Box height={bodyHeight} flexDirection="column">
        {body}
      </Box>
      <StatusLine store={store} width={size.columns} extra={status.filter(Boolean).join(' · ')} />
      <HintsBar width={size.columns} view={view} />
    </Box>
  );
}

/**
 * Keys typed fast arrive as one chunk ("title\tapp\r"): each character does what its key would, in order,
 * so a Tab or a backspace inside a chunk is never typed as text.
 */
function formChunk(chunk: string, actions: Actions): void {
  for (const char of chunk) {
    if (char === '\t') actions.editForm({ kind: 'next' });
    else if (char === '\r' || char === '\n') return actions.editForm({ kind: 'submit' });
    else if (char === '\x7f' || char === '\b') actions.editForm({ kind: 'erase' });
    else if (char >= ' ') actions.editForm({ kind: 'type', text: char });
  }
}

/** One line per worker holding a task: "T3 running · fix the login form". */
function taskLines(tasks: readonly Task[]): Record<string, string> {
  const lines: Record<string, string> = {};
  for (const task of tasks) {
    if (task.assignee !== null && (task.state === 'claimed' || task.state === 'running')) lines[task.assignee] = `${task.id} ${task.state} · ${task.title}`;
  }
  return lines;
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
