/** Where a worker's files are: its worktree, and its log once the pattern's placeholders are filled in. */
import path from 'node:path';
import type { ProjectConfig } from './types.js';

/** The worker's worktree: `<worktreeDir>/<worker>`. */
export function workerPath(config: ProjectConfig, worker: string): string {
  return path.join(config.worktreeDir, worker);
}

/**
 * A log path as the tailer follows it: `~/` is the home directory, `{worktree}` the worker's worktree,
 * `{claudeProject}` the folder Claude Code keeps that worktree's transcripts in (its path with every
 * character other than a letter or digit turned into "-"), `{claudeConfigDir}` Claude Code's own folder
 * (`$CLAUDE_CONFIG_DIR`, else `~/.claude`), and a relative path is inside the worktree.
 */
export function expandLogPath(pattern: string, where: { worktree: string; home: string; claudeConfigDir?: string | undefined }): string {
  const expanded = pattern
    .replaceAll('{claudeConfigDir}', where.claudeConfigDir ?? '~/.claude')
    .replaceAll('{worktree}', where.worktree)
    .replaceAll('{claudeProject}', where.worktree.replace(/[^A-Za-z0-9]/g, '-'))
    .replace(/^~(?=\/|$)/, where.home);
  return path.isAbsolute(expanded) ? expanded : path.join(where.worktree, expanded);
}
