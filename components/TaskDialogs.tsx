import { Box, Text } from 'ink';
import { fitWidth } from '../src/core/views/textWidth.js';
import type { Actions } from '../src/state/actions.js';
import type { EventsOverlay, FormOverlay, PickOverlay } from '../src/state/store.js';
import { DialogFrame } from './DialogFrame.js';
import { DialogHints } from './DialogHints.js';
import { useBindings, type Live } from './useBindings.js';

interface DialogProps<O> {
  overlay: O;
  actions: Actions;
  width: number;
  height: number;
  /** Whether the dialog takes the keys: while it is the top overlay (read when each key arrives). */
  isActive?: Live<boolean>;
}

/** Choose one of a list (a task to assign, a worker to move a task to): moved and picked by the keymap's pick keys. */
export function PickDialog({ overlay, actions, width, height, isActive = true }: DialogProps<PickOverlay>) {
  useBindings(
    'pick',
    {
      pickUp: () => actions.pick('up'),
      pickDown: () => actions.pick('down'),
      pickChoose: () => actions.pick('choose'),
      close: () => actions.closeOverlay(),
      quit: () => actions.run('quit'),
    },
    isActive,
  );
  const inner = Math.max(10, width - 4);
  const room = Math.max(1, height - 4 - overlay.lines.length);
  const first = Math.max(0, Math.min(overlay.index - room + 1, overlay.options.length - room));
  const shown = overlay.options.slice(first, first + room);
  return (
    <DialogFrame title={overlay.title} lines={overlay.lines.map((line) => fitWidth(line, inner))} width={width} height={height}>
      {shown.map((option, i) => {
        const chosen = first + i === overlay.index;
        const text = fitWidth(`${chosen ? '›' : ' '} ${option.label}${option.note ? `  (${option.note})` : ''}`, inner);
        return (
          <Text key={option.value} inverse={chosen} wrap="truncate-end">
            {text}
          </Text>
        );
      })}
      <DialogHints view="pick" />
    </DialogFrame>
  );
}

/**
 * A small form: one line per field, the current one marked; the problem with the last submit in red.
 * What is typed goes into the current field; only the form's control keys are bindings.
 */
export function FormDialog({ overlay, actions, width, height, isActive = true }: DialogProps<FormOverlay>) {
  useBindings(
    'form',
    {
      formNext: () => actions.editForm({ kind: 'next' }),
      formPrevious: () => actions.editForm({ kind: 'previous' }),
      formSubmit: () => actions.editForm({ kind: 'submit' }),
      erase: () => actions.editForm({ kind: 'erase' }),
      close: () => actions.closeOverlay(),
      quit: () => actions.run('quit'),
    },
    isActive,
    (text) => actions.editForm({ kind: 'type', text }),
  );
  const inner = Math.max(10, width - 4);
  const labelWidth = Math.max(...overlay.fields.map((f) => f.label.length));
  return (
    <DialogFrame title={overlay.title} lines={overlay.lines} width={width} height={height}>
      <DialogHints view="form" />
      <Text> </Text>
      {overlay.fields.map((field, i) => {
        const current = i === overlay.index;
        const label = `${current ? '›' : ' '} ${field.label.padEnd(labelWidth)}  `;
        const shown = field.value === '' && !current ? (field.placeholder ?? '') : field.value;
        return (
          <Text key={field.name} wrap="truncate-end">
            <Text bold={current}>{label}</Text>
            <Text dimColor={field.value === ''}>{fitWidth(shown, Math.max(1, inner - label.length - 1))}</Text>
            {current ? <Text inverse> </Text> : null}
          </Text>
        );
      })}
      <Text> </Text>
      {overlay.error !== null ? (
        <Text color="red" wrap="wrap">
          {overlay.error}
        </Text>
      ) : null}
    </DialogFrame>
  );
}

/** What happened to a worker or a task, newest at the bottom (as many as fit). */
export function EventsDialog({ overlay, actions, width, height, isActive = true }: DialogProps<EventsOverlay>) {
  useBindings('events', { close: () => actions.closeOverlay(), quit: () => actions.run('quit') }, isActive);
  const inner = Math.max(10, width - 4);
  const room = Math.max(1, height - 4);
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor="gray" paddingX={1}>
      <Text bold wrap="truncate-end">
        {overlay.title}
      </Text>
      {overlay.lines.slice(-room).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {fitWidth(line, inner)}
        </Text>
      ))}
      <DialogHints view="events" />
    </Box>
  );
}
