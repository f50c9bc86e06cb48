import { Text } from 'ink';
import { ENTER, keyLabel } from '../src/core/rules/answers.js';
import { fitWidth } from '../src/core/views/textWidth.js';
import type { Actions } from '../src/state/actions.js';
import type { AnswerOverlay } from '../src/state/store.js';
import { DialogFrame } from './DialogFrame.js';
import { DialogHints } from './DialogHints.js';
import { useBindings, type Live } from './useBindings.js';

const ANSWER_COLORS = { answerChoice: 'green', answerEnter: 'green', close: 'red' } as const;

/**
 * A waiting worker's question as muxctl read it off its screen: what it is about (dimmed), the
 * question, then each choice with the keys that send it. The screen is read again before anything is sent.
 */
export function AnswerDialog({ overlay, actions, width, height, isActive = true }: { overlay: AnswerOverlay; actions: Actions; width: number; height: number; isActive?: Live<boolean> }) {
  useBindings(
    'answer',
    {
      answerChoice: (input) => actions.answerWith(input),
      answerEnter: () => actions.answerWith(ENTER),
      close: () => actions.closeOverlay(),
      quit: () => actions.run('quit'),
    },
    isActive,
  );
  const { question } = overlay;
  const inner = Math.max(10, width - 4);
  const keyWidth = Math.max(1, ...question.choices.map((c) => c.keys.map(keyLabel).join(' ').length));
  const hasEnter = question.choices.some((c) => c.keys.includes(ENTER));
  const how =
    question.choices.length === 0
      ? 'no choices muxctl can read: Esc, then ⏎ attaches to answer it'
      : question.input === 'key'
        ? 'a key is sent alone, as pressed (⏎ as Enter)'
        : `the letter is typed, then Enter${hasEnter ? ' (⏎ alone: the default)' : ''}`;
  return (
    <DialogFrame title={`${overlay.worker} asks`} lines={question.context.map((line) => fitWidth(line, inner))} width={width} height={height} color="magenta">
      {question.context.length > 0 ? <Text> </Text> : null}
      <Text bold wrap="wrap">
        {question.question}
      </Text>
      <Text> </Text>
      {question.choices.map((choice) => (
        <Text key={choice.keys.join(' ')} wrap="truncate-end">
          <Text bold color="green">{`  ${choice.keys.map(keyLabel).join(' ').padEnd(keyWidth)}`}</Text>
          {`  ${fitWidth(choice.label, Math.max(1, inner - keyWidth - 4))}`}
        </Text>
      ))}
      <Text> </Text>
      <Text dimColor wrap="wrap">{`${how}; the screen is read again first, and a question that changed gets nothing`}</Text>
      {overlay.problem !== null ? <Text color="red">{overlay.problem}</Text> : null}
      <DialogHints view="answer" overrides={{ ...(question.choices.length === 0 ? { answerChoice: null } : {}), ...(hasEnter ? {} : { answerEnter: null }) }} colors={ANSWER_COLORS} />
    </DialogFrame>
  );
}
