/** The headless commands: each prints what it did, one line a worker, and returns an exit code. */
import { homedir } from 'node:os';
import { attachInPty } from '../adapters/attach.js';
import { hostSocket } from '../control/fleet.js';
import { mark } from '../adapters/timeline.js';
import { LogMonitor, watchedWorkers } from '../control/logMonitor.js';
import { createRedactor } from '../core/rules/redact.js';
import type { ActionResult } from '../core/rules/snapshot.js';
import { CLI_PERSON } from '../core/rules/tasks.js';
import { MuxctlError } from '../core/errors.js';
import { statusTable } from '../core/views/statusTable.js';
import type { Services } from '../app/services.js';

export function printResults(results: readonly ActionResult[], out: NodeJS.WritableStream = process.stdout): number {
  for (const r of results) out.write(`${r.ok ? '✔' : '✖'} ${r.worker}: ${r.outcome}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

/**
 * Brings the project back (after a reboot, a killed tmux server): one line a worker, saying what it
 * resumed and from what. A second `up` changes nothing.
 */
export async function upCommand(ctx: Services, names: string[], reason: string): Promise<number> {
  const code = printResults(await ctx.recovery.bringBack(names, CLI_PERSON, reason));
  process.stdout.write(`Watch them: muxctl${configHint(ctx)} · or plainly: tmux -L ${ctx.config().tmuxSocket} attach -t =<worker>\n`);
  // A host's workers have their own tmux server there.
  const hosts = [...new Set(ctx.config().workers.flatMap((w) => (w.host === undefined ? [] : [w.host])))];
  for (const host of hosts) process.stdout.write(`  on ${host}: muxctl attach <worker> (ssh, then tmux -L ${hostSocket(ctx.config(), host)} there)\n`);
  return code;
}

export async function downCommand(ctx: Services, names: string[], opts: { remove: boolean; force: boolean; reason: string }): Promise<number> {
  const workers = ctx.workers.select(names);
  const results: ActionResult[] = [];
  for (const w of workers) {
    results.push(await ctx.workers.stop(w.name, CLI_PERSON, opts.reason));
    if (opts.remove) results.push(await ctx.workers.remove(w.name, opts.force, CLI_PERSON));
  }
  return printResults(results);
}

/**
 * A restart goes through the checkpoint guard: it says what it will do and why before doing it; a
 * reset of the worktree happens only with `--reset --confirm <worker>`, after a backup ref.
 */
export async function restartCommand(ctx: Services, name: string, opts: { reason: string; reset: boolean; confirmation: string | null }): Promise<number> {
  const outcome = await ctx.restarts.restart(name, {
    actor: CLI_PERSON,
    reason: opts.reason,
    destructive: opts.reset,
    confirmation: opts.confirmation,
  });
  const { decision } = outcome;
  const reasons = decision.reasons.map((reason) => `  · ${reason}\n`).join('');
  if (!outcome.acted && decision.action === 'reset-needs-confirmation') {
    process.stderr.write(`✖ ${name}: not reset\n${reasons}  Run again with --reset --confirm ${name}\n`);
    return 1;
  }
  process.stdout.write(`✔ ${name}: ${outcome.message} (${decision.action})\n${reasons}`);
  return 0;
}

export async function statusCommand(ctx: Services, json: boolean, redact = true): Promise<number> {
  // Read every worker's logs once, so the status says what the dashboard would: working, idle, waiting…
  const logs = new LogMonitor({ stateDir: ctx.runtime.dir, home: homedir(), env: process.env, redact: createRedactor({ enabled: redact }), ringSize: 50, hostLogs: (host) => ctx.fleet.logReader(host), onChange: () => {}, now: Date.now });
  let workers;
  try {
    const config = ctx.config();
    await logs.sync(watchedWorkers(config, ctx.workers.records()));
    mark('logs read');
    workers = await ctx.observer.observe(10, (name) => logs.state(name));
    mark('tmux observed');
  } finally {
    await logs.close();
  }
  if (json) {
    process.stdout.write(JSON.stringify({ project: ctx.config().project, socket: ctx.config().tmuxSocket, workers }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(
    statusTable(workers.map((w) => ({ name: w.name, lane: w.lane, badge: w.health.badge, evidence: w.health.evidence, worktree: w.host === undefined ? w.worktree : `${w.host}:${w.worktree}` }))) + '\n',
  );
  return 0;
}

export async function attachCommand(ctx: Services, name: string): Promise<number> {
  ctx.workers.worker(name);
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new MuxctlError(`attach needs a terminal. From a script, use: tmux -L ${ctx.config().tmuxSocket} attach -t =${name}`, 2);
  }
  if (!(await ctx.fleet.hasSession(name))) {
    throw new MuxctlError(`${name} has no tmux session: start it with \`muxctl up ${name}\`.`, 1);
  }
  await attachInPty({ ...ctx.fleet.attachCommand(name), stdin: process.stdin, stdout: process.stdout });
  return 0;
}

function configHint(ctx: Services): string {
  return process.cwd() === ctx.config().repo && ctx.config().file.endsWith('/sessions.json') ? '' : ` --config ${ctx.config().file}`;
}
