import { Box, Text } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { clockMinutes } from '../src/core/rules/health.js';
import type { WorkerSnapshot } from '../src/core/rules/snapshot.js';
import { isHeld, needsPerson } from '../src/core/rules/tasks.js';
import { fitNote, layoutNotes } from '../src/core/views/listView.js';
import { textWidth } from '../src/core/views/textWidth.js';
import { currentView, layoutChoice, type DashboardStore, type ScreenModel } from '../src/state/store.js';
import { NEEDS_YOU } from './theme.js';

/** One line: the project, how many workers, how many need the person, whether they show as a list and why, and the time. */
export function Header({ store, width }: { store: DashboardStore; width: number }) {
  const { project, socket, total, trouble, limited, allMissing, noneStarted, now, follower, ready, queued, proposed, active, stuckTasks, paused, layout, auto, shown, panelsThatFit, onWorkers } = useStore(
    store,
    useShallow((s) => ({
      project: s.project,
      socket: s.socket,
      total: s.workers.length,
      trouble: s.workers.filter((w) => NEEDS_YOU.includes(w.health.state)).length,
      limited: limitedLabel(s.workers, s.now),
      allMissing: s.workers.length > 0 && s.workers.every((w) => w.health.state === 'missing'),
      noneStarted: s.workers.length > 0 && s.workers.every((w) => w.health.neverStarted === true),
      now: s.now,
      follower: s.follower,
      ready: s.ready,
      queued: s.tasks.filter((t) => t.state === 'queued').length,
      proposed: s.tasks.filter((t) => t.state === 'proposed').length,
      active: s.tasks.filter((t) => isHeld(t.state)).length,
      stuckTasks: s.tasks.filter((t) => needsPerson(t.state)).length,
      paused: s.dispatchPaused,
      ...layoutFields(s),
    })),
  );
  // Before the first look at tmux the count would be a guess: say nothing rather than "0 workers".
  const left = ` muxctl · ${project}${ready ? ` · ${total} worker${total === 1 ? '' : 's'}` : ''}`;
  // Every session gone at once is the tmux server gone (killed, a reboot): say so, and the one key that helps.
  // A new project has nothing running yet: that is not the server gone.
  const attention = noneStarted
    ? ' · nothing started yet: U starts every worker'
    : allMissing
    ? ' · tmux server gone: U brings them back'
    : trouble > 0
      ? ` · ${trouble} need${trouble === 1 ? 's' : ''} you`
      : '';
  // A worker's proposal waits for the person: counted, so it is seen without opening the board.
  const proposals = proposed > 0 ? `, ${proposed} proposed` : '';
  const board = queued + active + stuckTasks + proposed > 0 || paused ? ` · tasks ${active} active, ${queued} queued${proposals}${stuckTasks > 0 ? `, ${stuckTasks} need you` : ''}${paused ? ' · dispatch paused' : ''}` : '';
  const role = follower ? ` · watching (dashboard pid ${follower.leaderPid ?? '?'} acts)` : '';
  // Which of grid and list is on and, when muxctl chose the list, why: the longest wording that fits
  // beside what matters more (how many need the person), so a narrow header keeps at least "list".
  const notes = ready && onWorkers ? layoutNotes({ layout, auto, workers: shown, panelsThatFit }).map((note) => ` · ${note}`) : [];
  const before = textWidth(left + attention + limited);
  // A space before the clock, so a left side cut short never runs into it.
  const clock = ` ${clockMinutes(now)} `;
  const withSocket = ` tmux -L ${socket} ${clock}`;
  const full = fitNote(notes, width - textWidth(withSocket) - before);
  // The socket is for attaching by hand: it gives way before any word about what the screen shows.
  const keepSocket = full === fitNote(notes, width - textWidth(clock) - before) && before + textWidth(full) + textWidth(withSocket) <= width;
  const right = keepSocket ? withSocket : clock;
  const view = fitNote(notes, width - textWidth(right) - before);
  return (
    <Box width={width}>
      <Box flexGrow={1} flexShrink={1}>
        <Text bold wrap="truncate-end">
          {left}
          <Text color="red">{attention}</Text>
          <Text color="yellow">{limited}</Text>
          <Text color="cyan">{view}</Text>
          <Text color="magenta">{board}</Text>
          <Text dimColor>{role}</Text>
        </Text>
      </Box>
      <Box flexShrink={0}>
        <Text dimColor>{right}</Text>
      </Box>
    </Box>
  );
}

/** " · 2 limited, the first until 18:00": workers waiting for their usage limit, and the soonest reset known. */
function limitedLabel(workers: readonly WorkerSnapshot[], now: number): string {
  const limited = workers.filter((w) => w.health.state === 'limited');
  if (limited.length === 0) return '';
  const resets = limited.map((w) => w.health.until).filter((at): at is number => at !== undefined && at > now);
  const soonest = resets.length > 0 ? Math.min(...resets) : null;
  const until = soonest === null ? '' : `${limited.length === 1 ? '' : ', the first'} until ${clockMinutes(soonest)}`;
  return ` · ${limited.length} limited${until}`;
}

/** The layout as flat fields, so the shallow comparison of the header's slice sees when it changed. */
function layoutFields(s: ScreenModel) {
  const choice = layoutChoice(s);
  const view = currentView(s);
  return { layout: choice.layout, auto: choice.auto, shown: choice.workers, panelsThatFit: choice.panelsThatFit, onWorkers: view === 'grid' || view === 'list' };
}
