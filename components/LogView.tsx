import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { dialogHintText } from '../src/core/views/keymap.js';
import { emptyLogText, logHeader, logLineParts, logWindow, type LogLine } from '../src/core/views/logView.js';
import type { Actions } from '../src/state/actions.js';
import { keyView, type DashboardStore } from '../src/state/store.js';
import { stateStyle } from './theme.js';
import { useBindings } from './useBindings.js';

const LEVEL_COLORS: Record<LogLine['level'], string | undefined> = { debug: 'gray', info: undefined, warn: 'yellow', error: 'red' };

/**
 * One worker's normalized log, newest at the bottom: a header line saying what is shown, then as many
 * lines as the terminal has rows, each cut at its width. The window and filters come from the store.
 * While a search is typed (after `/`) the view owns the keys: its `search` bindings, the rest text;
 * the listener lives as long as the view, so text pasted right after `/` is not lost.
 */
export function LogView({ store, actions, width, height }: { store: DashboardStore; actions: Actions; width: number; height: number }) {
  const detail = useStore(store, (s) => s.detail);
  const view = useStore(store, (s) => s.logView);
  useSearchKeys(store, actions);
  if (detail === null) return null;
  const window = logWindow(detail.events, view, Math.max(1, height - 1));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <DetailTitle store={store} worker={detail.worker} width={width}>
        {view.draft !== null ? <SearchDraft view="log" draft={view.draft} /> : logHeader(view, window)}
      </DetailTitle>
      {window.lines.length === 0 ? (
        <Text dimColor wrap="truncate-end">
          {emptyLogText(detail.worker, view)}
        </Text>
      ) : (
        window.lines.map((line, i) => <LogRow key={window.top + i} line={line} width={width} />)
      )}
    </Box>
  );
}

/**
 * The keys of a search being typed (after `/`) in a view of lines (the log, the diff): its `search`
 * bindings, the rest text. The listener lives as long as the view, so text pasted right after `/` is not lost.
 */
export function useSearchKeys(store: DashboardStore, actions: Actions): void {
  useBindings(
    'search',
    {
      searchApply: () => actions.editSearch({ kind: 'apply' }),
      searchCancel: () => actions.editSearch({ kind: 'cancel' }),
      erase: () => actions.editSearch({ kind: 'erase' }),
      quit: () => actions.run('quit'),
    },
    () => keyView(store.getState()) === 'search',
    (text) => actions.editSearch({ kind: 'type', text }),
  );
}

/** A view's title while a search is typed: what is typed so far, a cursor, and the search's keys. */
export function SearchDraft({ view, draft }: { view: string; draft: string }) {
  return (
    <>
      {`${view} · search: `}
      <Text color="cyan">{draft}</Text>
      <Text inverse> </Text>
      <Text dimColor>{`  ${dialogHintText('search')}`}</Text>
    </>
  );
}

/** A detail view's first line: the worker, its health badge, then what the view says of itself. */
export function DetailTitle({ store, worker, width, children }: { store: DashboardStore; worker: string; width: number; children: ReactNode }) {
  const health = useStore(store, (s) => s.workers.find((w) => w.name === worker)?.health);
  const style = health ? stateStyle[health.state] : null;
  return (
    <Box width={width}>
      <Text bold wrap="truncate-end">
        {`${worker} · `}
        {style && health ? <Text color={style.color}>{`${style.symbol} ${health.badge} · `}</Text> : null}
        {children}
      </Text>
    </Box>
  );
}

function LogRow({ line, width }: { line: LogLine; width: number }) {
  const parts = logLineParts(line);
  const color = LEVEL_COLORS[line.level];
  const colored = color ? { color } : {};
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        <Text dimColor>{`${parts.time} ${parts.source} `}</Text>
        <Text {...colored}>{`${parts.marker} `}</Text>
        {parts.tool !== '' ? <Text color="cyan">{`${parts.tool} `}</Text> : null}
        <Text {...colored}>{parts.text === '' ? ' ' : parts.text}</Text>
      </Text>
    </Box>
  );
}
