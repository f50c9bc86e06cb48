import { Box, Text } from 'ink';
import { bindingsFor, type ScreenAction, type ScreenView } from '../src/core/views/keymap.js';
import type { Actions } from '../src/state/actions.js';
import { DialogHints } from './DialogHints.js';
import { useBindings, type Live } from './useBindings.js';

const TITLES: Record<ScreenView, string> = { grid: 'Keys', log: 'Keys in the log view', preview: 'Keys in the preview', board: 'Keys on the task board' };
const FOOTERS: Record<ScreenView, string> = {
  grid: 'Quitting leaves every worker running; reopening muxctl finds them again.',
  log: 'Lines come from the log file, muxctl emit events (evt) and the screen capture (scr).',
  preview: 'The screen is read a few times a second; ⏎ attaches to type into it.',
  board: 'Workers and the CLI (muxctl task …) change the board too; it follows within a second.',
};

/** How the grid's key for an action is written. */
const labelOf = (action: ScreenAction): string => bindingsFor('grid').find((b) => b.action === action)?.label ?? action;

/** Every binding that works in the view the help was opened from, with what it does. */
export function HelpOverlay({ width, height, view, actions, isActive = true }: { width: number; height: number; view: ScreenView; actions: Actions; isActive?: Live<boolean> }) {
  useBindings('help', { close: () => actions.closeOverlay(), quit: () => actions.run('quit') }, isActive);
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
          {`The log view (${labelOf('openLog')}) and the preview (${labelOf('openPreview')}) have keys of their own: ${labelOf('help')} there lists them.`}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {`${FOOTERS[view]} `}
        <DialogHints view="help" />
      </Text>
    </Box>
  );
}
