import { Box, Text } from 'ink';
import type { WorkerSnapshot } from '../src/core/rules/snapshot.js';
import { detailLines, detailRule, type DetailFacts, type DetailLine } from '../src/core/views/listRows.js';
import type { ListGeometry } from '../src/core/views/listView.js';
import { evidenceTone, workerTitle } from '../src/core/views/workerFacts.js';
import { evidenceColor, stateStyle, toneStyle } from './theme.js';
import { WorkerTitle } from './WorkerTitle.js';

export interface WorkerDetailProps {
  worker: WorkerSnapshot;
  geometry: ListGeometry;
  now: number;
  facts: DetailFacts;
}

/**
 * The list's selected worker in full: beside the list in a bordered pane with its name and badge on
 * top, or under the list below a rule that names it. Its lines come from core (detailLines), already
 * cut to the pane.
 */
export function WorkerDetail({ worker, geometry, now, facts }: WorkerDetailProps) {
  const style = stateStyle[worker.health.state];
  const badge = `${style.symbol} ${worker.health.badge}`;
  const title = workerTitle(worker);
  const columns = geometry.detailColumns;
  if (geometry.detail === 'side') {
    const lines = detailLines(worker, now, facts, columns, geometry.detailLines - 1);
    return (
      <Box flexDirection="column" width={geometry.detailWidth} height={geometry.detailHeight} borderStyle="round" borderColor="cyan" paddingX={1}>
        <WorkerTitle worker={worker} width={columns} bold />
        <Lines lines={lines} worker={worker} />
      </Box>
    );
  }
  const lines = detailLines(worker, now, facts, columns, geometry.detailLines);
  return (
    <Box flexDirection="column" width={geometry.detailWidth} height={geometry.detailHeight}>
      <Text color="cyan" wrap="truncate-end">
        {detailRule(title, badge, geometry.detailWidth)}
      </Text>
      <Box flexDirection="column" paddingX={1}>
        <Lines lines={lines} worker={worker} />
      </Box>
    </Box>
  );
}

function Lines({ lines, worker }: { lines: DetailLine[]; worker: WorkerSnapshot }) {
  return (
    <>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end" {...lineStyle(line, worker)}>
          {line.text === '' ? ' ' : line.text}
        </Text>
      ))}
    </>
  );
}

function lineStyle(line: DetailLine, worker: WorkerSnapshot): { color?: string; dimColor?: boolean } {
  if (line.tone === 'evidence') return { color: evidenceColor(worker.health.state, evidenceTone(worker)) };
  if (line.tone === 'heading') return { dimColor: true };
  return toneStyle[line.tone];
}
