/**
 * `muxctl land` and `muxctl doctor` (issue 5), and the parts the dashboard shares with them: the
 * lander (one at a time, through a lock in the database) and the doctor with its safe fixes.
 */
import { join } from 'node:path';
import { runCheck } from '../adapters/check.js';
import { applyFix, gatherDoctorFacts, type DoctorDeps } from '../control/doctor.js';
import { Lander, type LandResult } from '../control/lander.js';
import type { TaskControl } from '../control/taskControl.js';
import type { ProjectConfig } from '../core/config.js';
import { diagnose, type Finding } from '../core/doctor.js';
import type { Actor, Task } from '../core/tasks.js';
import type { Context } from './context.js';
import { cliActor, taskControl } from './tasks.js';

/** Beside the workers' worktrees; a worker name never starts with "_", so it can never clash. */
export function integrationPath(config: ProjectConfig): string {
  return join(config.worktreeDir, '_land');
}

export function createLander(ctx: Context, control: TaskControl): Lander {
  return new Lander({
    config: () => ctx.supervisor.project,
    store: control.store,
    git: ctx.git,
    runCheck: (command, cwd) => runCheck(command, cwd),
    now: Date.now,
    integrationPath: integrationPath(ctx.supervisor.project),
    // A bounced task goes back to its worker in resume mode, told what to fix.
    sendBack: async (task: Task) => {
      const worker = ctx.supervisor.project.workers.find((w) => w.name === task.assignee);
      if (worker === undefined) return { ok: false, message: `${task.assignee ?? 'its worker'} is gone` };
      const outcome = await control.checkoutAndDeliver(task, worker, { kind: 'dispatcher' });
      return { ok: outcome.ok, message: outcome.message };
    },
  });
}

export function doctorDeps(ctx: Context, control: TaskControl, lander: Lander, actor: Actor): DoctorDeps {
  return {
    config: ctx.supervisor.project,
    store: control.store,
    git: ctx.git,
    tmux: ctx.tmux,
    supervisor: ctx.supervisor,
    actor,
    integrationPath: integrationPath(ctx.supervisor.project),
    land: async (taskId) => describeLanding(await lander.land([taskId], actor)),
  };
}

export function describeLanding(results: readonly LandResult[]): string {
  if (results.length === 0) return 'nothing to land';
  return results.map((r) => `${r.task} ${r.outcome}${r.sha ? ` at ${r.sha.slice(0, 7)}` : ''}${r.reasons.length > 0 ? `: ${r.reasons[0] ?? ''}` : ''}`).join(' · ');
}

export async function landCommand(ctx: Context, ids: string[], json: boolean): Promise<number> {
  const actor = cliActor(ctx);
  if (actor.kind === 'worker') {
    process.stderr.write(`muxctl: worker ${actor.name ?? ''} may not land tasks: that belongs to the person at the board.\n`);
    return 4;
  }
  const control = taskControl(ctx);
  const results = await createLander(ctx, control).land(ids.length > 0 ? ids.map((id) => id.toUpperCase()) : undefined, actor);
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else if (results.length === 0) process.stdout.write('Nothing to land: no done task has commits the base does not.\n');
  for (const r of json ? [] : results) {
    const ok = r.outcome === 'landed' || r.outcome === 'already-landed';
    const line = `${ok ? '✔' : '✖'} ${r.task} ${r.outcome}${r.sha ? ` at ${r.sha.slice(0, 12)}` : ''}${r.branch ? ` (branch ${r.branch})` : ''}`;
    (ok ? process.stdout : process.stderr).write(`${line}\n${r.reasons.map((reason) => `  · ${reason.replace(/\n/g, '\n    ')}\n`).join('')}`);
  }
  return results.every((r) => r.outcome === 'landed' || r.outcome === 'already-landed' || r.outcome === 'skipped') ? 0 : 1;
}

export async function doctorCommand(ctx: Context, flags: { json: boolean; fix?: string | undefined }): Promise<number> {
  const actor = cliActor(ctx);
  const control = taskControl(ctx);
  const deps = doctorDeps(ctx, control, createLander(ctx, control), actor);
  const findings = diagnose(await gatherDoctorFacts(deps));
  if (flags.fix !== undefined) {
    const finding = findings[Number(flags.fix) - 1];
    if (finding === undefined || !/^\d+$/.test(flags.fix)) {
      process.stderr.write(`muxctl: --fix expects a finding's number, 1–${findings.length}; got ${JSON.stringify(flags.fix)}. Run muxctl doctor to list them.\n`);
      return 2;
    }
    if (finding.fix === null) {
      process.stderr.write(`muxctl: finding ${flags.fix} has no safe fix: ${finding.text}\n`);
      return 1;
    }
    process.stdout.write(`✔ ${await applyFix(finding, deps)}\n`);
    return 0;
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(findings)}\n`);
    return findings.length === 0 ? 0 : 1;
  }
  process.stdout.write(findings.length === 0 ? 'No drift: the board and the world agree.\n' : `${formatFindings(findings)}\n`);
  return findings.length === 0 ? 0 : 1;
}

export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map((f, i) => `${String(i + 1).padStart(2)}. ${f.text}${f.fix ? `\n    fix: ${f.fix.label}  (muxctl doctor --fix ${i + 1})` : '\n    no safe fix: a person decides'}`)
    .join('\n');
}
