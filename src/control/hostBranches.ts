/**
 * A task's branch for a worker on a host: this repository keeps the board's copy of every task branch
 * (what the lander lands, what the diffs read), the host's clone keeps the one its worker commits on.
 * Before a task starts there, the current base goes to the host's clone as `refs/muxctl/base` (its own
 * base branch may be checked out there, and is the host's business) with the task branch as this clone
 * has it; when the task is done, handed over or landed, the branch comes back by git. Work travels as
 * commits, never as copied files, and nothing is forced either way (gitHosts.ts).
 */
import type { Git } from '../adapters/git.js';
import { bringBackFromHost, sendToHost, type BroughtBack, type HostRemote } from '../adapters/gitHosts.js';
import { worktreeHolding } from '../adapters/gitLand.js';
import type { SshHost } from '../adapters/ssh.js';
import type { HostConfig, ProjectConfig } from '../core/config/config.js';
import { hostOf } from '../core/config/config.js';

/** Where a host's clone holds the base as this repository had it when the last task was sent there. */
export const HOST_BASE_REF = 'refs/muxctl/base';

export interface HostBranchesDeps {
  config: () => ProjectConfig;
  /** This repository. */
  git: Git;
  /** The connection to a host (the fleet's). */
  ssh: (host: HostConfig) => SshHost;
}

export class HostBranches {
  constructor(private readonly deps: HostBranchesDeps) {}

  /** The host `worker` runs on, or null for a worker here. */
  private hostOf(worker: string): HostConfig | null {
    return hostOf(this.deps.config(), worker);
  }

  /** What a new task branch starts from in `worker`'s clone: the base here, the base as sent on a host. */
  baseFor(worker: string): string {
    return this.hostOf(worker) === null ? this.deps.config().baseBranch : HOST_BASE_REF;
  }

  /**
   * Before `worker` on its host starts on `branch`: what its clone has of the branch is taken in here
   * first (a WIP left there), then the current base and the branch as this clone has it go there.
   * Says what the taking in did, as bringBack does.
   */
  async send(worker: string, branch: string): Promise<string | null> {
    const host = this.hostOf(worker);
    if (host === null) return null;
    const brought = await this.bringBack(worker, branch);
    const { baseBranch } = this.deps.config();
    const refspecs = [`+refs/heads/${baseBranch}:${HOST_BASE_REF}`];
    if ((await this.deps.git.resolveCommit(`refs/heads/${branch}`)) !== null) refspecs.push(`refs/heads/${branch}:refs/heads/${branch}`);
    await sendToHost(this.deps.git, await this.remote(host), refspecs);
    return brought;
  }

  /**
   * `branch` as `worker`'s host clone has it, taken into this repository. Says what that did, for the
   * record; null when there is nothing to say (the worker is here, or the copies already agree).
   */
  async bringBack(worker: string, branch: string): Promise<string | null> {
    const host = this.hostOf(worker);
    if (host === null) return null;
    const { git } = this.deps;
    const brought = await bringBackFromHost(git, await this.remote(host), branch, (name) => worktreeHolding(git.path, name), `${worker}-before-${host.name}`);
    return describeBroughtBack(branch, host.name, brought);
  }

  private async remote(host: HostConfig): Promise<HostRemote> {
    return { host: host.name, ...(await this.deps.ssh(host).gitRemote(host.repo)) };
  }
}

/** What a bring-back did, for the record: said only when it did more than find the same commit. */
function describeBroughtBack(branch: string, host: string, brought: BroughtBack): string | null {
  if (brought.state === 'absent' || brought.state === 'same' || brought.state === 'ahead-here') return null;
  if (brought.state === 'replaced') return `${branch} taken from ${host} (${brought.sha.slice(0, 7)}); the copy here went apart from it and is kept at ${brought.backup}`;
  return `${branch} taken from ${host} at ${brought.sha.slice(0, 7)}`;
}
