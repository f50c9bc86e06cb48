/**
 * `muxctl emit <kind> …`: what a script inside a worker tells muxctl about itself, as one line of
 * muxctl's own event format (the one the demo agent writes). Pure: the CLI appends the line.
 */

export const EMIT_KINDS = ['heartbeat', 'status', 'progress', 'checkpoint'] as const;
export type EmitKind = (typeof EMIT_KINDS)[number];

export interface EmitOptions {
  kind: string;
  /** The words after the kind: a status text, a progress note, a checkpoint note. */
  words: string[];
  sha?: string | undefined;
  step?: string | undefined;
  percent?: string | undefined;
  worker: string;
  now: number;
}

export type EmitResult = { ok: true; event: Record<string, unknown> } | { ok: false; error: string };

export const EMIT_USAGE = `usage: muxctl emit heartbeat
       muxctl emit status <text…>
       muxctl emit progress [--percent N] [--step NAME] [text…]
       muxctl emit checkpoint [--sha COMMIT] [--step NAME] [note…]`;

export function buildEmitEvent(options: EmitOptions): EmitResult {
  const kind = options.kind as EmitKind;
  if (!EMIT_KINDS.includes(kind)) return { ok: false, error: `unknown event kind "${options.kind}": expected one of ${EMIT_KINDS.join(', ')}\n${EMIT_USAGE}` };
  const text = options.words.join(' ').trim();
  const event: Record<string, unknown> = { time: new Date(options.now).toISOString(), type: kind, worker: options.worker };
  if (text) event.text = text;
  switch (kind) {
    case 'heartbeat':
      break;
    case 'status':
      if (!text) return { ok: false, error: `muxctl emit status needs a text, e.g. \`muxctl emit status running the migrations\`\n${EMIT_USAGE}` };
      break;
    case 'progress': {
      if (options.percent !== undefined) {
        const percent = Number(options.percent);
        if (!Number.isFinite(percent) || percent < 0 || percent > 100) return { ok: false, error: `--percent expects a number from 0 to 100, got "${options.percent}"` };
        event.percent = percent;
      }
      if (options.step) event.step = options.step;
      break;
    }
    case 'checkpoint':
      if (options.sha !== undefined) {
        if (!/^[0-9a-f]{7,64}$/i.test(options.sha)) return { ok: false, error: `--sha expects a commit id (7 to 64 hex digits), got "${options.sha}"` };
        event.sha = options.sha.toLowerCase();
      }
      if (options.step) event.step = options.step;
      if (event.sha === undefined && event.step === undefined && !text) return { ok: false, error: `a checkpoint needs --sha, --step or a note\n${EMIT_USAGE}` };
      break;
  }
  return { ok: true, event };
}
