/**
 * The board's side of a host worker's own `muxctl task …` and `muxctl emit …` (adapters/hostShim.ts):
 * the dashboard follows each host worker's requests file over the host's connection, and runs each new
 * request here, as that worker, with this machine's muxctl — the same command, the same refusals, the
 * same record as a worker here gets. What it printed and its exit code go back to the host. An event
 * (`emit`) is made here and appended to the worker's event log there, which the dashboard already reads.
 *
 * Requests written while no dashboard follows the file are not run later: the script gives up on them
 * after a minute and says so (a request is only ever run while its asker waits for the answer).
 */
import { withScratchFile } from '../adapters/files.js';
import type { RemoteFollower } from '../adapters/remoteTail.js';
import { workerLogFiles } from '../adapters/runtime.js';
import { appendOnHost } from '../adapters/hostFiles.js';
import { answerRequest, requestsBase, sweepRequests, takeRequest } from '../adapters/hostShim.js';
import type { HostConfig, ProjectConfig } from '../core/config/config.js';
import { parseHostRequest, type HostRequest } from '../core/parsers/hostRequest.js';
import { hostStateDir, type Fleet } from './fleet.js';

export interface HostRequestsDeps {
  config: () => ProjectConfig;
  fleet: Pick<Fleet, 'ssh' | 'shell' | 'logReader'>;
  /** Runs this machine's muxctl with `argv` as `worker`, `env` added; what it printed (stdout and stderr) and its exit code. */
  run: (worker: string, argv: readonly string[], env: Record<string, string>) => Promise<{ exitCode: number; output: string }>;
  /** A request was run (for the dashboard's status line and board). */
  onRun?: (worker: string, argv: readonly string[], exitCode: number) => void;
  onError?: (text: string) => void;
}

export class HostRequests {
  private readonly followed = new Map<string, { key: string; follower: RemoteFollower }>();
  /** Per worker, its requests run one after another, in the order it wrote them. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Hosts whose old request markers were swept by this dashboard (once each). */
  private readonly swept = new Set<string>();

  constructor(private readonly deps: HostRequestsDeps) {}

  /** Follows the requests file of every worker on a host, as the config says now. */
  sync(): void {
    const config = this.deps.config();
    const wanted = new Map<string, HostConfig>();
    for (const worker of config.workers) {
      const host = worker.host === undefined ? undefined : config.hosts[worker.host];
      if (host !== undefined) wanted.set(worker.name, host);
    }
    for (const [name, entry] of this.followed) {
      if (wanted.get(name) === undefined || JSON.stringify(wanted.get(name)) !== entry.key) {
        void entry.follower.close();
        this.followed.delete(name);
      }
    }
    for (const host of new Set(wanted.values())) {
      if (this.swept.has(host.name)) continue;
      this.swept.add(host.name);
      sweepRequests(this.deps.fleet.shell(host), `${hostStateDir(host)}/requests`).catch((error: unknown) => this.deps.onError?.(`sweeping old requests on ${host.name}: ${(error as Error).message}`));
    }
    for (const [name, host] of wanted) {
      if (this.followed.has(name)) continue;
      const base = requestsBase(hostStateDir(host), name);
      const follower = this.deps.fleet.logReader(host).follow({
        file: `${base}.requests`,
        // What was asked before this dashboard looked is not run: its asker has given up on it (see above).
        startAt: 'end',
        onLines: (lines) => {
          for (const line of lines) this.enqueue(name, () => this.handle(name, host, base, line));
        },
      });
      this.followed.set(name, { key: JSON.stringify(host), follower });
      void follower.start();
    }
  }

  /** Waits for the requests under way (a test, or a dashboard closing). */
  async settled(): Promise<void> {
    await Promise.all(this.queues.values());
  }

  async close(): Promise<void> {
    await Promise.all([...this.followed.values()].map((entry) => entry.follower.close()));
    this.followed.clear();
  }

  private enqueue(worker: string, job: () => Promise<void>): void {
    const next = (this.queues.get(worker) ?? Promise.resolve()).then(job).catch((error: unknown) => {
      this.deps.onError?.(`a request of ${worker}: ${(error as Error).message}`);
    });
    this.queues.set(worker, next);
  }

  private async handle(worker: string, host: HostConfig, base: string, line: string): Promise<void> {
    const parsed = parseHostRequest(line);
    if (parsed === null) return;
    const ssh = this.deps.fleet.ssh(host);
    if (!parsed.ok) {
      if (parsed.id !== null && (await takeRequest(ssh, base, parsed.id))) await answerRequest(ssh, base, parsed.id, 2, `muxctl: ${parsed.error}`);
      return;
    }
    if (!(await takeRequest(ssh, base, parsed.request.id))) return;
    const { exitCode, output } = await this.runHere(worker, host, parsed.request);
    await answerRequest(ssh, base, parsed.request.id, exitCode, output);
    this.deps.onRun?.(worker, parsed.request.argv, exitCode);
  }

  /** `emit` writes its event to a file here, which then goes to the worker's event log on the host. */
  private async runHere(worker: string, host: HostConfig, request: HostRequest): Promise<{ exitCode: number; output: string }> {
    if (request.argv[0] !== 'emit') return this.deps.run(worker, request.argv, {});
    const { result, written } = await withScratchFile('muxctl-emit-', (file) => this.deps.run(worker, request.argv, { MUXCTL_AGENT_LOG: file }));
    if (written !== '') await appendOnHost(this.deps.fleet.ssh(host), workerLogFiles(hostStateDir(host), worker).events, written, ` on ${host.name}`);
    return result;
  }
}
