import { Text } from 'ink';
import { DialogFrame } from './DialogFrame.js';

/** Asks before an action that ends a worker's process: the facts first, then y or n. */
export function ConfirmDialog({ title, lines, width, height, extra }: { title: string; lines: string[]; width: number; height: number; extra?: { key: string; label: string } }) {
  return (
    <DialogFrame title={title} lines={lines} width={width} height={height} color="yellow" dimLines={false}>
      <Text> </Text>
      <Text>
        <Text bold color="green">
          y
        </Text>{' '}
        yes ·{' '}
        <Text bold color="red">
          n
        </Text>
        /Esc no
        {extra ? (
          <Text>
            {' · '}
            <Text bold color="yellow">
              {extra.key}
            </Text>{' '}
            {extra.label}
          </Text>
        ) : null}
      </Text>
    </DialogFrame>
  );
}
