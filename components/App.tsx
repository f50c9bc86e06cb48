import { Box, Text, useInput } from 'ink';
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { bindingFor, confirmKeys } from '../src/core/keymap.js';
import { computeGrid } from '../src/core/layout.js';
import type { Actions } from '../src/state/actions.js';
import type { DashboardStore } from '../src/state/store.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { Grid } from './Grid.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { HintsBar } from './HintsBar.js';

/** Header, status line and hints bar: the rows the grid cannot use. */
const CHROME_ROWS = 3;

export function App({ store, actions }: { store: DashboardStore; actions: Actions }) {
  const workers = useStore(store, (s) => s.workers);
  const selected = useStore(store, (s) => s.selected);
  const size = useStore(store, (s) => s.size);
  const overlay = useStore(store, (s) => s.overlay);
  const now = useStore(store, (s) => s.now);
  const ready = useStore(store, (s) => s.ready);

  const grid = computeGrid({ panels: workers.length, columns: size.columns, rows: size.rows, chromeRows: CHROME_ROWS, selected });
  const perRow = grid.perRow;
  useEffect(() => {
    if (store.getState().perRow !== perRow) store.setState({ perRow });
  }, [store, perRow]);

  useInput((input, key) => {
    if (overlay?.kind === 'confirm') {
      if ((confirmKeys.yes as readonly string[]).includes(input)) actions.answer(true);
      else if ((confirmKeys.no as readonly string[]).includes(input) || key.escape) actions.answer(false);
      return;
    }
    if (overlay?.kind === 'help' && (key.escape || input === '?' || input === 'q')) {
      actions.closeOverlay();
      return;
    }
    const binding = bindingFor(input, key);
    if (binding) actions.run(binding.action);
  });

  const bodyHeight = Math.max(size.rows - CHROME_ROWS, 3);
  let body;
  if (overlay?.kind === 'help') body = <HelpOverlay width={size.columns} height={bodyHeight} />;
  else if (overlay?.kind === 'confirm') body = <ConfirmDialog title={overlay.title} lines={overlay.lines} width={size.columns} height={bodyHeight} />;
  else if (!ready) body = <Text dimColor> looking at the tmux server…</Text>;
  else body = <Grid workers={workers} grid={grid} selected={selected} now={now} />;

  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Header store={store} width={size.columns} />
      <Box height={bodyHeight} flexDirection="column">
        {body}
      </Box>
      <StatusLine store={store} width={size.columns} paging={grid.shown < workers.length ? `${grid.first + 1}–${grid.first + grid.shown} of ${workers.length} shown · move to see more` : ''} />
      <HintsBar width={size.columns} />
    </Box>
  );
}

/** The config error if the file is broken, else the last action's outcome. */
function StatusLine({ store, width, paging }: { store: DashboardStore; width: number; paging: string }) {
  const configError = useStore(store, (s) => s.configError);
  const notice = useStore(store, (s) => s.notice);
  if (configError !== null) {
    return (
      <Box width={width}>
        <Text color="red" wrap="truncate-end">
          {` config not applied (the running set is unchanged): ${configError}`}
        </Text>
      </Box>
    );
  }
  const text = [notice?.text, paging].filter(Boolean).join(' · ');
  return (
    <Box width={width}>
      <Text color={notice?.level === 'error' ? 'red' : 'yellow'} wrap="truncate-end">
        {' ' + text}
      </Text>
    </Box>
  );
}
