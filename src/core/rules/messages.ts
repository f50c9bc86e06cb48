/**
 * Messages to workers (`muxctl send`, `m`/`M` in the dashboard): text typed into a worker's agent as one
 * paste and Enter, only when it is at its prompt. A message for a busy worker waits in the store and is
 * delivered when it is next at its prompt; one whose paste was under way when the process died is sent
 * again to the next process. Pure: who gets one, when, and what a worker may send.
 */
import type { HealthState } from './health.js';
import type { Actor } from './tasks.js';

export type MessageState = 'waiting' | 'pending' | 'delivered' | 'failed';

export interface Message {
  id: number;
  to: string;
  text: string;
  sender: Actor;
  state: MessageState;
  createdAt: number;
  /** A paste under way: since when, and to which process (the worker's recorded start, its epoch). */
  pending: { since: number; epoch: number | null } | null;
  deliveredAt: number | null;
  /** Why it failed, when it did. */
  reason: string | null;
}

/** Who a send goes to: one worker, every worker of a lane, or all. */
export type MessageTarget = { kind: 'worker'; name: string } | { kind: 'lane'; lane: string } | { kind: 'all' };

/** A worker that sends more than this many messages a minute is refused (a loop between two agents). */
export const MESSAGES_PER_MINUTE = 6;

/** A paste not seen on the screen in this long is not a delivery: longer than a paste's confirmation (8 s). */
export const PENDING_GRACE_MS = 30_000;

export type Recipients = { ok: true; names: string[] } | { ok: false; reason: string };

/**
 * The workers a send reaches. A worker never sends to itself (an agent answering its own messages is a
 * loop), and a lane or all leaves the sender out.
 */
export function recipients(target: MessageTarget, workers: readonly { name: string; lane: string }[], sender: Actor): Recipients {
  const self = sender.kind === 'worker' ? sender.name : undefined;
  switch (target.kind) {
    case 'worker': {
      if (!workers.some((w) => w.name === target.name)) return { ok: false, reason: `no worker named ${target.name}` };
      if (target.name === self) return { ok: false, reason: `${target.name} cannot send a message to itself` };
      return { ok: true, names: [target.name] };
    }
    case 'lane': {
      const inLane = workers.filter((w) => w.lane === target.lane);
      if (inLane.length === 0) return { ok: false, reason: `no worker in lane ${target.lane}` };
      const names = inLane.map((w) => w.name).filter((name) => name !== self);
      return names.length === 0 ? { ok: false, reason: `lane ${target.lane} has no worker but the sender` } : { ok: true, names };
    }
    case 'all': {
      const names = workers.map((w) => w.name).filter((name) => name !== self);
      return names.length === 0 ? { ok: false, reason: 'no worker to send to' } : { ok: true, names };
    }
  }
}

/** Why a worker may not send now (its messages of the last minute), or null. The person is never limited. */
export function sendRefusal(sender: Actor, sentInLastMinute: number): string | null {
  if (sender.kind !== 'worker' || sentInLastMinute < MESSAGES_PER_MINUTE) return null;
  return `${sender.name} sent ${sentInLastMinute} messages in the last minute (at most ${MESSAGES_PER_MINUTE}): refused, so two agents cannot talk in a loop`;
}

/** What the dashboard knows of a worker when deciding whether it is at its prompt. */
export interface PromptFacts {
  state: HealthState;
  /** How long its screen has been still, ms (tmux's activity clock). */
  screenQuietMs: number;
  /** Its log says a turn is open (it has work in hand); false when the log says none or there is no log. */
  turnOpen: boolean;
}

/** A still screen for this long, with no log saying otherwise, is an agent at its prompt. */
export const QUIET_PROMPT_MS = 3_000;

/**
 * Whether a message can be typed into the worker now: idle (its turn done), or alive with no turn open
 * and a screen still for a moment (a dashboard calls a worker "working" for a while after its last
 * output). Never while a turn is open, nor when it asks a question (the text would answer it), is
 * limited, stuck, starting or dead.
 */
export function atPrompt(f: PromptFacts): boolean {
  if (f.state === 'idle') return true;
  return (f.state === 'running' || f.state === 'working') && !f.turnOpen && f.screenQuietMs >= QUIET_PROMPT_MS;
}

/** Why a worker is not at its prompt, for `--now`'s refusal and the notice. */
export function notAtPromptReason(name: string, f: PromptFacts): string {
  if ((f.state === 'running' || f.state === 'working') && f.turnOpen) return `${name} is working on a turn`;
  if (f.state === 'running' || f.state === 'working') return `${name}'s screen is still changing`;
  return `${name} is ${f.state}, not at its prompt`;
}

/** "from person ana", "from worker reviewer-1": who a message is from, as events and panels say it. */
export function senderLabel(sender: Actor): string {
  return 'name' in sender && sender.name !== undefined && sender.name !== '' ? `from ${sender.kind} ${sender.name}` : `from ${sender.kind}`;
}

/** The message's first line, cut: what an event or a panel shows of it. */
export function messageExcerpt(text: string, limit = 80): string {
  const first = text.split('\n')[0]?.trim() ?? '';
  const more = text.includes('\n') || first.length > limit;
  return `${first.slice(0, limit)}${more ? '…' : ''}`;
}
