import { Box, Text } from 'ink';
import type { BoardCard, BoardColumn, BoardModel, BoardTone } from '../src/core/views/boardView.js';
import { textWidth } from '../src/core/views/textWidth.js';
import { stateStyle } from './theme.js';

/** The board's tones in the grid's colours: a warning looks like a waiting worker, an error like a crash. */
const TONE_STYLE: Record<BoardTone, { color?: string; dimColor?: boolean }> = {
  plain: {},
  dim: { dimColor: true },
  good: { color: stateStyle.running.color },
  info: { color: stateStyle.starting.color },
  warning: { color: stateStyle.waiting.color },
  error: { color: stateStyle.crashed.color },
};

/**
 * The task board: a column per state side by side, the selected card in inverse, canceled tasks only
 * counted on the last line. Every line comes cut to its column from boardView, so nothing wraps.
 */
export function Board({ model }: { model: BoardModel }) {
  if (model.empty !== null) {
    return (
      <Box flexDirection="column" width={model.width} height={model.height}>
        {model.empty.map((line, i) => (
          <Text key={i} dimColor wrap="truncate-end">
            {line}
          </Text>
        ))}
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={model.width} height={model.height} overflow="hidden">
      <Box flexDirection="row" height={Math.max(0, model.height - 1)} overflow="hidden">
        {model.columns.map((column) => (
          <Column key={column.key} column={column} width={model.columnWidth} />
        ))}
      </Box>
      <Text dimColor wrap="truncate-end">
        {model.footer === '' ? ' ' : model.footer}
      </Text>
    </Box>
  );
}

function Column({ column, width }: { column: BoardColumn; width: number }) {
  return (
    <Box flexDirection="column" width={width} marginRight={1} flexShrink={0}>
      <Text bold wrap="truncate-end">
        {column.header}
      </Text>
      {column.cards.map((card) => (
        <Card key={card.id} card={card} width={width} />
      ))}
      {column.more !== null ? (
        <Text dimColor wrap="truncate-end">
          {column.more}
        </Text>
      ) : null}
    </Box>
  );
}

function Card({ card, width }: { card: BoardCard; width: number }) {
  // The selected card is padded to the column so its inverse reads as one block.
  const pad = (used: number): string => (card.selected ? ' '.repeat(Math.max(0, width - used)) : '');
  const detailWidth = card.detail.reduce((sum, segment) => sum + textWidth(segment.text), 0);
  return (
    <>
      <Text inverse={card.selected} wrap="truncate-end">
        {card.title}
        {pad(textWidth(card.title))}
      </Text>
      <Text inverse={card.selected} wrap="truncate-end">
        {card.detail.map((segment, i) => (
          <Text key={i} {...TONE_STYLE[segment.tone]}>
            {segment.text}
          </Text>
        ))}
        {pad(detailWidth)}
        {card.detail.length === 0 && !card.selected ? ' ' : ''}
      </Text>
    </>
  );
}
