/** `muxctl emit`: run inside a worker, appends one event to the worker's event log that muxctl tails. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildEmitEvent } from '../core/emit.js';
import { redact } from '../core/redact.js';
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
  return 0;
}
