import { Box, Text } from 'ink';
import { useMemo } from 'react';
import type { WorkerSnapshot } from '../src/core/rules/snapshot.js';
import { LIST_HEADINGS, listCells, planColumns, rowSegments, SELECTED_MARK, type ColumnPlan, type ListCells, type ListColumn } from '../src/core/views/listRows.js';
import type { ListGeometry } from '../src/core/views/listView.js';
import { evidenceTone, type DiffFigure } from '../src/core/views/workerFacts.js';
import { evidenceColor, stateStyle } from './theme.js';
import { WorkerDetail } from './WorkerDetail.js';

export interface WorkerListProps {
  /** The shown workers (filtered and sorted as the grid would show them). */
  workers: WorkerSnapshot[];
  geometry: ListGeometry;
  /** The first line on screen (listWindow keeps the selected one in it). */
  first: number;
  selected: number;
  now: number;
  taskLines?: Record<string, string>;
  /** The branch of the task each worker holds, for the detail pane. */
  branches?: Record<string, string>;
  lastEvents?: Record<string, string>;
  messagesWaiting?: Record<string, number>;
  diffFigures?: Record<string, DiffFigure>;
}

/**
 * Every worker as one line, the selected one highlighted and marked, with its detail pane beside or
 * under the list. The columns are planned over all the shown workers, not just the lines on screen, so
 * they keep their places as the list scrolls.
 */
export function WorkerList({ workers, geometry, first, selected, now, taskLines = {}, branches = {}, lastEvents = {}, messagesWaiting = {}, diffFigures = {} }: WorkerListProps) {
  const cells = useMemo(
    () => workers.map((w) => listCells(w, now, { symbol: stateStyle[w.health.state].symbol, taskLine: taskLines[w.name], diff: diffFigures[w.name] })),
    [workers, now, taskLines, diffFigures],
  );
  // A column kept blank at the right: the last column never touches the pane beside the list.
  const plan = useMemo(() => planColumns(cells, geometry.listWidth - 1), [cells, geometry.listWidth]);
  const chosen = workers[selected];
  const list = (
    <Box flexDirection="column" width={geometry.listWidth} height={geometry.rows + 1}>
      <ListLine cells={LIST_HEADINGS} plan={plan} width={geometry.listWidth} heading />
      {workers.slice(first, first + geometry.rows).map((worker, i) => (
        <ListLine key={worker.name} worker={worker} cells={cells[first + i] ?? LIST_HEADINGS} plan={plan} width={geometry.listWidth} selected={first + i === selected} />
      ))}
    </Box>
  );
  if (geometry.detail === 'none' || chosen === undefined) return list;
  const detail = (
    <WorkerDetail
      worker={chosen}
      geometry={geometry}
      now={now}
      facts={{ taskLine: taskLines[chosen.name], branch: branches[chosen.name], lastEvent: lastEvents[chosen.name], messagesWaiting: messagesWaiting[chosen.name], diff: diffFigures[chosen.name] }}
    />
  );
  return (
    <Box flexDirection={geometry.detail === 'side' ? 'row' : 'column'}>
      {list}
      {detail}
    </Box>
  );
}

interface ListLineProps {
  cells: ListCells;
  plan: ColumnPlan;
  width: number;
  worker?: WorkerSnapshot;
  selected?: boolean;
  heading?: boolean;
}

/** One line: the mark, then each column in its own colour, padded to the list's width so a highlight spans it. */
function ListLine({ cells, plan, width, worker, selected = false, heading = false }: ListLineProps) {
  const segments = rowSegments(cells, plan);
  const gap = ' '.repeat(plan.gap);
  // Each segment is padded to its column's width: the line's width is the plan's.
  const used = 1 + plan.columns.reduce((sum, c, i) => sum + c.width + (i > 0 ? plan.gap : 0), 0);
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end" inverse={selected} dimColor={heading}>
        <Text color="cyan" bold>
          {selected ? SELECTED_MARK : ' '}
        </Text>
        {segments.map((segment, i) =>
          segment.key === 'diff' && !heading ? (
            <DiffCell key={segment.key} text={(i > 0 ? gap : '') + segment.text} />
          ) : (
            <Text key={segment.key} {...(heading || worker === undefined ? {} : cellStyle(segment.key, worker, selected))}>
              {(i > 0 ? gap : '') + segment.text}
            </Text>
          ),
        )}
        {' '.repeat(Math.max(0, width - used))}
      </Text>
    </Box>
  );
}

/** Each column's colour: the badge in its state's, the task as on a panel, the rest quieter. */
function cellStyle(key: ListColumn, worker: WorkerSnapshot, selected: boolean): { color?: string; bold?: boolean; dimColor?: boolean } {
  switch (key) {
    case 'badge':
      return { color: stateStyle[worker.health.state].color, bold: true };
    case 'name':
      return { bold: selected };
    case 'task':
      return { color: 'magenta' };
    case 'evidence':
      return { color: evidenceColor(worker.health.state, evidenceTone(worker)) };
    case 'diff':
    case 'lane':
    case 'age':
    case 'spend':
      return { dimColor: !selected };
  }
}

/** "+12 −3" as a panel draws it: the added lines green, the removed red. */
function DiffCell({ text }: { text: string }) {
  const at = text.indexOf('−');
  if (at === -1) return <Text color="green">{text}</Text>;
  return (
    <Text>
      <Text color="green">{text.slice(0, at)}</Text>
      <Text color="red">{text.slice(at)}</Text>
    </Text>
  );
}
