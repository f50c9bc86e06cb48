/**
 * An agent's conversation across its worker's restarts (agent presets, `resume.command`): which one the
 * next process starts on, whether a resume took, and — for an agent that names its conversation itself
 * (Codex) — finding it once it began. The rules are core/rules/agents.ts; the agents' files are read by
 * adapters/conversations.ts; Workers launches what this plans.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findConversation, type ConversationPlace } from '../adapters/conversations.js';
import type { RuntimeDir } from '../adapters/runtime.js';
import type { TmuxSessions } from './fleet.js';
import type { ProjectConfig, WorkerConfig } from '../core/config/config.js';
import { workerPath } from '../core/config/config.js';
import { freshAfterFailedResume, planConversation, resumeFailedOnScreen, withConversationArgs, type ConversationPlan } from '../core/rules/agents.js';

export interface ConversationsDeps {
  config: () => ProjectConfig;
  tmux: TmuxSessions;
  runtime: RuntimeDir;
  now: () => number;
  /** Where the agents keep their conversations (their ~). @default $HOME */
  home?: string;
  /** How long a resumed agent is watched for a failed resume (it exits at once, or says so). @default 4000 */
  resumeCheckMs?: number;
}

/** How often a Codex worker's files are searched for the conversation it began. */
const LOCATE_EVERY_MS = 5000;
/** A resumed agent whose screen held still this long without a failure took the resume. */
const SETTLED_MS = 1500;

export class Conversations {
  private nextLocate = 0;

  constructor(private readonly deps: ConversationsDeps) {}

  /**
   * The conversation the next process starts on, for a worker that has one: resumed only when the
   * agent's own files show it for this worktree; `wantNew` (the task starts over) begins a new one.
   */
  async plan(worker: WorkerConfig, wantNew: boolean): Promise<ConversationPlan | null> {
    if (worker.resume === undefined) return null;
    const record = this.deps.runtime.readWorkers()[worker.name];
    const previous = record?.conversation ?? null;
    const since = { id: previous?.id ?? null, since: record?.startedAt ?? null };
    const found = wantNew ? null : await findConversation(worker.agent ?? 'custom', this.place(worker), previous === null ? null : since);
    const plan = planConversation({ strategy: worker.resume.strategy, previous, found: found === null ? null : { id: found.id }, wantNew, newId: randomUUID() });
    return found?.file !== undefined && followsFoundLog(worker) ? { ...plan, conversation: { ...plan.conversation, log: found.file } } : plan;
  }

  /** The plan after `failed` did not take: a new conversation, once, with the reason. */
  fresh(worker: WorkerConfig, failed: ConversationPlan, why: string): ConversationPlan | null {
    return worker.resume === undefined ? null : freshAfterFailedResume(failed, worker.resume.strategy, randomUUID(), why);
  }

  /** What the agent showed if its resume failed — it exited, or said so — or null once its screen settles without that. */
  async resumeFailure(worker: WorkerConfig): Promise<string | null> {
    const deadline = this.deps.now() + (this.deps.resumeCheckMs ?? 4000);
    let last = '';
    let stableSince = this.deps.now();
    while (this.deps.now() < deadline) {
      const pane = (await this.deps.tmux.listPanes()).find((p) => p.session === worker.name);
      const screen = ((await this.deps.tmux.capturePanes([worker.name], 50)).get(worker.name) ?? []).join('\n');
      const said = resumeFailedOnScreen(worker.resume ?? { resumeFailed: [] }, screen);
      if (said !== null) return said;
      if (pane === undefined || pane.dead) return pane?.dead === true && pane.deadStatus !== null ? `it exited at once with status ${pane.deadStatus}` : 'it exited at once';
      if (screen !== last) {
        last = screen;
        stableSince = this.deps.now();
      } else if (screen.trim() !== '' && this.deps.now() - stableSince >= SETTLED_MS) {
        return null;
      }
      await sleep(100);
    }
    return null;
  }

  /**
   * Keeps the record of the conversation each agent is on, as the agent's own files show it: a Codex
   * worker's rollout or a Gemini CLI worker's saved chat once it appears (after it starts), and a Claude Code
   * worker's new transcript after a `/clear` (the agent began a new conversation). Looks at most every
   * few seconds, only at those workers, and only in their own folders.
   */
  async locate(): Promise<boolean> {
    const now = this.deps.now();
    if (now < this.nextLocate) return false;
    this.nextLocate = now + LOCATE_EVERY_MS;
    const records = this.deps.runtime.readWorkers();
    let changed = false;
    for (const worker of this.deps.config().workers) {
      const record = records[worker.name];
      // A worker on a host keeps its agent's files there.
      if (worker.host !== undefined || record === undefined || record.desired !== 'running' || record.startedAt === null) continue;
      const current = record.conversation ?? null;
      if ((worker.agent === 'codex' || worker.agent === 'gemini') && current?.log === undefined) {
        // Only a rollout (a saved chat) written since this process started is its conversation.
        const rollout = await findConversation(worker.agent, this.place(worker), { id: null, since: record.startedAt });
        const file = rollout?.file;
        if (rollout === null || file === undefined) continue;
        changed = true;
        await this.deps.runtime.updateWorker(worker.name, (old) => ({ ...old, conversation: { ...(old.conversation ?? { resumed: false }), id: rollout.id, log: file } }));
      } else if (worker.agent === 'claude-code' && current !== null && current.id !== null) {
        const transcript = await findConversation('claude-code', this.place(worker), { id: current.id, since: record.startedAt });
        if (transcript === null || transcript.id === null || transcript.id === current.id) continue;
        const id = transcript.id;
        changed = true;
        await this.deps.runtime.updateWorker(worker.name, (old) => ({ ...old, conversation: { id, resumed: false, note: 'begun by the agent since its start (/clear)' } }));
      }
    }
    return changed;
  }

  /** Where the agent's files are: it inherits muxctl's environment (the tmux server is muxctl's child) under its own. */
  private place(worker: WorkerConfig): ConversationPlace {
    const worktree = workerPath(this.deps.config(), worker.name);
    const env = { ...process.env, ...worker.env };
    return { runDir: worker.cwd ? join(worktree, worker.cwd) : worktree, home: worker.env.HOME ?? this.deps.home ?? env.HOME ?? '/', env };
  }
}

/** Agents whose log muxctl finds in their own files after they start (no log path to configure). */
function followsFoundLog(worker: WorkerConfig): boolean {
  return worker.log === undefined && (worker.agent === 'codex' || worker.agent === 'gemini');
}

/**
 * The worker's command on its conversation: the preset's arguments added to what the person wrote, or
 * (a `resume.command` of the person's own) that command when resuming; `{sessionId}` filled in.
 */
export function conversationCommand(worker: WorkerConfig, plan: ConversationPlan | null): string | string[] {
  if (plan === null) return worker.command;
  const own = plan.conversation.resumed ? worker.resume?.command : undefined;
  const base = own ?? worker.command;
  const id = plan.conversation.id ?? '';
  const filled = typeof base === 'string' ? base.replaceAll('{sessionId}', id) : base.map((arg) => arg.replaceAll('{sessionId}', id));
  return withConversationArgs(filled, plan.args, plan.after);
}
