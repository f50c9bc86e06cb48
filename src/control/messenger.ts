/**
 * Messages to workers (issue 12): `muxctl send`, `m`/`M`, and a worker's own `muxctl send` to another.
 * A message is one bracketed paste and Enter, typed only into an agent at its prompt and called delivered
 * once its first line shows on the screen. For a busy worker it waits in the store, and the leading
 * dashboard types it when the worker is next at its prompt; a paste whose process died before it showed
 * is sent again to the next process. Every step is a board event with the sender.
 */
import type { TaskStore } from '../adapters/taskStore.js';
import type { TmuxSessions } from './fleet.js';
import type { ProjectConfig } from '../core/config/config.js';
import {
  atPrompt,
  messageExcerpt,
  notAtPromptReason,
  PENDING_GRACE_MS,
  recipients,
  sendRefusal,
  type Message,
  type MessageTarget,
  type PromptFacts,
} from '../core/rules/messages.js';
import type { ActionResult, WorkerSnapshot } from '../core/rules/snapshot.js';
import type { Actor } from '../core/rules/tasks.js';
import { screenShows } from './screenWait.js';
import type { Workers } from './workers.js';

export interface MessengerDeps {
  config: () => ProjectConfig;
  tmux: TmuxSessions;
  store: TaskStore;
  workers: Workers;
  now: () => number;
  /** How long a pasted message may take to show, and how often the screen is read meanwhile. */
  timings?: { confirmMs?: number; pollMs?: number };
}

export interface SendOutcome {
  ok: boolean;
  /** One line a recipient: delivered, waiting (and why), or failed. */
  lines: { worker: string; ok: boolean; text: string }[];
}

const DELIVERER: Actor = { kind: 'dispatcher' };
const MINUTE = 60_000;

export class Messenger {
  private lastMark = '';
  private anyOpen = true;

  constructor(private readonly deps: MessengerDeps) {}

  /**
   * Sends `text` to the target's workers. Those at their prompt now get it at once; the others when
   * they next are (the leading dashboard delivers). `now: true` refuses unless every one is at its
   * prompt, and then stores nothing.
   */
  async send(target: MessageTarget, text: string, sender: Actor, prompts: (worker: string) => PromptFacts | null, options: { now?: boolean } = {}): Promise<SendOutcome> {
    if (text.trim() === '') return refused('a message needs some text');
    const to = recipients(target, this.deps.config().workers, sender);
    if (!to.ok) return refused(to.reason);
    if (sender.kind === 'worker') {
      const refusal = sendRefusal(sender, this.deps.store.messages.sentBy(sender.name ?? '', this.deps.now() - MINUTE));
      if (refusal !== null) return refused(refusal);
    }
    const ready = new Map(to.names.map((name) => [name, prompts(name)] as const));
    if (options.now === true) {
      const busy = to.names.filter((name) => !isReady(ready.get(name)));
      if (busy.length > 0) return { ok: false, lines: busy.map((name) => ({ worker: name, ok: false, text: `not sent (--now): ${whyNotReady(name, ready.get(name))}` })) };
    }
    const messages = this.deps.store.messages.send(to.names, text, sender, this.deps.now());
    const lines: SendOutcome['lines'] = [];
    for (const message of messages) {
      const facts = ready.get(message.to);
      if (isReady(facts)) lines.push(await this.deliver(message, sender));
      else lines.push({ worker: message.to, ok: true, text: `waits: ${whyNotReady(message.to, facts)}; it is typed in when it is at its prompt` });
    }
    return { ok: lines.every((line) => line.ok), lines };
  }

  /** Per worker, the messages waiting for it. */
  waitingCounts(): Record<string, number> {
    return this.deps.store.messages.waitingCounts();
  }

  /**
   * The leader, once a tick: pastes under way whose process is gone go back to waiting, and each worker
   * at its prompt gets its oldest waiting message. Reads the store only when something was written.
   */
  async tick(workers: readonly WorkerSnapshot[]): Promise<ActionResult[]> {
    const mark = this.deps.store.changeMark();
    if (mark === this.lastMark && !this.anyOpen) return [];
    this.lastMark = mark;
    const open = this.deps.store.messages.open();
    this.anyOpen = open.length > 0;
    if (!this.anyOpen) return [];
    const records = this.deps.workers.records();
    const results: ActionResult[] = [];
    const now = this.deps.now();
    const served = new Set<string>();
    for (const message of open) {
      const snap = workers.find((w) => w.name === message.to);
      if (snap === undefined) continue;
      const epoch = records[message.to]?.startedAt ?? null;
      if (message.state === 'pending') {
        await this.settlePending(message, epoch, now);
        continue;
      }
      if (served.has(message.to) || !atPrompt(promptFacts(snap, now))) continue;
      served.add(message.to);
      const line = await this.deliver(message, DELIVERER);
      results.push({ worker: message.to, ok: line.ok, outcome: line.text });
    }
    return results;
  }

  /** A paste that was under way: to a process since replaced, sent again; past its grace, the screen says. */
  private async settlePending(message: Message, epoch: number | null, now: number): Promise<void> {
    if (message.pending === null) return;
    if (message.pending.epoch !== epoch) {
      this.deps.store.messages.again(message, 'its process ended before the message showed; sent to the next one', now, DELIVERER);
      return;
    }
    if (now - message.pending.since < PENDING_GRACE_MS) return;
    if (await this.screenShows(message.to, needle(message), 0)) this.deps.store.messages.delivered(message, now, DELIVERER);
    else this.deps.store.messages.again(message, 'its paste never showed on the screen', now, DELIVERER);
  }

  private async deliver(message: Message, actor: Actor): Promise<{ worker: string; ok: boolean; text: string }> {
    const epoch = this.deps.workers.records()[message.to]?.startedAt ?? null;
    if (!this.deps.store.messages.begin(message.id, epoch, this.deps.now())) return { worker: message.to, ok: true, text: 'already being delivered by another muxctl' };
    try {
      await this.deps.tmux.pasteText(message.to, message.text);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.deps.store.messages.again(message, `the paste failed: ${why}`, this.deps.now(), actor);
      return { worker: message.to, ok: false, text: `not delivered yet: ${why}` };
    }
    const confirmMs = this.deps.timings?.confirmMs ?? 8_000;
    if (await this.screenShows(message.to, needle(message), confirmMs)) {
      this.deps.store.messages.delivered(message, this.deps.now(), actor);
      return { worker: message.to, ok: true, text: `delivered: ${messageExcerpt(message.text, 60)}` };
    }
    if (!(await this.deps.tmux.hasSession(message.to))) {
      this.deps.store.messages.again(message, 'its process ended before the message showed', this.deps.now(), actor);
      return { worker: message.to, ok: false, text: 'its process ended before the message showed: sent again after its restart' };
    }
    const reason = `the message did not appear on ${message.to}'s screen within ${confirmMs / 1000} s`;
    this.deps.store.messages.failed(message, reason, this.deps.now(), actor);
    return { worker: message.to, ok: false, text: `failed: ${reason}` };
  }

  private screenShows(worker: string, text: string, withinMs: number): Promise<boolean> {
    return screenShows(this.deps.tmux, worker, text, { withinMs, pollMs: this.deps.timings?.pollMs ?? 100, now: this.deps.now });
  }
}

/**
 * `send`'s question "is this worker at its prompt?", answered from the workers as last seen (`workers` is
 * read at each question): null for a worker that is not running.
 */
export function promptsOf(workers: () => readonly WorkerSnapshot[], now: number): (worker: string) => PromptFacts | null {
  return (name) => {
    const snap = workers().find((w) => w.name === name);
    return snap === undefined || snap.upSince === null ? null : promptFacts(snap, now);
  };
}

/** What a worker's snapshot says of its prompt: its state, and how long its screen has been still. */
export function promptFacts(snap: WorkerSnapshot, now: number): PromptFacts {
  return {
    state: snap.health.state,
    screenQuietMs: snap.screenActiveAt === undefined || snap.screenActiveAt === null ? 0 : now - snap.screenActiveAt,
    turnOpen: snap.summary?.turnOpen === true,
  };
}

/** The start of the message's first line: what its arrival on the screen is checked by. */
function needle(message: Message): string {
  return (message.text.split('\n')[0] ?? '').trim().slice(0, 40);
}

function isReady(facts: PromptFacts | null | undefined): boolean {
  return facts !== null && facts !== undefined && atPrompt(facts);
}

function whyNotReady(name: string, facts: PromptFacts | null | undefined): string {
  return facts === null || facts === undefined ? `${name} has no running session` : notAtPromptReason(name, facts);
}

function refused(reason: string): SendOutcome {
  return { ok: false, lines: [{ worker: '', ok: false, text: reason }] };
}
