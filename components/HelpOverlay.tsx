import { Box, Text } from 'ink';
import { bindingsFor, type View } from '../src/core/keymap.js';

const TITLES: Record<View, string> = { grid: 'Keys', log: 'Keys in the log view', preview: 'Keys in the preview', board: 'Keys on the task board' };
const FOOTERS: Record<View, string> = {
  grid: 'Quitting leaves every worker running; reopening muxctl finds them again. ? or Esc closes this.',
  log: 'Lines come from the log file, muxctl emit events (evt) and the screen capture (scr). ? or Esc closes this.',
  preview: 'The screen is read a few times a second; ⏎ attaches to type into it. ? or Esc closes this.',
  board: 'Workers and the CLI (muxctl task …) change the board too; it follows within a second. ? or Esc closes this.',
};

/** Every binding that works in the view the help was opened from, with what it does. */
export function HelpOverlay({ width, height, view }: { width: number; height: number; view: View }) {
  const bindings = bindingsFor(view);
  const labelWidth = Math.max(...bindings.map((b) => b.label.length)) + 2;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>{TITLES[view]}</Text>
      {bindings.map((b) => (
        <Text key={`${b.action}:${b.label}`} wrap="truncate-end">
          <Text color="cyan">{b.label.padEnd(labelWidth)}</Text>
          {b.description}
          {b.dangerous ? <Text color="yellow"> (asks first)</Text> : null}
        </Text>
      ))}
      <Text> </Text>
      {view === 'grid' ? (
        <Text dimColor wrap="truncate-end">
          The log view (l) and the preview (p) have keys of their own: ? there lists them.
        </Text>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {FOOTERS[view]}
      </Text>
    </Box>
  );
}
