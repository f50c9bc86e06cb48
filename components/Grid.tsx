import { Box } from 'ink';
import type { WorkerSnapshot } from '../src/core/rules/snapshot.js';
import type { Grid as GridGeometry } from '../src/core/views/layout.js';
import { shownDiff } from '../src/core/views/workerFacts.js';
import { WorkerPanel } from './WorkerPanel.js';

export interface GridProps {
  workers: WorkerSnapshot[];
  grid: GridGeometry;
  selected: number;
  now: number;
  /** The task each worker holds, as one line ("T3 running · fix the login form"), when it holds one. */
  taskLines?: Record<string, string>;
  /** The latest control event of each worker, for the panel's last fact line. */
  lastEvents?: Record<string, string>;
  /** Messages waiting for each worker to be at its prompt. */
  messagesWaiting?: Record<string, number>;
  /** Each worker's lines added and removed against the base, once read. */
  diffFigures?: Record<string, { added: number; removed: number }>;
}

/** The panels, row by row, in the integer geometry computed for this terminal. */
export function Grid({ workers, grid, selected, now, taskLines = {}, lastEvents = {}, messagesWaiting = {}, diffFigures = {} }: GridProps) {
  const shown = workers.slice(grid.first, grid.first + grid.shown);
  const rows: WorkerSnapshot[][] = [];
  for (let i = 0; i < shown.length; i += grid.perRow) rows.push(shown.slice(i, i + grid.perRow));
  return (
    <Box flexDirection="column">
      {rows.map((row, r) => (
        <Box key={r} flexDirection="row">
          {row.map((worker, c) => (
            <WorkerPanel
              key={worker.name}
              worker={worker}
              width={grid.widths[c] ?? grid.widths[0] ?? 40}
              height={grid.panelHeight}
              bodyLines={grid.bodyLines}
              selected={grid.first + r * grid.perRow + c === selected}
              now={now}
              {...(taskLines[worker.name] === undefined ? {} : { taskLine: taskLines[worker.name] })}
              {...(lastEvents[worker.name] === undefined ? {} : { lastEvent: lastEvents[worker.name] })}
              messagesWaiting={messagesWaiting[worker.name] ?? 0}
              {...(shownDiff(diffFigures[worker.name]) ? { diffFigure: diffFigures[worker.name] } : {})}
            />
          ))}
        </Box>
      ))}
    </Box>
  );
}
