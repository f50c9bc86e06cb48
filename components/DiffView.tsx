import { Box, Text } from 'ink';
import { useStore } from 'zustand';
import { diffHeader, emptyDiffText, type DiffLineKind } from '../src/core/views/diffLines.js';
import { logWindow, type LogLine } from '../src/core/views/logView.js';
import type { Actions } from '../src/state/actions.js';
import type { DashboardStore } from '../src/state/store.js';
import { DetailTitle, SearchDraft, useSearchKeys } from './LogView.js';

const KIND_STYLES: Partial<Record<DiffLineKind, { color?: string; bold?: boolean; dimColor?: boolean }>> = {
  'diff-header': { bold: true },
  'diff-meta': { dimColor: true },
  'diff-hunk': { color: 'cyan' },
  'diff-add': { color: 'green' },
  'diff-remove': { color: 'red' },
  'diff-cut': { color: 'yellow' },
};

/**
 * One worker's diff against the base: the file list with +/− counts, then the patch, from the top.
 * It scrolls and searches like the log view: the same window (`logWindow`) over the lines the feed
 * made of the diff (core/views/diffLines.ts), and the same search keys.
 */
export function DiffView({ store, actions, width, height }: { store: DashboardStore; actions: Actions; width: number; height: number }) {
  const detail = useStore(store, (s) => s.detail);
  const view = useStore(store, (s) => s.logView);
  useSearchKeys(store, actions);
  if (detail === null) return null;
  const window = logWindow(detail.events, view, Math.max(1, height - 1));
  const diff = detail.diff;
  const empty = diff?.problem ?? emptyDiffText(detail.worker, view);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <DetailTitle store={store} worker={detail.worker} width={width}>
        {view.draft !== null ? <SearchDraft view="diff" draft={view.draft} /> : diff === undefined ? 'diff · reading…' : diffHeader(diff, view, window)}
      </DetailTitle>
      {window.lines.length === 0 ? (
        <Text {...(diff?.problem ? { color: 'yellow' } : { dimColor: true })} wrap="truncate-end">
          {empty}
        </Text>
      ) : (
        window.lines.map((line, i) => <DiffRow key={window.top + i} line={line} width={width} />)
      )}
    </Box>
  );
}

function DiffRow({ line, width }: { line: LogLine; width: number }) {
  const style = KIND_STYLES[line.kind as DiffLineKind] ?? {};
  return (
    <Box width={width}>
      <Text wrap="truncate-end" {...style}>
        {line.text === '' ? ' ' : line.text}
      </Text>
    </Box>
  );
}
