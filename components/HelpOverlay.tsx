import { Box, Text } from 'ink';
import { bindingsFor, type Binding, type ScreenAction, type ScreenView } from '../src/core/views/keymap.js';
import { fitWidth, textWidth } from '../src/core/views/textWidth.js';
import type { Actions } from '../src/state/actions.js';
import { DialogHints } from './DialogHints.js';
import { useBindings, type Live } from './useBindings.js';

const TITLES: Record<ScreenView, string> = { grid: 'Keys', list: 'Keys in the list', log: 'Keys in the log view', preview: 'Keys in the preview', diff: 'Keys in the diff view', board: 'Keys on the task board' };
const FOOTERS: Record<ScreenView, string> = {
  grid: 'Quitting leaves every worker running; reopening muxctl finds them again.',
  list: 'Chosen by itself when the panels do not fit; v shows them.',
  log: 'Lines come from the log file, muxctl emit events (evt) and the screen capture (scr).',
  preview: 'The screen is read a few times a second; ⏎ attaches to type into it.',
  diff: 'Read again as the worker works (read-only git); untracked files show as new ones.',
  board: 'Workers and the CLI (muxctl task …) change the board too; it follows within a second.',
};

/** How the grid's key for an action is written. */
const labelOf = (action: ScreenAction): string => bindingsFor('grid').find((b) => b.action === action)?.label ?? action;

/** One binding as a help line: its keys, what it does, and whether it asks first. */
function HelpLine({ b, labelWidth, columns }: { b: Binding; labelWidth: number; columns?: number }) {
  const caution = b.dangerous ? ' (asks first)' : '';
  const text = columns === undefined ? b.description : fitWidth(b.description, Math.max(1, columns - labelWidth - caution.length));
  const pad = columns === undefined ? '' : ' '.repeat(Math.max(0, columns - labelWidth - textWidth(text) - caution.length));
  return (
    <Text>
      <Text color="cyan">{b.label.padEnd(labelWidth)}</Text>
      {text}
      {caution !== '' ? <Text color="yellow">{caution}</Text> : null}
      {pad}
    </Text>
  );
}

/**
 * Every binding that works in the view the help was opened from, with what it does: in two columns when
 * one does not fit the height (the overlay never scrolls, and a key left out of help is undocumented).
 */
export function HelpOverlay({ width, height, view, actions, isActive = true }: { width: number; height: number; view: ScreenView; actions: Actions; isActive?: Live<boolean> }) {
  useBindings('help', { close: () => actions.closeOverlay(), quit: () => actions.run('quit') }, isActive);
  const bindings = bindingsFor(view);
  const labelWidth = Math.max(...bindings.map((b) => b.label.length)) + 2;
  // Inside the border: the title and the footer always; the blank line and the grid's tip go first when short of room.
  const inner = height - 2;
  const workers = view === 'grid' || view === 'list';
  const full = bindings.length + 3 + (workers ? 1 : 0) <= inner;
  const columns = bindings.length + 2 > inner ? Math.floor((width - 4 - 2) / 2) : undefined;
  const extras = full || columns !== undefined;
  const half = Math.ceil(bindings.length / 2);
  const rows = columns === undefined ? bindings.map((b) => [b]) : bindings.slice(0, half).map((b, i) => [b, ...(bindings[half + i] ? [bindings[half + i] as Binding] : [])]);
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>{TITLES[view]}</Text>
      {rows.map(([left, right]) =>
        left === undefined ? null : (
          <Text key={`${left.action}:${left.label}`} wrap="truncate-end">
            <HelpLine b={left} labelWidth={labelWidth} {...(columns === undefined ? {} : { columns })} />
            {right !== undefined && columns !== undefined ? (
              <>
                {'  '}
                <HelpLine b={right} labelWidth={labelWidth} columns={columns} />
              </>
            ) : null}
          </Text>
        ),
      )}
      {extras ? <Text> </Text> : null}
      {extras && workers ? (
        <Text dimColor wrap="truncate-end">
          {`The log view (${labelOf('openLog')}), the preview (${labelOf('openPreview')}) and the diff (${labelOf('openDiff')}) have keys of their own: ${labelOf('help')} there lists them.`}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {`${FOOTERS[view]} `}
        <DialogHints view="help" />
      </Text>
    </Box>
  );
}
