import { Box, Text } from 'ink';
import { memo } from 'react';
import type { WorkerSnapshot } from '../src/core/rules/snapshot.js';
import { formatDiffFigure } from '../src/core/views/diffView.js';
import { fitWidth, textWidth } from '../src/core/views/textWidth.js';
import { evidenceText, evidenceTone, factLines, lastLines, type FactLine } from '../src/core/views/workerFacts.js';
import { evidenceColor, toneStyle } from './theme.js';
import { WorkerTitle } from './WorkerTitle.js';

export interface WorkerPanelProps {
  worker: WorkerSnapshot;
  width: number;
  height: number;
  bodyLines: number;
  selected: boolean;
  now: number;
  /** The board's task for this worker, shown first: what it is doing, as the board records it. */
  taskLine?: string;
  /** muxctl's last control action on the worker, with its reason: "restart 14:03: crashed (exit 1) …". */
  lastEvent?: string;
  /** Messages waiting for it to be at its prompt. */
  messagesWaiting?: number;
  /** Its lines added and removed against the base (control/diffFigures.ts), at the end of the evidence line. */
  diffFigure?: { added: number; removed: number };
}

/**
 * One worker: who it is, its state and the evidence for it; then what its logs say (task, last tool,
 * last message, tokens, cost, errors); then as many of its screen's last lines as fit.
 */
function Panel({ worker, width, height, bodyLines, selected, now, taskLine, lastEvent, messagesWaiting = 0, diffFigure }: WorkerPanelProps) {
  const inner = width - 2;
  const facts = factLines(worker, { taskLine, lastEvent, messagesWaiting }, now).slice(0, bodyLines);
  const screen = lastLines(worker.screen, bodyLines - facts.length).map((text): FactLine => ({ text, tone: facts.length > 0 ? 'dim' : 'plain' }));
  const evidence = evidenceText(worker, now);
  const evidenceShade = evidenceColor(worker.health.state, evidenceTone(worker));
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle={selected ? 'double' : 'round'} borderColor={selected ? 'cyan' : 'gray'}>
      <WorkerTitle worker={worker} width={inner} bold={selected} />
      <Box width={inner}>
        <Box flexGrow={1} flexShrink={1}>
          <Text color={evidenceShade} wrap="truncate-end">
            {fitWidth(evidence, diffFigure === undefined ? inner : inner - textWidth(formatDiffFigure(diffFigure)) - 1)}
          </Text>
        </Box>
        {diffFigure === undefined ? null : (
          <Box flexShrink={0} marginLeft={1}>
            <Text>
              <Text color="green">{`+${diffFigure.added}`}</Text>{' '}<Text color="red">{`−${diffFigure.removed}`}</Text>
            </Text>
          </Box>
        )}
      </Box>
      {[...facts, ...screen].map((line, i) => (
        <Box key={i} width={inner}>
          <Text wrap="truncate-end" {...toneStyle[line.tone]}>
            {line.text === '' ? ' ' : fitWidth(line.text, inner)}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

/**
 * Drawn again only when its props change: the loop hands on an unchanged worker as the same snapshot
 * object, so one busy worker among twenty re-renders one panel, not twenty.
 */
export const WorkerPanel = memo(Panel);
