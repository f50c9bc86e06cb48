/**
 * The start-up timeline `npm run bench` prints: when each step of opening muxctl ended, in ms since the
 * process began (performance.now() counts from the process's time origin, so the first mark includes
 * node's own start and the loading of the bundle). Off unless MUXCTL_TIMELINE names a file: one
 * comparison per mark.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.MUXCTL_TIMELINE;
const marks: Record<string, number> = {};

/** Records that `step` has just ended (the first time only: a step done again later is not start-up). */
export function mark(step: string): void {
  if (file !== undefined && marks[step] === undefined) marks[step] = Math.round(performance.now());
}

/** Writes the marks so far, then stops recording: called once the first frame is on screen. */
export function writeTimeline(): void {
  if (file === undefined) return;
  writeFileSync(file, JSON.stringify(marks) + '\n');
}
