/**
 * Adding a worker to the config file and taking one out (`muxctl worker add|remove`). Add: the entry is
 * written only if the file with it is a config `parseConfig` accepts, then the worker starts as `muxctl
 * up <name>` starts it. Remove: the removal guard (core/rules/removal.ts, the one `down --remove` uses)
 * decides first; only once the worktree is gone does the entry leave the file. A refusal changes nothing:
 * the file, the worktree, and the worker's process, which keeps running.
 *
 * Edits of the file are made one at a time (a lock in `.muxctl/locks`), each on the file as it is then:
 * two `worker add`s at once both land, and neither undoes an edit a person saved meanwhile.
 */
import type { Git } from '../adapters/git.js';
import type { RuntimeDir } from '../adapters/runtime.js';
import type { ProjectConfig } from '../core/config/config.js';
import { workerPath } from '../core/config/config.js';
import { ConfigError } from '../core/config/configError.js';
import type { EntryEdit, EntryProblem, WorkerEntry } from '../core/config/workerEdit.js';

/** The config editor checks its edit with the parser, and so loads zod: only a worker add or remove needs it. */
const editor = (): Promise<typeof import('../core/config/workerEdit.js')> => import('../core/config/workerEdit.js');
import { decideRemoval, type RemovalDecision } from '../core/rules/removal.js';
import type { ActionResult } from '../core/rules/snapshot.js';
import type { Actor } from '../core/rules/tasks.js';
import type { Recovery } from './recovery.js';
import type { Workers } from './workers.js';

export interface WorkerEntriesDeps {
  config: () => ProjectConfig;
  /** Makes the edited config the one every part reads (the worker must be known before it starts). */
  reload: (next: ProjectConfig) => void;
  workers: Workers;
  recovery: Recovery;
  git: Git;
  runtime: RuntimeDir;
  /** The file's text now; adapters/configEdit.ts. */
  readText: (file: string) => Promise<string>;
  /** Writes `change(text)` atomically (null: nothing); adapters/configEdit.ts. */
  rewrite: (file: string, change: (text: string) => string | null) => Promise<string | null>;
}

export type AddOutcome =
  | { ok: true; file: string; entry: WorkerEntry; results: ActionResult[] }
  /** Nothing was written. */
  | { ok: false; file: string; entry: WorkerEntry; problems: EntryProblem[] };

export interface RemoveOutcome {
  ok: boolean;
  file: string;
  /** What was done to the worker, in order: its stop, its worktree's removal, or the refusal. */
  results: ActionResult[];
  /** The entry left the file. */
  entryRemoved: boolean;
  /** Why it was refused: the guard's reasons, or the config's problems without the entry. */
  reasons: string[];
  /** Who refused: the removal guard (work would be lost), or the config (the file without it is not one). */
  refusedBy: 'guard' | 'config' | null;
}

const CONFIG_LOCK = 'config-file';

export class WorkerEntries {
  constructor(private readonly deps: WorkerEntriesDeps) {}

  async add(entry: WorkerEntry, actor: Actor, reason: string): Promise<AddOutcome> {
    const file = this.deps.config().file;
    const { addWorkerEntry } = await editor();
    const done = unpack(await this.edit(file, (text) => addWorkerEntry(text, file, entry)), file);
    if (!done.ok) return { ok: false, file, entry, problems: done.problems };
    if (done.config !== null) this.deps.reload(done.config);
    this.deps.runtime.record({ actor, action: 'add', worker: entry.name, reason: `${reason}: written into ${file} (${describeEntry(entry)})` });
    const results = await this.deps.recovery.bringBack([entry.name], actor, reason);
    return { ok: true, file, entry, results };
  }

  async remove(name: string, opts: { force: boolean; actor: Actor; reason: string }): Promise<RemoveOutcome> {
    this.deps.workers.worker(name); // an unknown name: UnknownWorkerError, exit 2
    const file = this.deps.config().file;
    const refused = (reasons: string[], results: ActionResult[] = [], refusedBy: 'guard' | 'config' = 'guard'): RemoveOutcome => ({ ok: false, file, results, entryRemoved: false, reasons, refusedBy });

    // The file without it must still be a config, or nothing is stopped: a project keeps one worker.
    const preview = unpack((await editor()).removeWorkerEntry(await this.deps.readText(file), file, name), file);
    if (!preview.ok) return refused(preview.problems.map((p) => `${p.field}: ${p.message}`), [], 'config');

    // The guard, before the worker is stopped: a refusal leaves it running as it was.
    const decision = await this.removal(name, opts.force);
    if (decision.action === 'refuse') {
      const why = decision.reasons.join('; ');
      this.deps.runtime.record({ actor: opts.actor, action: 'refuse', worker: name, reason: `remove refused: ${why}` });
      return refused(decision.reasons, [{ worker: name, ok: false, outcome: `not removed, still running: ${why} (use --force to remove it anyway; a backup ref is kept)` }]);
    }

    // As `down <name> --remove`: stop, then remove through the guard again (the tree may have moved on).
    const results = [await this.deps.workers.stop(name, opts.actor, opts.reason)];
    const removed = await this.deps.workers.remove(name, opts.force, opts.actor);
    results.push(removed);
    if (!removed.ok) return refused([removed.outcome], results);

    const { removeWorkerEntry } = await editor();
    const gone = unpack(await this.edit(file, (text) => removeWorkerEntry(text, file, name)), file, { missingIsDone: true });
    if (!gone.ok) {
      const why = gone.problems.map((p) => `${p.field}: ${p.message}`);
      results.push({ worker: name, ok: false, outcome: `its worktree is gone, but its entry stays in ${file}: ${why.join('; ')}` });
      return refused(why, results, 'config');
    }
    if (gone.config !== null) this.deps.reload(gone.config);
    const how = gone.config === null ? `it was no longer in ${file}` : `taken out of ${file}`;
    this.deps.runtime.record({ actor: opts.actor, action: 'remove-entry', worker: name, reason: `${opts.reason}: ${how} after its worktree was removed` });
    results.push({ worker: name, ok: true, outcome: how });
    return { ok: true, file, results, entryRemoved: gone.config !== null, reasons: [], refusedBy: null };
  }

  /** One edit of the file at a time, made on its text as it is when the lock is held; written only when good. */
  private async edit(file: string, make: (text: string) => EntryEdit): Promise<EntryEdit> {
    const made: { edit?: EntryEdit } = {};
    await this.deps.runtime.withLock(CONFIG_LOCK, () =>
      this.deps.rewrite(file, (text) => {
        const edit = make(text);
        made.edit = edit;
        return edit.ok ? edit.text : null;
      }),
    );
    if (made.edit === undefined) throw new Error('unreachable: the config file was not read');
    return made.edit;
  }

  /** What the removal guard says now, from the same facts `Workers.remove` gathers. */
  private async removal(name: string, force: boolean): Promise<RemovalDecision> {
    const config = this.deps.config();
    const worktree = workerPath(config, name);
    const listed = (await this.deps.git.listWorktrees()).some((w) => w.path === worktree);
    if (!listed) return decideRemoval({ dirty: [], ahead: 0, landed: true, exists: false }, { force });
    return decideRemoval({ ...(await this.deps.git.worktreeFacts(worktree, config.baseBranch)), exists: true }, { force });
  }
}

type Unpacked = { ok: true; config: ProjectConfig | null } | { ok: false; problems: EntryProblem[] };

/** An edit's result; a config that was already invalid is the person's to fix first (ConfigError, exit 2). */
function unpack(edit: EntryEdit, file: string, options: { missingIsDone?: boolean } = {}): Unpacked {
  if (edit.ok) return { ok: true, config: edit.config };
  switch (edit.kind) {
    case 'entry':
      return { ok: false, problems: edit.problems };
    case 'config':
      throw new ConfigError(edit.problems, `${file} has problems already; nothing was written. Fix them first:`);
    case 'missing':
      return options.missingIsDone === true ? { ok: true, config: null } : { ok: false, problems: [{ field: 'name', message: `no such worker in ${file}` }] };
  }
}

export function describeEntry(entry: WorkerEntry): string {
  const parts = [`lane ${entry.lane}`];
  if (entry.agent !== undefined) parts.push(`agent ${entry.agent}`);
  if (entry.command !== undefined) parts.push(`command ${JSON.stringify(entry.command)}`);
  return parts.join(', ');
}
