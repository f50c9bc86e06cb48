/**
 * Whether the leader's dispatcher hands out tasks on its own: one setting in the store, written with
 * its event (who paused it and why) by the dashboard's P and by `muxctl dispatch pause|resume` alike.
 */
import type { NewBoardEvent } from './events.js';
import type { Actor } from './tasks.js';

export const DISPATCH_PAUSED_SETTING = 'dispatch.paused';

export function dispatchPaused(getSetting: (key: string) => string | null): boolean {
  return getSetting(DISPATCH_PAUSED_SETTING) === '1';
}

export function dispatchPauseSetting(paused: boolean, actor: Actor, reason: string, now: number): { key: string; value: string; event: NewBoardEvent } {
  return {
    key: DISPATCH_PAUSED_SETTING,
    value: paused ? '1' : '0',
    event: { time: now, actor, kind: 'board', subject: 'dispatch', action: paused ? 'pause' : 'resume', reasons: [reason] },
  };
}
