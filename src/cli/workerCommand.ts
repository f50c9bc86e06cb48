/**
 * `muxctl worker add NAME --lane L (--agent A | --command C) [--base B] [--json]` and `muxctl worker
 * remove NAME [--force] [--json]`: a worker written into sessions.json (its comments and layout kept)
 * and started, or removed through `down --remove`'s guard and then taken out of it. A bad entry is named
 * by its flag and nothing is written (exit 2); a refused removal changes nothing (exit 1).
 *
 * `--base`: a worker has no base branch of its own (WorkerConfig has none; every worktree starts from
 * the project's `baseBranch`, and the lander lands on it). The flag is accepted when it names that
 * branch, so a form can always send it, and refused with that reason otherwise.
 */
import { openProject, type Services } from '../app/services.js';
import { AGENT_NAMES } from '../core/rules/agents.js';
import { MuxctlError } from '../core/errors.js';
import type { EntryProblem, WorkerEntry } from '../core/config/workerEdit.js';
import { describeEntry, type AddOutcome, type RemoveOutcome } from '../control/workerEntries.js';
import { printResults } from './commands.js';
import { cliActor, OUT_OF_SCOPE } from './taskCommands.js';

export interface WorkerFlags {
  lane?: string | undefined;
  agent?: string | undefined;
  command?: string | undefined;
  base?: string | undefined;
  reason?: string | undefined;
  force: boolean;
  json: boolean;
}

/** Which flag or argument gives each field of the entry: what a problem is named by. */
const FLAG_OF: Record<string, string> = { name: 'NAME', lane: '--lane', agent: '--agent', command: '--command' };
const USAGE = 'muxctl worker add NAME --lane L (--agent A | --command C) [--base B] [--json] · muxctl worker remove NAME [--force] [--json]';

class WorkerUsageError extends MuxctlError {
  constructor(message: string) {
    super(`${message}\nUsage: ${USAGE}`, 2);
  }
}

export async function workerCommand(configFlag: string | undefined, args: readonly string[], flags: WorkerFlags, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [sub, name, ...extra] = args;
  if (sub !== 'add' && sub !== 'remove') throw new WorkerUsageError(sub === undefined ? 'muxctl worker needs add or remove.' : `Unknown worker subcommand "${sub}".`);
  if (name === undefined || extra.length > 0) throw new WorkerUsageError(`muxctl worker ${sub} takes exactly one worker name.`);
  if (sub === 'add') {
    const entry = entryFrom(name, flags);
    const ctx = await openProject(configFlag);
    inScope(ctx, sub);
    checkBase(ctx, flags.base);
    return printAdd(await ctx.entries.add(entry, cliActor(ctx), flags.reason ?? 'added from the command line'), flags.json, out);
  }
  const stray = (['lane', 'agent', 'command', 'base'] as const).filter((flag) => flags[flag] !== undefined);
  if (stray.length > 0) throw new WorkerUsageError(`${stray.map((flag) => `--${flag}`).join(', ')} only go${stray.length === 1 ? 'es' : ''} with worker add.`);
  const ctx = await openProject(configFlag);
  inScope(ctx, sub);
  const outcome = await ctx.entries.remove(name, { force: flags.force, actor: cliActor(ctx), reason: flags.reason ?? 'removed from the command line' });
  return printRemove(name, outcome, flags.json, out);
}

/** The entry as the flags give it; the config parser judges the values, this only the combination. */
function entryFrom(name: string, flags: WorkerFlags): WorkerEntry {
  if (flags.force) throw new WorkerUsageError('--force goes with worker remove, not add.');
  if (flags.lane === undefined) throw new WorkerUsageError(`worker add ${name}: --lane is missing: which lane the worker serves (a key of "lanes").`);
  const agents = AGENT_NAMES.join(', ');
  if (flags.agent !== undefined && flags.command !== undefined) {
    throw new WorkerUsageError(`worker add ${name}: --agent and --command both given; expected one: --agent (${agents}) runs the preset's program, --command runs a command of your own.`);
  }
  if (flags.agent === undefined && flags.command === undefined) throw new WorkerUsageError(`worker add ${name}: expected --agent (${agents}) or --command "…": what the worker runs.`);
  return { name, lane: flags.lane, ...(flags.agent !== undefined ? { agent: flags.agent } : {}), ...(flags.command !== undefined ? { command: flags.command } : {}) };
}

/** Workers do not add or remove workers: that is the person's (as `task add` is). */
function inScope(ctx: Services, sub: string): void {
  const actor = cliActor(ctx);
  if (actor.kind === 'worker') throw new MuxctlError(`worker ${actor.name} may not run \`worker ${sub}\`: adding and removing workers belongs to the person at the board.`, OUT_OF_SCOPE);
}

function checkBase(ctx: Services, base: string | undefined): void {
  const config = ctx.config();
  if (base === undefined || base === config.baseBranch) return;
  throw new MuxctlError(
    `--base ${base}: a worker has no base branch of its own; every worker starts from baseBranch "${config.baseBranch}" of ${config.file}. ` +
      `Leave --base out (or give --base ${config.baseBranch}), or change baseBranch for the whole project. Nothing was written.`,
    2,
  );
}

function printAdd(outcome: AddOutcome, json: boolean, out: NodeJS.WritableStream): number {
  if (!outcome.ok) {
    if (json) {
      out.write(`${JSON.stringify({ ok: false, action: 'add', worker: outcome.entry.name, file: outcome.file, written: false, problems: outcome.problems }, null, 2)}\n`);
      return 2;
    }
    throw new MuxctlError(`worker add ${outcome.entry.name}: nothing was written to ${outcome.file}:\n${outcome.problems.map(problemLine).join('\n')}`, 2);
  }
  const started = outcome.results.every((r) => r.ok);
  if (json) {
    out.write(`${JSON.stringify({ ok: started, action: 'add', worker: outcome.entry.name, file: outcome.file, written: true, entry: outcome.entry, results: outcome.results }, null, 2)}\n`);
    return started ? 0 : 1;
  }
  out.write(`✔ ${outcome.entry.name}: added to ${outcome.file} (${describeEntry(outcome.entry)})\n`);
  return printResults(outcome.results, out);
}

function printRemove(name: string, outcome: RemoveOutcome, json: boolean, out: NodeJS.WritableStream): number {
  const code = outcome.ok ? 0 : outcome.refusedBy === 'config' ? 2 : 1;
  if (json) {
    const { ok, file, entryRemoved, results, reasons, refusedBy } = outcome;
    out.write(`${JSON.stringify({ ok, action: 'remove', worker: name, file, entryRemoved, refusedBy, reasons, results }, null, 2)}\n`);
    return code;
  }
  if (outcome.results.length === 0) {
    throw new MuxctlError(`worker remove ${name}: refused, nothing changed: without it ${outcome.file} would not be a valid config:\n${outcome.reasons.map((r) => `  ${r}`).join('\n')}`, code);
  }
  printResults(outcome.results, out);
  if (!outcome.entryRemoved && !outcome.ok) out.write(`  ${outcome.file} is unchanged\n`);
  return code;
}

function problemLine(problem: EntryProblem): string {
  const flag = FLAG_OF[problem.field];
  return `  ${problem.field}${flag === undefined ? '' : ` (${flag})`}: ${problem.message}`;
}
