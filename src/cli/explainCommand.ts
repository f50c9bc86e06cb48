/**
 * `muxctl explain <worker|FILE> [--json]`: what muxctl reads from a log (core/views/explain.ts). A
 * worker's log is the one its dashboard follows: its `log.path` (the newest match of a glob), the rollout
 * found for a Codex worker, or else muxctl's own event file for it.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { currentLogFile, isFile, logLines } from '../adapters/files.js';
import { workerLogFiles } from '../adapters/runtime.js';
import { watchedWorkers } from '../control/logMonitor.js';
import { expandLogPath, type LogFormat } from '../core/config/config.js';
import { MuxctlError } from '../core/errors.js';
import { clockTime } from '../core/rules/health.js';
import { explainLog, renderExplanation } from '../core/views/explain.js';
import { openProject } from '../app/services.js';

export async function explainCommand(configFlag: string | undefined, target: string | undefined, json: boolean): Promise<number> {
  if (target === undefined) throw new MuxctlError('muxctl explain needs a worker name or a log file: muxctl explain app-1, muxctl explain ~/.codex/sessions/…/rollout-….jsonl', 2);
  const { file, format } = (await isFile(target)) ? { file: resolve(target), format: 'auto' as LogFormat } : await workerLog(configFlag, target);
  const explanation = explainLog(file, await logLines(file), format);
  process.stdout.write(json ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation, (ms) => `${new Date(ms).toISOString().slice(0, 10)} ${clockTime(ms)}`));
  return 0;
}

async function workerLog(configFlag: string | undefined, name: string): Promise<{ file: string; format: LogFormat }> {
  const ctx = await openProject(configFlag);
  try {
    ctx.workers.worker(name);
    const watched = watchedWorkers(ctx.config(), ctx.workers.records()).find((w) => w.config.name === name);
    const log = watched?.config.log;
    if (watched === undefined || log === undefined) {
      const events = workerLogFiles(ctx.runtime.dir, name).events;
      if (await isFile(events)) return { file: events, format: 'muxctl' };
      throw new MuxctlError(`${name} has no log to explain: its config names no log.path, and it wrote no muxctl events (${events})`, 1);
    }
    const claudeConfigDir = watched.config.env.CLAUDE_CONFIG_DIR ?? process.env.CLAUDE_CONFIG_DIR;
    const pattern = expandLogPath(log.path, { worktree: watched.worktree, home: homedir(), claudeConfigDir });
    const file = await currentLogFile(pattern);
    if (file === null) throw new MuxctlError(`${name}'s log ${pattern} does not exist (yet): nothing to explain`, 1);
    return { file, format: log.format };
  } finally {
    ctx.runtime.close();
  }
}
