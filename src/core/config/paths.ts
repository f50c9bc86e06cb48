/** Where a worker's files are: its worktree, and its log once the pattern's placeholders are filled in. */
import path from 'node:path';
import type { HostConfig, ProjectConfig } from './types.js';

/** The worker's worktree: `<worktreeDir>/<worker>`, on its host (that host's `worktreeDir`) when it has one. */
export function workerPath(config: ProjectConfig, worker: string): string {
  const host = hostOf(config, worker);
  return host === null ? path.join(config.worktreeDir, worker) : path.posix.join(host.worktreeDir, worker);
}

/** The host a worker runs on, or null for one that runs here. */
export function hostOf(config: ProjectConfig, worker: string): HostConfig | null {
  const name = config.workers.find((w) => w.name === worker)?.host;
  return name === undefined ? null : (config.hosts[name] ?? null);
}

/**
 * A log path as the tailer follows it: `~/` is the home directory, `{worktree}` the worker's worktree,
 * `{claudeProject}` the folder Claude Code keeps that worktree's transcripts in (its path with every
 * character other than a letter or digit turned into "-"), `{claudeConfigDir}` Claude Code's own folder
 * (`$CLAUDE_CONFIG_DIR`, else `~/.claude`), and a relative path is inside the worktree. `home` null: the
 * path is a host's, whose home only its shell knows, so a leading `~` is left for it.
 */
export function expandLogPath(pattern: string, where: { worktree: string; home: string | null; claudeConfigDir?: string | undefined }): string {
  const expanded = pattern
    .replaceAll('{claudeConfigDir}', where.claudeConfigDir ?? '~/.claude')
    .replaceAll('{worktree}', where.worktree)
    .replaceAll('{claudeProject}', where.worktree.replace(/[^A-Za-z0-9]/g, '-'))
    .replace(/^~(?=\/|$)/, where.home ?? '~');
  const underHome = where.home === null && /^~(\/|$)/.test(expanded);
  return path.isAbsolute(expanded) || underHome ? expanded : path.join(where.worktree, expanded);
}
