/**
 * `muxctl answer <worker> <key> [--json]`: answers a waiting worker's question from a script or another
 * terminal, with the dashboard's check: the question is read off the worker's screen, then the screen is
 * read again right before sending, and a question that changed in between gets nothing. Prints what
 * was sent and the question. Exit 1 when the worker asks nothing or the question changed, 2 for a key
 * that is not one of its choices.
 */
import type { Services } from '../app/services.js';
import { choicesText, type Question } from '../core/rules/answers.js';
import { MuxctlError } from '../core/errors.js';
import { CLI_PERSON } from '../core/rules/tasks.js';

export async function answerCommand(ctx: Services, rest: readonly string[], json: boolean, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [name, key, ...extra] = rest;
  if (name === undefined || key === undefined || extra.length > 0) {
    throw new MuxctlError('muxctl answer takes a worker and the key of a choice: muxctl answer app-1 y (or 1, or enter)', 2);
  }
  ctx.workers.worker(name);
  const asked = await ctx.answering.read(name);
  if (asked === null) return refuse(out, json, { worker: name, key, question: null, message: `${name}: the worker is not asking anything: nothing sent`, exitCode: 1 });
  const outcome = await ctx.answering.answer(name, key, { actor: CLI_PERSON, asked });
  if (!outcome.ok) {
    return refuse(out, json, { worker: name, key, question: outcome.question ?? asked, message: outcome.message, exitCode: outcome.why === 'not-a-choice' ? 2 : 1 });
  }
  if (json) {
    out.write(`${JSON.stringify({ worker: name, ok: true, key: outcome.key, sent: outcome.sent, choice: outcome.choice.label, ...outcome.question }, null, 2)}\n`);
  } else {
    out.write(`${name} asked: ${outcome.question.question}\nsent: ${outcome.sent.join(' ')} (${outcome.choice.label})\n`);
  }
  return 0;
}

function refuse(out: NodeJS.WritableStream, json: boolean, r: { worker: string; key: string; question: Question | null; message: string; exitCode: number }): number {
  if (json) {
    out.write(`${JSON.stringify({ worker: r.worker, ok: false, key: r.key, reason: r.message, ...(r.question ?? {}) }, null, 2)}\n`);
    return r.exitCode;
  }
  const asks = r.question === null ? '' : `\n${r.worker} asks: ${r.question.question}\nchoices: ${choicesText(r.question)}`;
  throw new MuxctlError(`${r.message}${asks}`, r.exitCode);
}
