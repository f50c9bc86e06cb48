import { Box, Text } from 'ink';

/** Asks before an action that ends a worker's process: the facts first, then y or n. */
export function ConfirmDialog({ title, lines, width, height, extra }: { title: string; lines: string[]; width: number; height: number; extra?: { key: string; label: string } }) {
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="double" borderColor="yellow" paddingX={1}>
      <Text bold color="yellow" wrap="truncate-end">
        {title}
      </Text>
      {lines.map((line, i) => (
        <Text key={i} wrap="wrap">
          {line}
        </Text>
      ))}
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
    </Box>
  );
}
