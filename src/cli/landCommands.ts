/** `muxctl land` (the merge queue, one lander at a time) and `muxctl doctor` with its safe fixes. */
import type { Services } from '../app/services.js';
import { applyFix, gatherDoctorFacts } from '../control/doctorFixes.js';
import { diagnose, type Finding } from '../core/rules/doctor.js';
import { cliActor } from './taskCommands.js';

export async function landCommand(ctx: Services, ids: string[], json: boolean): Promise<number> {
  const actor = cliActor(ctx);
  if (actor.kind === 'worker') {
    process.stderr.write(`muxctl: worker ${actor.name ?? ''} may not land tasks: that belongs to the person at the board.\n`);
    return 4;
  }
  const results = await ctx.lander.land(ids.length > 0 ? ids.map((id) => id.toUpperCase()) : undefined, actor);
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else if (results.length === 0) process.stdout.write('Nothing to land: no done task has commits the base does not.\n');
  for (const r of json ? [] : results) {
    const ok = r.outcome === 'landed' || r.outcome === 'already-landed';
    const line = `${ok ? '✔' : '✖'} ${r.task} ${r.outcome}${r.sha ? ` at ${r.sha.slice(0, 12)}` : ''}${r.branch ? ` (branch ${r.branch})` : ''}`;
    (ok ? process.stdout : process.stderr).write(`${line}\n${r.reasons.map((reason) => `  · ${reason.replace(/\n/g, '\n    ')}\n`).join('')}`);
  }
  return results.every((r) => r.outcome === 'landed' || r.outcome === 'already-landed' || r.outcome === 'skipped') ? 0 : 1;
}

export async function doctorCommand(ctx: Services, flags: { json: boolean; fix?: string | undefined }): Promise<number> {
  const actor = cliActor(ctx);
  const deps = ctx.doctor(actor);
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
