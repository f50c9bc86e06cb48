/**
 * The task inbox on disk (issue 4): every `*.md` file dropped into `.muxctl/inbox/` becomes a task and
 * moves to `processed/`, or moves to `rejected/` with a `.reason.txt` beside it. Several muxctl processes
 * may sweep the same inbox at once, so each file is first claimed by an atomic rename: whoever loses the
 * rename skips it, and a file becomes at most one task.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, parse } from 'node:path';
import type { InboxTask } from '../core/parsers/inbox.js';

export type InboxResult = { file: string; ok: true; taskId: string } | { file: string; ok: false; reason: string };

/** Makes the task; `file` is the inbox file's name, for the event's reasons. */
export type AddInboxTask = (task: InboxTask, file: string) => { id: string };

export const PROCESSED_DIR = 'processed';
export const REJECTED_DIR = 'rejected';
const CLAIM_PREFIX = '.claimed-';

export function inboxDir(stateDir: string): string {
  return join(stateDir, 'inbox');
}

/**
 * One sweep of the inbox, in file-name order. A file whose `add` throws goes back to the inbox for the
 * next sweep. A file claimed by a process that died stays as `.claimed-<pid>-<name>`: putting it back
 * could make a second task if the first `add` had already happened, so a person decides.
 */
export async function processInbox(dir: string, lanes: readonly string[], add: AddInboxTask): Promise<InboxResult[]> {
  const results: InboxResult[] = [];
  const names = inboxFiles(dir);
  if (names.length === 0) return results;
  // The YAML parser (a quarter of a CLI command's code) is loaded only when there is a file to read.
  const { parseInboxFile } = await import('../core/parsers/inbox.js');
  for (const name of names) {
    const claimed = claim(dir, name);
    if (claimed !== null) results.push(processClaimed(dir, name, claimed, lanes, add, parseInboxFile));
  }
  return results;
}

/** Markdown files directly in the inbox; dotfiles (our claims) and half-written `.tmp`/`.part` files are not. */
function inboxFiles(dir: string): string[] {
  // Asked every second and usually absent: a stat that says so costs far less than the error a readdir throws.
  if (statSync(dir, { throwIfNoEntry: false }) === undefined) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && entry.name.toLowerCase().endsWith('.md'))
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The claimed path, or null when another process renamed the file first. */
function claim(dir: string, name: string): string | null {
  const claimed = join(dir, `${CLAIM_PREFIX}${process.pid}-${name}`);
  try {
    renameSync(join(dir, name), claimed);
    return claimed;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

type ParseInboxFile = (typeof import('../core/parsers/inbox.js'))['parseInboxFile'];

function processClaimed(dir: string, name: string, claimed: string, lanes: readonly string[], add: AddInboxTask, parseInboxFile: ParseInboxFile): InboxResult {
  const parsed = parseInboxFile(readFileSync(claimed, 'utf8'), name, lanes);
  if (!parsed.ok) {
    const rejected = moveWithoutOverwrite(claimed, join(dir, REJECTED_DIR), name, (candidate) => !existsSync(reasonPath(candidate)));
    writeFileSync(reasonPath(rejected), `${parsed.reason}\n`);
    return { file: name, ok: false, reason: parsed.reason };
  }
  let id: string;
  try {
    id = add(parsed.task, name).id;
  } catch (error) {
    moveWithoutOverwrite(claimed, dir, name);
    const message = error instanceof Error ? error.message : String(error);
    return { file: name, ok: false, reason: `${name}: could not add the task, left in the inbox to try again: ${message}` };
  }
  moveWithoutOverwrite(claimed, join(dir, PROCESSED_DIR), name);
  return { file: name, ok: true, taskId: id };
}

/**
 * Moves `from` to `toDir/name`, or `name.1.md`, `name.2.md`… when that is taken. A hard link fails
 * atomically if the name exists, where rename would silently replace it (another sweep may be moving a
 * same-named file at the same moment); file systems without hard links get a checked rename instead.
 * `companionFree` lets the rejected folder skip a name whose reason file is still there.
 */
function moveWithoutOverwrite(from: string, toDir: string, name: string, companionFree: (candidate: string) => boolean = () => true): string {
  mkdirSync(toDir, { recursive: true });
  const { name: stem, ext } = parse(name);
  for (let suffix = 0; ; suffix++) {
    const candidate = join(toDir, suffix === 0 ? name : `${stem}.${suffix}${ext}`);
    if (companionFree(candidate) && placeAt(from, candidate)) return candidate;
  }
}

/** True when `from` now lives at `to`; false when `to` was taken. */
function placeAt(from: string, to: string): boolean {
  try {
    linkSync(from, to);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
    if (existsSync(to)) return false;
    renameSync(from, to);
    return true;
  }
  unlinkSync(from);
  return true;
}

function reasonPath(rejectedFile: string): string {
  return `${rejectedFile}.reason.txt`;
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
