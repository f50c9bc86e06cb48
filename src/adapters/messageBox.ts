/**
 * Messages to workers in the board's database (`.muxctl/state.db`, table `messages`): each change is one
 * IMMEDIATE transaction with its board event, so `muxctl events` tells every message's story (waiting,
 * delivered, failed) with its sender, and two dashboards never deliver one message twice.
 */
import type { Prepare } from './statements.js';
import type { NewBoardEvent } from '../core/rules/events.js';
import { messageExcerpt, senderLabel, type Message, type MessageState } from '../core/rules/messages.js';
import { redact } from '../core/rules/redact.js';
import type { Actor } from '../core/rules/tasks.js';

interface MessageRow {
  id: number;
  to_worker: string;
  text: string;
  sender_kind: string;
  sender_name: string | null;
  state: string;
  created_at: number;
  pending_since: number | null;
  pending_epoch: number | null;
  delivered_at: number | null;
  reason: string | null;
}

const OPEN = "state IN ('waiting', 'pending')";

export class MessageBox {
  constructor(
    /** The store's prepared statements (adapters/statements.ts). */
    private readonly sql: Prepare,
    private readonly immediate: <T>(write: () => T) => T,
    private readonly insertEvent: (event: NewBoardEvent) => unknown,
  ) {}

  /** One message to each worker named, waiting until it is at its prompt; one event each. */
  send(to: readonly string[], text: string, sender: Actor, now: number): Message[] {
    return this.immediate(() =>
      to.map((worker) => {
        const info = this
          .sql("INSERT INTO messages (to_worker, text, sender_kind, sender_name, state, created_at) VALUES (?, ?, ?, ?, 'waiting', ?)")
          .run(worker, text, sender.kind, sender.name ?? null, now);
        const id = Number(info.lastInsertRowid);
        this.event(worker, 'message-waiting', now, sender, [`#${id} ${senderLabel(sender)}: ${redact(messageExcerpt(text))}`]);
        return this.byId(id) as Message;
      }),
    );
  }

  /** Messages not yet delivered (waiting, or a paste under way), oldest first; for one worker or all. */
  open(worker?: string): Message[] {
    const rows = worker === undefined
      ? this.sql(`SELECT * FROM messages WHERE ${OPEN} ORDER BY id`).all()
      : this.sql(`SELECT * FROM messages WHERE to_worker = ? AND ${OPEN} ORDER BY id`).all(worker);
    return (rows as MessageRow[]).map(fromRow);
  }

  /** Per worker, how many messages wait for it: the panels' "✉ 1 message waiting". */
  waitingCounts(): Record<string, number> {
    const rows = this.sql(`SELECT to_worker, COUNT(*) AS n FROM messages WHERE ${OPEN} GROUP BY to_worker`).all() as { to_worker: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.to_worker, r.n]));
  }

  /** How many messages `worker` sent since `since` (its rate limit). */
  sentBy(worker: string, since: number): number {
    const row = this.sql("SELECT COUNT(*) AS n FROM messages WHERE sender_kind = 'worker' AND sender_name = ? AND created_at >= ?").get(worker, since) as { n: number };
    return row.n;
  }

  /**
   * Takes a waiting message for a paste into the process started at `epoch`; false when another
   * dashboard took it first (or it is no longer waiting).
   */
  begin(id: number, epoch: number | null, now: number): boolean {
    return this.immediate(() => this.sql("UPDATE messages SET state = 'pending', pending_since = ?, pending_epoch = ? WHERE id = ? AND state = 'waiting'").run(now, epoch, id).changes === 1);
  }

  delivered(message: Message, now: number, actor: Actor): void {
    this.immediate(() => {
      this.sql("UPDATE messages SET state = 'delivered', delivered_at = ? WHERE id = ?").run(now, message.id);
      this.event(message.to, 'message-delivered', now, actor, [`#${message.id} ${senderLabel(message.sender)}: ${redact(messageExcerpt(message.text))}`]);
    });
  }

  failed(message: Message, reason: string, now: number, actor: Actor): void {
    this.immediate(() => {
      this.sql("UPDATE messages SET state = 'failed', reason = ? WHERE id = ?").run(reason, message.id);
      this.event(message.to, 'message-failed', now, actor, [`#${message.id} ${senderLabel(message.sender)}: ${reason}`]);
    });
  }

  /** A paste that never showed, to a process now gone: waiting again, for the next one. */
  again(message: Message, reason: string, now: number, actor: Actor): void {
    this.immediate(() => {
      this.sql("UPDATE messages SET state = 'waiting', pending_since = NULL, pending_epoch = NULL WHERE id = ?").run(message.id);
      this.event(message.to, 'message-waiting', now, actor, [`#${message.id} again: ${reason}`]);
    });
  }

  byId(id: number): Message | null {
    const row = this.sql('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  private event(worker: string, action: string, time: number, actor: Actor, reasons: string[]): void {
    this.insertEvent({ time, actor, kind: 'worker', subject: worker, action, worker, reasons });
  }
}

function fromRow(row: MessageRow): Message {
  return {
    id: row.id,
    to: row.to_worker,
    text: row.text,
    sender: { kind: row.sender_kind as Actor['kind'], ...(row.sender_name === null ? {} : { name: row.sender_name }) },
    state: row.state as MessageState,
    createdAt: row.created_at,
    pending: row.pending_since === null ? null : { since: row.pending_since, epoch: row.pending_epoch },
    deliveredAt: row.delivered_at,
    reason: row.reason,
  };
}
