/**
 * Names muxctl derives from the config: tmux session targets, sockets, branches and shell command lines.
 * Pure string work, kept in one place so that every adapter quotes and targets the same way.
 */

/**
 * A worker name becomes a tmux session name, a git branch part and a directory name. tmux reserves `.`
 * and `:` in targets (`session:window.pane`), so we allow a conservative set that is safe in all three.
 */
export const WORKER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

export function isValidWorkerName(name: string): boolean {
  return WORKER_NAME_PATTERN.test(name);
}

const SOCKET_SLUG_MAX = 40;

/**
 * The private tmux server for a project: `tmux -L muxctl-<slug>`. Two projects must not share a server
 * (their worker names would collide), so a project name with no usable characters falls back to a hash
 * of the name rather than a shared constant.
 */
export function defaultSocketName(project: string): string {
  const slug = project
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SOCKET_SLUG_MAX)
    .replace(/-+$/, '');
  return `muxctl-${slug === '' ? `p${fnv1a(project)}` : slug}`;
}

/** 32-bit FNV-1a as 8 hex digits: deterministic, dependency-free, good enough to keep names apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const char of text) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** The branch a worker's worktree is checked out on. */
export function workerBranch(worker: string): string {
  return `muxctl/${worker}`;
}

/**
 * A tmux target that matches exactly one session, for session commands (`has-session`, `kill-session`,
 * `attach`). A bare `-t w1` is a prefix match: it finds `w10` when `w1` does not exist.
 */
export function exactTarget(session: string): string {
  return `=${session}`;
}

/**
 * The same exact match for pane commands (`send-keys`, `capture-pane`, `display-message`). tmux 3.3a
 * rejects `-t =w1` there ("can't find pane: =w1") — and `display-message -p -t =w1` even exits 0 with
 * empty output — so the target must name the session part explicitly: `=w1:` (its active pane).
 */
export function exactPaneTarget(session: string): string {
  return `=${session}:`;
}

/** POSIX single-quoting: everything is literal inside '…'; a ' is written as '\'' (close, escaped, reopen). */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The line a worker's argv is run with: `exec 'a' 'b'` under `sh -c`. Going through sh means a missing
 * command exits 127 with sh's own "not found" message (visible in the pane); `exec` means the agent
 * replaces the shell, so signals and the exit status reach tmux unchanged.
 */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shellCommand: argv must name a command (got an empty array)');
  return `exec ${argv.map(shellQuote).join(' ')}`;
}

const TASK_SLUG_MAX = 32;

/**
 * The branch a task's work lives on: `task/T12-fix-the-login-form`. Kept apart from the workers'
 * `muxctl/<worker>` branches so a task branch can move from one worker to another.
 */
export function taskBranchName(id: string, title: string): string {
  const slug = title
    .toLowerCase()
    // é → e: decompose, then drop the accents rather than turning each into a dash.
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, TASK_SLUG_MAX)
    .replace(/-+$/, '');
  return slug === '' ? `task/${id}` : `task/${id}-${slug}`;
}
