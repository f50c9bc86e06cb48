/**
 * What an agent's own files say about its conversations in one directory: the facts `planConversation`
 * (core/rules/agents.ts) decides on. Read-only; each agent keeps them in its own place:
 * - Claude Code: `$CLAUDE_CONFIG_DIR` or `~/.claude`, `projects/<the directory, every character other
 *   than a letter or digit as "-">/<session id>.jsonl`.
 * - Codex: `$CODEX_HOME` or `~/.codex`, `sessions/YYYY/MM/DD/rollout-…-<id>.jsonl`, whose first line
 *   (`session_meta`) names the directory it ran in (`payload.cwd`) and the session (`payload.id`).
 * - Gemini CLI: `$GEMINI_CLI_HOME` or `~`, `.gemini/tmp/<project>/chats/session-*.json` (or `.jsonl`), where
 *   `<project>` is a short name whose folder holds a `.project_root` file naming the directory (older
 *   versions: the directory's sha256).
 * - Aider: `.aider.chat.history.md` in the directory.
 */
import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AgentName } from '../core/rules/agents.js';

export interface ConversationPlace {
  /** Where the agent runs: its worktree, or the worker's cwd inside it. */
  runDir: string;
  home: string;
  /** The environment the agent gets (CLAUDE_CONFIG_DIR and CODEX_HOME move their files). */
  env: Readonly<Record<string, string | undefined>>;
}

export interface FoundConversation {
  id: string | null;
  /** The file the conversation is written to. */
  file?: string;
}

/**
 * The conversation to resume for `agent` in `place`: for Claude Code, the transcript of `previous.id`,
 * or one written since the previous process started (the agent began it itself: `/clear`); for Codex,
 * the newest rollout that ran in this directory (with `previous.since` and no id: one written since
 * then); for Gemini CLI and Aider, their saved chat, if any.
 */
export async function findConversation(
  agent: AgentName | 'custom',
  place: ConversationPlace,
  previous: { id: string | null; since: number | null } | null,
): Promise<FoundConversation | null> {
  switch (agent) {
    case 'claude-code':
      return findClaudeTranscript(place, previous);
    case 'codex':
      return findCodexRollout(place, previous?.since ?? null);
    case 'gemini':
      return findGeminiChats(place, previous?.since ?? null);
    case 'aider': {
      const file = path.join(place.runDir, '.aider.chat.history.md');
      return (await stat(file).catch(() => null))?.isFile() ? { id: null, file } : null;
    }
    case 'custom':
      // Nothing to look in: a conversation muxctl started is taken to be there; a failed resume starts fresh once.
      return previous?.id ? { id: previous.id } : null;
  }
}

/** The newest chat Gemini CLI saved for this directory (with `since`: one written since then). */
async function findGeminiChats(place: ConversationPlace, since: number | null): Promise<FoundConversation | null> {
  const tmp = path.join(place.env.GEMINI_CLI_HOME ?? place.home, '.gemini', 'tmp');
  const folders = [createHash('sha256').update(place.runDir).digest('hex')];
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    const root = await readSmall(path.join(tmp, name, '.project_root'));
    if (root !== null && path.resolve(root.trim()) === path.resolve(place.runDir)) folders.unshift(name);
  }
  let newest: { file: string; mtimeMs: number } | null = null;
  for (const folder of folders) {
    const chats = path.join(tmp, folder, 'chats');
    for (const name of (await readdir(chats).catch(() => [] as string[])).filter((n) => n.startsWith('session-') && /\.jsonl?$/.test(n))) {
      const mtimeMs = (await stat(path.join(chats, name)).catch(() => null))?.mtimeMs ?? 0;
      if ((since === null || mtimeMs >= since) && (newest === null || mtimeMs > newest.mtimeMs)) newest = { file: path.join(chats, name), mtimeMs };
    }
  }
  return newest === null ? null : { id: null, file: newest.file };
}

async function readSmall(file: string): Promise<string | null> {
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return null;
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

export function claudeProjectDir(place: ConversationPlace): string {
  const configDir = place.env.CLAUDE_CONFIG_DIR ?? path.join(place.home, '.claude');
  return path.join(configDir, 'projects', place.runDir.replace(/[^A-Za-z0-9]/g, '-'));
}

async function findClaudeTranscript(place: ConversationPlace, previous: { id: string | null; since: number | null } | null): Promise<FoundConversation | null> {
  if (previous === null) return null;
  const dir = claudeProjectDir(place);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.jsonl'));
  const dated = await Promise.all(names.map(async (name) => ({ name, mtimeMs: (await stat(path.join(dir, name)).catch(() => null))?.mtimeMs ?? 0 })));
  // A transcript begun while the previous process ran, newer than its own: the conversation it went on in.
  const since = previous.since ?? Number.POSITIVE_INFINITY;
  const newer = dated.filter((d) => d.mtimeMs >= since && d.name !== `${previous.id}.jsonl`).sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
  const own = dated.find((d) => d.name === `${previous.id}.jsonl`);
  const pick = newer !== undefined && (own === undefined || newer.mtimeMs > own.mtimeMs) ? newer : own;
  if (pick === undefined) return null;
  return { id: pick.name.slice(0, -'.jsonl'.length), file: path.join(dir, pick.name) };
}

/** How many of the newest day folders are searched: a conversation older than a month is not resumed. */
const CODEX_DAYS_SEARCHED = 31;

/** The newest rollout that ran in this directory; with `since`, only one written to since then (the live process's). */
async function findCodexRollout(place: ConversationPlace, since: number | null): Promise<FoundConversation | null> {
  const sessions = path.join(place.env.CODEX_HOME ?? path.join(place.home, '.codex'), 'sessions');
  const days: string[] = [];
  for (const year of await newestFirst(sessions)) {
    for (const month of await newestFirst(path.join(sessions, year))) {
      for (const day of await newestFirst(path.join(sessions, year, month))) days.push(path.join(sessions, year, month, day));
      if (days.length >= CODEX_DAYS_SEARCHED) break;
    }
    if (days.length >= CODEX_DAYS_SEARCHED) break;
  }
  for (const day of days.slice(0, CODEX_DAYS_SEARCHED)) {
    // Names carry the start time, so the newest sorts last.
    const rollouts = (await newestFirst(day)).filter((n) => n.startsWith('rollout-') && n.endsWith('.jsonl'));
    for (const name of rollouts) {
      const file = path.join(day, name);
      if (since !== null && ((await stat(file).catch(() => null))?.mtimeMs ?? 0) < since) continue;
      const meta = await sessionMeta(file);
      if (meta !== null && path.resolve(meta.cwd) === path.resolve(place.runDir)) return { id: meta.id, file };
    }
  }
  return null;
}

async function newestFirst(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort().reverse();
}

/** The `session_meta` of a rollout's first line. The line carries the agent's instructions: it can be long. */
async function sessionMeta(file: string): Promise<{ id: string; cwd: string } | null> {
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return null;
  try {
    const buffer = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    const first = JSON.parse(end === -1 ? text : text.slice(0, end)) as { type?: string; payload?: { id?: unknown; cwd?: unknown } };
    if (first.type !== 'session_meta' || typeof first.payload?.id !== 'string' || typeof first.payload.cwd !== 'string') return null;
    return { id: first.payload.id, cwd: first.payload.cwd };
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}
