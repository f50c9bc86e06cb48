import { Box, Text } from 'ink';
import type { ReactNode } from 'react';

/**
 * The frame every dialog shares: a double border in its colour, the title, then lines of context
 * (dimmed when they only set the scene), then what the dialog asks.
 */
export function DialogFrame({
  title,
  lines,
  width,
  height,
  color = 'cyan',
  dimLines = true,
  children,
}: {
  title: string;
  lines: readonly string[];
  width: number;
  height: number;
  color?: string;
  dimLines?: boolean;
  children: ReactNode;
}) {
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="double" borderColor={color} paddingX={1}>
      <Text bold color={color} wrap="truncate-end">
        {title}
      </Text>
      {lines.map((line, i) => (
        <Text key={`l${i}`} dimColor={dimLines} wrap="wrap">
          {line}
        </Text>
      ))}
      {children}
    </Box>
  );
}
