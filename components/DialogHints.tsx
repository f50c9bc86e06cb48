import { Text } from 'ink';
import { dialogHints, type Action, type DialogView, type HintOverrides } from '../src/core/views/keymap.js';

/**
 * A dialog's hint line, made from the keymap rows of its view ("y yes · n/Esc no"). With `colors`, the
 * keys of those actions stand out in them (a confirmation's answers); otherwise the line is dimmed.
 */
export function DialogHints({ view, overrides = {}, colors }: { view: DialogView; overrides?: HintOverrides; colors?: Partial<Record<Action, string>> }) {
  return (
    <Text dimColor={colors === undefined} wrap="truncate-end">
      {dialogHints(view, overrides).map((hint, i) => {
        const color = hint.action === null ? undefined : colors?.[hint.action];
        return (
          <Text key={`${hint.action ?? 'group'}:${hint.keys}`}>
            {i > 0 ? ' · ' : ''}
            {color === undefined ? (
              hint.keys
            ) : (
              <Text bold color={color}>
                {hint.keys}
              </Text>
            )}
            {` ${hint.hint}`}
          </Text>
        );
      })}
    </Text>
  );
}
