import { Box, Text } from 'ink';
import { keymap } from '../src/core/keymap.js';

/** Every binding in the keymap table, with what it does. */
export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const labelWidth = Math.max(...keymap.map((b) => b.label.length)) + 2;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>Keys</Text>
      {keymap.map((b) => (
        <Text key={b.action} wrap="truncate-end">
          <Text color="cyan">{b.label.padEnd(labelWidth)}</Text>
          {b.description}
          {b.dangerous ? <Text color="yellow"> (asks first)</Text> : null}
        </Text>
      ))}
      <Text> </Text>
      <Text dimColor wrap="truncate-end">
        Quitting leaves every worker running; reopening muxctl finds them again. ? or Esc closes this.
      </Text>
    </Box>
  );
}
