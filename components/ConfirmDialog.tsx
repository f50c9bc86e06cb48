import { Text } from 'ink';
import type { Actions } from '../src/state/actions.js';
import type { ConfirmOverlay } from '../src/state/store.js';
import { DialogFrame } from './DialogFrame.js';
import { DialogHints } from './DialogHints.js';
import { useBindings, type Live } from './useBindings.js';

const ANSWER_COLORS = { confirmYes: 'green', confirmNo: 'red', confirmExtra: 'yellow' } as const;

/** Asks before an action that ends a worker's process: the facts first, then the answers the keymap binds. */
export function ConfirmDialog({ overlay, actions, width, height, isActive = true }: { overlay: ConfirmOverlay; actions: Actions; width: number; height: number; isActive?: Live<boolean> }) {
  useBindings(
    'confirm',
    {
      confirmYes: () => actions.answer(true),
      confirmNo: () => actions.answer(false),
      confirmExtra: () => actions.answerExtra(),
      quit: () => actions.run('quit'),
    },
    isActive,
  );
  return (
    <DialogFrame title={overlay.title} lines={overlay.lines} width={width} height={height} color="yellow" dimLines={false}>
      <Text> </Text>
      {/* The extra answer is the dialog's own (x: reset instead); without one its key is not offered. */}
      <DialogHints view="confirm" overrides={{ confirmExtra: overlay.extra?.label ?? null }} colors={ANSWER_COLORS} />
    </DialogFrame>
  );
}
