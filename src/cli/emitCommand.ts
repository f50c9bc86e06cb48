/** `muxctl emit`: run inside a worker, appends one event to the worker's event log that muxctl tails. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TaskStore } from '../adapters/taskStore.js';
import { buildEmitEvent } from '../core/parsers/emit.js';
import { redact } from '../core/rules/redact.js';
import { MuxctlError } from '../core/errors.js';

export function emitCommand(kind: string | undefined, words: string[], flags: { sha?: string | undefined; step?: string | undefined; percent?: string | undefined }, env = process.env): number {
  const worker = env.MUXCTL_WORKER;
  const file = env.MUXCTL_AGENT_LOG;
  if (!worker || !file) {
    throw new MuxctlError('muxctl emit runs inside a worker: MUXCTL_WORKER and MUXCTL_AGENT_LOG are set there by muxctl, and are not set here.', 2);
  }
  // What muxctl writes is masked like what it shows: a status line is no place for a token.
  const result = buildEmitEvent({ kind: kind ?? '', words: words.map(redact), ...flags, worker, now: Date.now() });
  if (!result.ok) throw new MuxctlError(result.error, 2);
  mkdirSync(dirname(file), { recursive: true });
  // One short appended line is atomic against the agent's own appends to the same file.
  appendFileSync(file, JSON.stringify(result.event) + '\n');
  if (kind === 'checkpoint') recordTaskCheckpoint(worker, result.event, env);
  return 0;
}

/**
 * A checkpoint is also the task's, when the worker holds one: a restart or the next worker then
 * resumes from it. The event log already has it; a board that cannot be written is said, not fatal.
 */
function recordTaskCheckpoint(worker: string, event: { sha?: string; step?: string; text?: string }, env: NodeJS.ProcessEnv): void {
  const stateDir = env.MUXCTL_STATE_DIR;
  if (!stateDir) return;
  let store: TaskStore | null = null;
  try {
    store = TaskStore.open(join(stateDir, 'state.db'));
    const task = store.heldBy(worker);
    if (task === null) return;
    const command = {
      type: 'checkpoint' as const,
      worker,
      ...(event.sha === undefined ? {} : { sha: event.sha }),
      ...(event.step === undefined ? {} : { step: event.step }),
      ...(event.text === undefined || event.text === '' ? {} : { note: event.text }),
    };
    const result = store.apply(task.id, command, { kind: 'worker', name: worker });
    if (!result.ok) process.stderr.write(`muxctl emit: the checkpoint is in the log, not on ${task.id}: ${result.error}\n`);
  } catch (error) {
    process.stderr.write(`muxctl emit: the checkpoint is in the log, not on the board: ${(error as Error).message}\n`);
  } finally {
    store?.close();
  }
}
