import { Box, Text } from 'ink';
import { keymap, moveHintLabel } from '../src/core/keymap.js';

/** The always-visible key hints, made from the keymap table. */
export function HintsBar({ width }: { width: number }) {
  const hints = [`${moveHintLabel} move`, ...keymap.flatMap((b) => (b.hint === null ? [] : [`${b.label} ${b.hint}`]))];
  return (
    <Box width={width}>
      <Text dimColor wrap="truncate-end">
        {' ' + hints.join('  ')}
      </Text>
    </Box>
  );
}
