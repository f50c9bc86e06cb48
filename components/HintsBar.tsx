import { Box, Text } from 'ink';
import { hintsLine, type View } from '../src/core/views/keymap.js';

/** The always-visible key hints of the current view, made from the keymap table. */
export function HintsBar({ width, view }: { width: number; view: View }) {
  return (
    <Box width={width}>
      <Text dimColor wrap="truncate-end">
        {hintsLine(view, width)}
      </Text>
    </Box>
  );
}
