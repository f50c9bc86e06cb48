import { Box, Text } from 'ink';
import { describeConversation } from '../src/core/rules/agents.js';
import { shortDuration } from '../src/core/rules/health.js';
import { costText } from '../src/core/rules/prices.js';
import type { WorkerSnapshot, WorkerSummary } from '../src/core/rules/snapshot.js';
import { formatDiffFigure } from '../src/core/views/diffView.js';
import { fitWidth, textWidth } from '../src/core/views/textWidth.js';
import { stateStyle } from './theme.js';

export interface WorkerPanelProps {
  worker: WorkerSnapshot;
  width: number;
  height: number;
  bodyLines: number;
  selected: boolean;
  now: number;
  /** The board's task for this worker, shown first: what it is doing, as the board records it. */
  taskLine?: string;
  /** muxctl's last control action on the worker, with its reason: "restart 14:03: crashed (exit 1) …". */
  lastEvent?: string;
  /** Messages waiting for it to be at its prompt. */
  messagesWaiting?: number;
  /** Its lines added and removed against the base (control/diffFigures.ts), at the end of the evidence line. */
  diffFigure?: { added: number; removed: number };
}

interface Line {
  text: string;
  color?: string;
  dim?: boolean;
}

/**
 * One worker: who it is, its state and the evidence for it; then what its logs say (task, last tool,
 * last message, tokens, cost, errors); then as many of its screen's last lines as fit.
 */
export function WorkerPanel({ worker, width, height, bodyLines, selected, now, taskLine, lastEvent, messagesWaiting = 0, diffFigure }: WorkerPanelProps) {
  const style = stateStyle[worker.health.state];
  const title = `${worker.name} · ${worker.lane}`;
  const badge = `${style.symbol} ${worker.health.badge}`;
  const inner = width - 2;
  const board: Line[] = [
    ...(taskLine === undefined ? [] : [{ text: `◆ ${taskLine}`, color: 'magenta' }]),
    ...(lastEvent === undefined ? [] : [{ text: `↻ ${lastEvent}`, dim: true }]),
    ...(messagesWaiting === 0 ? [] : [{ text: `✉ ${messagesWaiting} message${messagesWaiting === 1 ? '' : 's'} waiting`, color: 'yellow' }]),
  ];
  const conversation = worker.conversation ? describeConversation(worker.conversation) : null;
  const talk: Line[] = conversation === null ? [] : [{ text: `◇ ${conversation}`, dim: true }];
  const facts = [...board, ...(worker.summary ? summaryLines(worker.summary, now) : []), ...talk].slice(0, bodyLines);
  const screen = lastLines(worker.screen, bodyLines - facts.length).map((text): Line => ({ text, dim: facts.length > 0 }));
  const evidence = [worker.health.evidence, ageText(worker, now), restartsText(worker)].filter(Boolean).join(' · ');
  const evidenceColor = worker.health.state === 'crashed' ? 'red' : worker.health.state === 'waiting' || worker.health.state === 'stuck' ? style.color : 'gray';
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle={selected ? 'double' : 'round'} borderColor={selected ? 'cyan' : 'gray'}>
      <Box width={inner}>
        <Box flexGrow={1} flexShrink={1}>
          <Text bold={selected} wrap="truncate-end">
            {fitWidth(title, inner - textWidth(badge) - 1)}
          </Text>
        </Box>
        <Box flexShrink={0} marginLeft={1}>
          <Text color={style.color} bold>
            {badge}
          </Text>
        </Box>
      </Box>
      <Box width={inner}>
        <Box flexGrow={1} flexShrink={1}>
          <Text color={evidenceColor} wrap="truncate-end">
            {fitWidth(evidence, diffFigure === undefined ? inner : inner - textWidth(formatDiffFigure(diffFigure)) - 1)}
          </Text>
        </Box>
        {diffFigure === undefined ? null : (
          <Box flexShrink={0} marginLeft={1}>
            <Text>
              <Text color="green">{`+${diffFigure.added}`}</Text>{' '}<Text color="red">{`−${diffFigure.removed}`}</Text>
            </Text>
          </Box>
        )}
      </Box>
      {[...facts, ...screen].map((line, i) => (
        <Box key={i} width={inner}>
          <Text wrap="truncate-end" {...(line.color ? { color: line.color } : {})} dimColor={line.dim === true}>
            {line.text === '' ? ' ' : fitWidth(line.text, inner)}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

/** What the logs say, most telling first: the lines a small panel keeps. */
function summaryLines(s: WorkerSummary, now: number): Line[] {
  const lines: Line[] = [];
  if (s.prompt) lines.push({ text: `▶ ${s.prompt}`, color: 'cyan' });
  if (s.tool) {
    const mark = s.tool.open ? '▸' : s.tool.ok === false ? '✗' : '✓';
    lines.push({ text: `${mark} ${s.tool.text || s.tool.name}`, ...(s.tool.ok === false ? { color: 'red' } : {}) });
  }
  if (s.outcome?.ok === false) lines.push({ text: `✗ turn: ${s.outcome.text}`, color: 'red' });
  if (s.message) lines.push({ text: `“${s.message}”`, dim: true });
  const stats = [
    s.tokens ? `${compact(s.tokens.input + s.tokens.output)} tok` : '',
    costText(s.costUsd, s.estimate ?? null),
    s.errors > 0 ? `${s.errors} error${s.errors === 1 ? '' : 's'}` : '',
    s.malformed > 0 ? `${s.malformed} unreadable` : '',
  ].filter(Boolean);
  // The age alone would repeat the evidence line and take a line from the worker's own output.
  if (stats.length > 0) {
    if (s.lastActiveAt !== null) stats.push(`active ${shortDuration(now - s.lastActiveAt)} ago`);
    lines.push({ text: stats.join(' · '), color: s.errors > 0 ? 'red' : 'gray' });
  }
  return lines;
}

/** 1234 → "1.2k", 12400 → "12k": token counts at a glance. */
function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

function ageText(worker: WorkerSnapshot, now: number): string {
  if (worker.upSince !== null) return `up ${shortDuration(now - worker.upSince)}`;
  const since = worker.health.since;
  if (since === null) return '';
  switch (worker.health.state) {
    case 'exited':
    case 'crashed':
    case 'stopped':
      return `${shortDuration(now - since)} ago`;
    default:
      return '';
  }
}

function restartsText(worker: WorkerSnapshot): string {
  if (!worker.restarts || worker.restarts.spent === 0) return '';
  const { spent, budget } = worker.restarts;
  return spent >= budget ? `restarts spent ${spent}/${budget}` : `restart ${spent}/${budget}`;
}

/** The screen's last `count` lines, padded so the panel keeps its height. */
function lastLines(lines: readonly string[], count: number): string[] {
  if (count <= 0) return [];
  const tail = lines.slice(-count);
  return [...tail, ...Array<string>(Math.max(0, count - tail.length)).fill('')];
}
