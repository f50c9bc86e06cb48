import { Box, Text } from 'ink';
import { useStore } from 'zustand';
import { previewLines } from '../src/core/views/logView.js';
import type { DashboardStore } from '../src/state/store.js';
import { DetailTitle } from './LogView.js';

/** A live copy of one worker's screen, its last lines that fit, under a line that says how to get in. */
export function Preview({ store, width, height }: { store: DashboardStore; width: number; height: number }) {
  const detail = useStore(store, (s) => s.detail);
  if (detail === null) return null;
  const lines = previewLines(detail.screen, Math.max(1, height - 1));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <DetailTitle store={store} worker={detail.worker} width={width}>
        live screen · ⏎ attaches · Esc back
      </DetailTitle>
      {lines.length === 0 ? (
        <Text dimColor wrap="truncate-end">
          {detail.screen.length === 0 ? `reading ${detail.worker}'s screen…` : 'the screen is blank'}
        </Text>
      ) : (
        lines.map((line, i) => (
          <Box key={i} width={width}>
            <Text wrap="truncate-end">{line === '' ? ' ' : line}</Text>
          </Box>
        ))
      )}
    </Box>
  );
}
