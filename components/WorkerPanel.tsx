import { Box, Text } from 'ink';
import type { WorkerSnapshot } from '../src/core/snapshot.js';
import { shortDuration } from '../src/core/health.js';
import { stateStyle } from './theme.js';

export interface WorkerPanelProps {
  worker: WorkerSnapshot;
  width: number;
  height: number;
  bodyLines: number;
  selected: boolean;
  now: number;
}

/** One worker: who it is, its state and the evidence for it, and the last lines of its screen. */
export function WorkerPanel({ worker, width, height, bodyLines, selected, now }: WorkerPanelProps) {
  const style = stateStyle[worker.health.state];
  const age = ageText(worker, now);
  const screen = lastLines(worker.screen, bodyLines);
  const title = `${worker.name} · ${worker.lane}`;
  const badge = `${style.symbol} ${worker.health.badge}`;
  const inner = width - 2;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle={selected ? 'double' : 'round'} borderColor={selected ? 'cyan' : 'gray'}>
      <Box width={inner}>
        <Box flexGrow={1} flexShrink={1}>
          <Text bold={selected} wrap="truncate-end">
            {title}
          </Text>
        </Box>
        <Box flexShrink={0} marginLeft={1}>
          <Text color={style.color} bold>
            {badge}
          </Text>
        </Box>
      </Box>
      <Box width={inner}>
        <Text color={worker.health.state === 'crashed' ? 'red' : 'gray'} wrap="truncate-end">
          {[worker.health.evidence, age, restartsText(worker)].filter(Boolean).join(' · ')}
        </Text>
      </Box>
      {screen.map((line, i) => (
        <Box key={i} width={inner}>
          <Text wrap="truncate-end">{line === '' ? ' ' : line}</Text>
        </Box>
      ))}
    </Box>
  );
}

function ageText(worker: WorkerSnapshot, now: number): string {
  const since = worker.health.since;
  if (since === null) return '';
  const span = shortDuration(now - since);
  switch (worker.health.state) {
    case 'running':
    case 'starting':
      return `up ${span}`;
    case 'exited':
    case 'crashed':
    case 'stopped':
      return `${span} ago`;
    case 'missing':
      return '';
  }
}

function restartsText(worker: WorkerSnapshot): string {
  if (!worker.restarts || worker.restarts.spent === 0) return '';
  const { spent, budget } = worker.restarts;
  return spent >= budget ? `restarts spent ${spent}/${budget}` : `restart ${spent}/${budget}`;
}

/** The screen's last `count` lines, padded at the top so the panel keeps its height. */
function lastLines(lines: readonly string[], count: number): string[] {
  const tail = lines.slice(-count);
  return [...tail, ...Array<string>(Math.max(0, count - tail.length)).fill('')];
}
