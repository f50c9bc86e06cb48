/**
 * `muxctl diff <worker> [--stat] [--json]`: what landing the worker's work would bring, plus what it has
 * not committed yet, untracked files included (adapters/gitDiff.ts reads it without touching the index).
 * Read-only, so it opens no project: the config names the worktree and the base, and nothing else is
 * needed (no tmux, no state database, no `.muxctl/` made).
 */
import { worktreeDiff, type DiffOptions } from '../adapters/gitDiff.js';
import { loadConfig, locateConfig } from '../adapters/configFile.js';
import { isDirectory } from '../adapters/files.js';
import { workerPath } from '../core/config/config.js';
import { MuxctlError } from '../core/errors.js';
import { renderDiff } from '../core/views/diffView.js';
import { UnknownWorkerError } from '../control/workers.js';

export interface DiffFlags {
  stat: boolean;
  json: boolean;
  /** For tests: smaller caps than the defaults. */
  caps?: DiffOptions['caps'];
}

export async function diffCommand(configFlag: string | undefined, name: string | undefined, flags: DiffFlags, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (name === undefined) throw new MuxctlError('muxctl diff needs a worker name: muxctl diff app-1 [--stat] [--json]', 2);
  const config = await loadConfig(locateConfig(configFlag));
  if (!config.workers.some((w) => w.name === name)) {
    throw new UnknownWorkerError(`no worker named "${name}" in ${config.file} (workers: ${config.workers.map((w) => w.name).join(', ')})`);
  }
  const worktree = workerPath(config, name);
  if (!(await isDirectory(worktree))) throw new MuxctlError(`${name} has no worktree at ${worktree} yet: muxctl up ${name} makes it`, 1);
  const diff = await worktreeDiff(worktree, config.baseBranch, { patch: !flags.stat, ...(flags.caps ? { caps: flags.caps } : {}) });
  out.write(flags.json ? `${JSON.stringify({ worker: name, ...diff }, null, 2)}\n` : renderDiff({ worker: name, ...diff }, { stat: flags.stat }));
  return 0;
}
