/**
 * Preparing a worktree before its worker first starts: the main checkout's untracked and ignored files
 * named by `worktree.copy` or `.worktreeinclude` copied in, then `worktree.setup` run in it once. What it
 * does is written to the worker's event log as it happens (its panel and `l` show it) and recorded on the
 * board; a setup that fails keeps the worker from starting, and runs again at the next start.
 *
 * How far preparation got is kept in a marker in the worktree's own git directory
 * (`.git/worktrees/<name>/muxctl-prepared.json`): it lives exactly as long as the worktree, so a worktree
 * removed and made again is prepared again, and nothing in `.muxctl/` has to be kept in step with git.
 */
import { isAbsolute, join, relative } from 'node:path';
import type { Git } from '../adapters/git.js';
import type { RuntimeDir } from '../adapters/runtime.js';
import { workerLogFiles } from '../adapters/runtime.js';
import { HERE, type CopyReport, type PrepPlace } from '../adapters/worktreePrep.js';
import type { ProjectConfig, WorkerConfig } from '../core/config/config.js';
import { parseIncludeFile } from '../core/config/includeGlob.js';
import { redact } from '../core/rules/redact.js';
import type { Actor } from '../core/rules/tasks.js';
import { durationText, filesToCopy, preparationDue, preparedSummary, setupFailure, setupSucceeded } from '../core/rules/worktreePrep.js';

export interface WorktreePrepDeps {
  config: () => ProjectConfig;
  git: Git;
  runtime: RuntimeDir;
  now: () => number;
}

export type Prepared = { ok: true } | { ok: false; outcome: string };

export interface PrepareRequest {
  worker: WorkerConfig;
  worktree: string;
  /** What ensureWorktree did: only a worktree muxctl just created is prepared for the first time. */
  made: 'created' | 'reused';
  /** The worker's environment (MUXCTL_PORT and the rest, without a task's): the setup runs with it. */
  env: Record<string, string>;
  /** Whether the worker's process runs now: a running worker's worktree is never prepared under it. */
  running: () => Promise<boolean>;
  actor: Actor;
  /** Where the worktree is, when not here: a host's files, its clone, its state directory and worktree directory. */
  on?: PrepSite;
}

/** The files, the clone and the directories a preparation works with. */
export interface PrepSite {
  place: PrepPlace;
  git: Git;
  /** Where the worker's event log lives (its `logs/`). */
  stateDir: string;
  /** Never copied from: muxctl's records and the worktrees kept inside the repository. */
  exclude: readonly string[];
}

export const INCLUDE_FILE = '.worktreeinclude';

export class WorktreePrep {
  constructor(private readonly deps: WorktreePrepDeps) {}

  async prepare(request: PrepareRequest): Promise<Prepared> {
    const { runtime } = this.deps;
    const { worker, worktree } = request;
    const config = this.deps.config();
    const site = request.on ?? { place: HERE, git: this.deps.git, stateDir: runtime.dir, exclude: [runtime.dir, config.worktreeDir] };
    const { place, git } = site;
    const { setup, setupTimeoutSeconds } = config.worktree;
    // Nothing to prepare (no copy globs, no setup, no .worktreeinclude): not one git call more per start.
    if (config.worktree.copy.length === 0 && setup === null && !(await place.isFile(join(git.path, INCLUDE_FILE)))) return { ok: true };
    const gitDir = await git.worktreeGitDir(worktree);
    const marker = await place.readMarker(gitDir);
    if (!preparationDue(request.made === 'created', marker)) return { ok: true };
    if (request.made === 'reused' && (await request.running())) return { ok: true };
    await place.writeMarker(gitDir, { state: 'pending', at: this.deps.now(), setup });
    const log = place.eventLog(workerLogFiles(site.stateDir, worker.name).events);
    const say = (type: 'status' | 'error', text: string): void => log.write({ time: new Date(this.deps.now()).toISOString(), type, worker: worker.name, text: redact(text) });

    const copied = await this.copyFiles(site, worktree, config, say);
    let ran: { command: string; ms: number } | null = null;
    if (setup !== null) {
      say('status', `setup: running \`${setup}\` in ${worktree}${place.where} (times out after ${setupTimeoutSeconds} s)`);
      const run = await place.runSetup(setup, { cwd: worktree, env: request.env, timeoutMs: setupTimeoutSeconds * 1000, onLine: (line) => say('status', `setup: ${line}`) });
      if (!setupSucceeded(run)) {
        const failure = setupFailure(setup, { ...run, tail: run.tail.map(redact) }, setupTimeoutSeconds);
        say('error', failure.reason);
        await place.writeMarker(gitDir, { state: 'failed', at: this.deps.now(), setup, reason: failure.reason });
        await log.flush();
        runtime.record({ actor: request.actor, action: 'setup-failed', worker: worker.name, reason: failure.reason });
        return { ok: false, outcome: failure.outcome };
      }
      say('status', `setup: \`${setup}\` finished in ${durationText(run.ms)}`);
      ran = { command: setup, ms: run.ms };
    }
    await place.writeMarker(gitDir, { state: 'done', at: this.deps.now(), setup });
    await log.flush();
    if (ran !== null || (copied !== null && copied.copied.length + copied.kept.length + copied.skipped.length > 0)) {
      const summary = preparedSummary(copied?.copied ?? [], copied?.kept ?? [], (copied?.skipped ?? []).map((s) => `${s.path} (${s.why})`), ran);
      runtime.record({ actor: request.actor, action: 'prepare', worker: worker.name, reason: summary });
    }
    return { ok: true };
  }

  /** The files `worktree.copy` and `.worktreeinclude` name, copied from the main checkout; null when neither names any. */
  private async copyFiles(site: PrepSite, worktree: string, config: ProjectConfig, say: (type: 'status', text: string) => void): Promise<CopyReport | null> {
    const { place, git } = site;
    const root = await git.repoRoot();
    const includeText = await place.readText(join(root, INCLUDE_FILE));
    const include = includeText === null ? [] : parseIncludeFile(includeText);
    if (config.worktree.copy.length === 0 && include.length === 0) return null;
    // Never from muxctl's own records, nor from worktrees kept inside the repository.
    const exclude = site.exclude.map((dir) => relative(root, dir)).filter((dir) => dir !== '' && !dir.startsWith('..') && !isAbsolute(dir));
    const files = filesToCopy({ candidates: await git.untrackedFiles(root), copy: config.worktree.copy, include, exclude });
    const report = await place.copy(root, worktree, files);
    if (report.copied.length > 0) say('status', `worktree: copied ${report.copied.join(', ')} from ${root}${place.where}`);
    if (report.kept.length > 0) say('status', `worktree: ${report.kept.join(', ')} already there (not overwritten)`);
    for (const skipped of report.skipped) say('status', `worktree: did not copy ${skipped.path}: ${skipped.why}`);
    if (files.length === 0) say('status', `worktree: nothing to copy (worktree.copy and ${INCLUDE_FILE} name no untracked file of ${root})`);
    return report;
  }
}
