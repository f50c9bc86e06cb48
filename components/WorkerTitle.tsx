import { Box, Text } from 'ink';
import type { WorkerSnapshot } from '../src/core/rules/snapshot.js';
import { fitWidth, textWidth } from '../src/core/views/textWidth.js';
import { workerTitle } from '../src/core/views/workerFacts.js';
import { stateStyle } from './theme.js';

/** A worker's top line in a panel or the detail pane: "name · lane" (and its host) on the left, cut to fit, its state badge on the right. */
export function WorkerTitle({ worker, width, bold }: { worker: WorkerSnapshot; width: number; bold: boolean }) {
  const style = stateStyle[worker.health.state];
  const badge = `${style.symbol} ${worker.health.badge}`;
  return (
    <Box width={width}>
      <Box flexGrow={1} flexShrink={1}>
        <Text bold={bold} wrap="truncate-end">
          {fitWidth(workerTitle(worker), width - textWidth(badge) - 1)}
        </Text>
      </Box>
      <Box flexShrink={0} marginLeft={1}>
        <Text color={style.color} bold>
          {badge}
        </Text>
      </Box>
    </Box>
  );
}
