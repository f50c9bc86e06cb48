/**
 * Agent presets: what muxctl knows of each agent it names, so a Claude Code worker is one line of
 * config (`"agent": "claude-code"`). A preset fills in where the agent's log is and how to read it, the
 * screen lines that ask the person something, how to stop it, and how to carry its conversation over a
 * restart. The resume strategies are data; `planConversation` decides, from what the agent's own files
 * show, whether the next start resumes a conversation or begins a new one.
 */
import type { LogFormat } from '../config/types.js';
import { shellQuote } from './names.js';

export const AGENT_NAMES = ['claude-code', 'codex', 'gemini', 'aider'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/**
 * How a conversation outlives the process.
 * - `minted`: muxctl gives a new conversation an id of its own and starts the agent with it; a restart
 *   resumes that id when the agent's transcript of it exists (Claude Code; a `resume.command` of one's own).
 * - `found`: the agent names its conversation itself; muxctl finds it in the agent's files afterwards
 *   (by this worktree) and resumes it by that id (Codex).
 * - `flag`: the agent keeps one conversation per directory; a flag resumes it when its files exist
 *   (Gemini CLI, Aider).
 * Arguments go after the program (`after: 'program'`, a subcommand) or after everything the person wrote.
 */
export type ResumeStrategy =
  | { kind: 'minted'; newArgs: readonly string[]; resumeArgs: readonly string[] }
  | { kind: 'found'; resumeArgs: readonly string[]; after: 'program' | 'end' }
  | { kind: 'flag'; resumeArgs: readonly string[] };

export interface AgentPreset {
  /** The program, when the worker gives no `command`. */
  program: string;
  /** Where the agent writes its log, in expandLogPath's terms; none: muxctl finds it (Codex). */
  log: { path: string; format: LogFormat } | null;
  /** Screen lines (regular expressions) that mean the agent asks the person something. */
  waitingPatterns: readonly string[];
  /** Keys that make it quit at its prompt. */
  stopKeys: readonly string[];
  resume: ResumeStrategy;
  /** What the agent says when the conversation to resume is not there (its own wording). */
  resumeFailed: readonly string[];
  /** How to install it, for a worker whose program is not found. */
  install: string;
  /** What is typed to make it carry on where it stopped (after a usage limit reset). */
  continueText: string;
}

export const AGENT_PRESETS: Readonly<Record<AgentName, AgentPreset>> = {
  'claude-code': {
    program: 'claude',
    log: { path: '{claudeConfigDir}/projects/{claudeProject}/*.jsonl', format: 'claude-code' },
    // The agents' own wording (from their sources, or screens quoted in their bug reports).
    waitingPatterns: ['Do you want to (proceed|make this edit|create)', 'Would you like to proceed\\?', '❯\\s*1\\.\\s*Yes'],
    stopKeys: ['C-c', 'C-c'],
    resume: { kind: 'minted', newArgs: ['--session-id', '{sessionId}'], resumeArgs: ['--resume', '{sessionId}'] },
    // `--resume <id>` with no such transcript in this directory: "No conversation found with session ID: <id>", exit 1.
    resumeFailed: ['No conversation found'],
    install: 'npm install -g @anthropic-ai/claude-code',
    continueText: 'continue',
  },
  codex: {
    program: 'codex',
    log: null,
    waitingPatterns: ['Would you like to run the following command\\?', 'Would you like to make the following edits\\?', 'needs your approval\\.'],
    stopKeys: ['C-c', 'C-c'],
    resume: { kind: 'found', resumeArgs: ['resume', '{sessionId}'], after: 'program' },
    // `codex resume <id>` with no such rollout: "ERROR: No saved session found with ID <id>." and exit 1.
    resumeFailed: ['No saved session found', 'no rollout found'],
    install: 'npm install -g @openai/codex',
    continueText: 'continue',
  },
  gemini: {
    program: 'gemini',
    log: null,
    waitingPatterns: ['Allow execution of', 'Apply this change\\?', 'Do you want to proceed\\?', 'Action Required'],
    stopKeys: ['C-c', 'C-c'],
    resume: { kind: 'flag', resumeArgs: ['--resume', 'latest'] },
    // `--resume latest` with nothing saved warns and starts a new chat; an id it lacks is an error (exit 42).
    resumeFailed: ['Error resuming session'],
    install: 'npm install -g @google/gemini-cli',
    continueText: 'continue',
  },
  aider: {
    program: 'aider',
    log: { path: '.aider.chat.history.md', format: 'aider' },
    waitingPatterns: ['\\(Y\\)es/\\(N\\)o'],
    stopKeys: ['C-c', 'C-c'],
    resume: { kind: 'flag', resumeArgs: ['--restore-chat-history'] },
    resumeFailed: [],
    install: 'python -m pip install aider-install && aider-install',
    continueText: 'continue',
  },
};

/** The conversation a worker's process was started on, as recorded with its start. */
export interface Conversation {
  /** The agent's id for it; null for an agent that keeps one per directory (Gemini CLI, Aider). */
  id: string | null;
  /** Whether this start carried an earlier conversation on. */
  resumed: boolean;
  /** Why an earlier conversation was not carried on, when there was one. */
  note?: string;
  /** The file the agent writes it to, when muxctl had to find it (a Codex rollout): followed as the worker's log. */
  log?: string;
}

/** What the agent's own files show for this worktree, gathered before a start. */
export interface ConversationFacts {
  strategy: ResumeStrategy;
  /** What the worker's last process was started on; null: never started with a conversation. */
  previous: Conversation | null;
  /**
   * The conversation the agent's files hold for this worktree, newest first: for `minted`, a transcript
   * of the previous id or a newer one the agent began itself (`/clear`); for `found`, the newest
   * session whose directory is this worktree; for `flag`, any (id null).
   */
  found: { id: string | null } | null;
  /** The guard decided on a fresh start: the task begins again, and so does the conversation. */
  wantNew: boolean;
  /** A new id, for `minted` (a UUID). */
  newId: string;
}

export interface ConversationPlan {
  /** Arguments to add to the person's command, and where. */
  args: readonly string[];
  after: 'program' | 'end';
  conversation: Conversation;
}

/** Whether the next start resumes a conversation (only one the agent's files show) or begins a new one. */
export function planConversation(f: ConversationFacts): ConversationPlan {
  const { strategy } = f;
  const after = strategy.kind === 'found' ? strategy.after : 'end';
  const fill = (args: readonly string[], id: string | null) => args.map((arg) => arg.replaceAll('{sessionId}', id ?? ''));
  if (!f.wantNew && f.found !== null && (strategy.kind === 'flag' || f.found.id !== null)) {
    return { args: fill(strategy.resumeArgs, f.found.id), after, conversation: { id: f.found.id, resumed: true } };
  }
  const note = f.wantNew ? undefined : lostNote(f.previous);
  const fresh = (conversation: Conversation): ConversationPlan => ({ args: [], after, conversation: note === undefined ? conversation : { ...conversation, note } });
  if (strategy.kind === 'minted') return { ...fresh({ id: f.newId, resumed: false }), args: fill(strategy.newArgs, f.newId) };
  return fresh({ id: null, resumed: false });
}

/** Why an earlier conversation was not carried on; none when there never was one to carry (nothing saved, no id found). */
function lostNote(previous: Conversation | null): string | undefined {
  if (previous === null) return undefined;
  if (previous.id !== null) return `conversation ${shortId(previous.id)} not found: a new one`;
  return previous.resumed ? 'no saved conversation for this worktree: a new one' : undefined;
}

/** The plan after a resume failed at once (the agent exited, or said the conversation is not there): a new conversation, once. */
export function freshAfterFailedResume(failed: ConversationPlan, strategy: ResumeStrategy, newId: string, why: string): ConversationPlan {
  const base = planConversation({ strategy, previous: null, found: null, wantNew: true, newId });
  const what = failed.conversation.id === null ? 'the saved conversation' : `conversation ${shortId(failed.conversation.id)}`;
  return { ...base, conversation: { ...base.conversation, note: `resuming ${what} failed (${why}): started a new one` } };
}

/** Whether a screen says the resume found nothing to resume. */
export function resumeFailedOnScreen(preset: Pick<AgentPreset, 'resumeFailed'>, screen: string): string | null {
  for (const phrase of preset.resumeFailed) {
    const line = screen.split('\n').find((l) => l.toLowerCase().includes(phrase.toLowerCase()));
    if (line !== undefined) return line.trim().slice(0, 120);
  }
  return null;
}

/** How a panel, a status line and `up` name the conversation: "conversation 1a2b3c4d resumed". */
export function describeConversation(c: Conversation): string | null {
  const what = c.id === null ? 'conversation' : `conversation ${shortId(c.id)}`;
  const how = c.resumed ? 'resumed' : 'new';
  return c.note === undefined ? `${what} ${how}` : `${what} ${how} (${c.note})`;
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** The argv or `sh -c` line with a plan's arguments added where they belong. */
export function withConversationArgs(command: string | readonly string[], args: readonly string[], after: 'program' | 'end'): string | string[] {
  const quote = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');
  if (args.length === 0) return typeof command === 'string' ? command : [...command];
  if (typeof command !== 'string') {
    return after === 'program' ? [command[0] ?? '', ...args, ...command.slice(1)] : [...command, ...args];
  }
  if (after === 'end') return `${command} ${quote(args)}`;
  // A subcommand goes right after the program: the first word of the line as the person wrote it.
  const match = /^(\s*\S+)(.*)$/s.exec(command);
  return match === null ? `${command} ${quote(args)}` : `${match[1]} ${quote(args)}${match[2]}`;
}
