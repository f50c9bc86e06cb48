/**
 * One record of everything that happened on the board (issue 4): task state changes and control
 * actions on workers alike, each with its time, actor, subject and reasons. The store keeps them in one
 * table so `muxctl events`, `muxctl report` and the dashboard read a single ordered history.
 */
import type { Actor } from './tasks.js';

/** As stored: the command line's own actions were recorded as `cli` (kept so old history reads the same). */
export type EventActorKind = Actor['kind'] | 'cli';

export interface BoardEvent {
  /** Increasing in commit order: `events --follow` and the dashboard resume after the last id they saw. */
  id: number;
  /** Epoch ms. */
  time: number;
  actor: { kind: EventActorKind; name?: string };
  /** A task subject is a task id; a worker subject is a worker name. */
  kind: 'task' | 'worker' | 'board';
  subject: string;
  action: string;
  from?: string;
  to?: string;
  /** The worker the event concerns, when there is one (a task's claimer, a restarted worker). */
  worker?: string;
  reasons: string[];
}

export type NewBoardEvent = Omit<BoardEvent, 'id'>;

/** "person", "worker app-1", "policy": who did it, in the words the CLI and the dashboard print. */
export function actorLabel(actor: BoardEvent['actor']): string {
  return actor.name === undefined || actor.name === '' ? actor.kind : `${actor.kind} ${actor.name}`;
}

/** One line for a person: `14:03:07 app-1 restart (policy): crashed (exit 1); attempt 2 of 3`. */
export function formatEvent(event: BoardEvent, clock: (time: number) => string): string {
  const move = event.from !== undefined && event.to !== undefined && event.from !== event.to ? ` ${event.from} → ${event.to}` : '';
  const who = event.kind === 'task' && event.worker !== undefined ? ` [${event.worker}]` : '';
  const why = event.reasons.length > 0 ? `: ${event.reasons.join('; ')}` : '';
  return `${clock(event.time)} ${event.subject}${who} ${event.action}${move} (${actorLabel(event.actor)})${why}`;
}
