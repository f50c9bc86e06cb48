/**
 * Where each worker's tmux server and git clone are: this machine's, or a host's over ssh (`hosts` in
 * sessions.json, a worker's `host`). The fleet answers the session calls the rest of control makes
 * (list, capture, paste, keys, kill) by sending each to the server its worker runs on, so the messenger,
 * the answers, delivery and recovery work for a worker on a host as they do here.
 *
 * A host that cannot be reached is its own fact, never "no session": its workers are shown as
 * unreachable since the first failed call, their last panes kept, and it is asked again with a backoff.
 * A slow host never holds up this machine's panes: a look waits for it only `hostWaitMs`, then answers
 * with what that host said last while its call goes on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostConfig, ProjectConfig, WorkerConfig } from '../core/config/config.js';
import { hostOf } from '../core/config/config.js';
import { backoff } from '../core/rules/guards.js';
import { Git } from '../adapters/git.js';
import { GitRunner } from '../adapters/gitRun.js';
import { HostLogReader, type RemoteRunner } from '../adapters/remoteTail.js';
import { SshError, SshHost, type SshTarget } from '../adapters/ssh.js';
import { SshShell } from '../adapters/sshShell.js';
import { Tmux, type PaneInfo } from '../adapters/tmux.js';
import type { PaneSource } from './paneObserver.js';

/** The session calls that control makes of tmux by a worker's name; `Tmux` and `Fleet` both answer them. */
export type TmuxSessions = Pick<Tmux, 'listPanes' | 'capturePanes' | 'hasSession' | 'sendKeys' | 'pasteText' | 'killSession'>;

/** A host that did not answer: since when, and what ssh said. */
export interface Unreachable {
  since: number;
  said: string;
  /** When it is asked again. */
  retryAt: number;
}

export interface FleetDeps {
  config: () => ProjectConfig;
  /** This machine's tmux server. */
  tmux: Tmux;
  git: Git;
  now: () => number;
  /** Makes a host's tools. @default over the system ssh (SshHost) */
  connect?: (host: HostConfig, socket: string) => Omit<HostTools, 'key'>;
}

/** A host's tools, made once for its entry as written (an edited entry gets new ones). */
export interface HostTools {
  key: string;
  ssh: SshHost;
  /** For actions (start, stop, paste): through a long-lived shell there of their own (sshShell.ts). */
  tmux: Tmux;
  /** For the looks made every second: through another long-lived shell there. */
  watch: Tmux;
  /** Any other command without input, through the actions' shell (a channel costs the host a session). */
  shell: RemoteRunner;
  git: Git;
  logs: HostLogReader;
}

/** The first retry after a failure, doubled each time up to the cap. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 30_000;

/** Where muxctl keeps a host's workers' screen captures and event logs: beside their worktrees, outside the clone. */
export function hostStateDir(host: HostConfig): string {
  return `${host.worktreeDir}/.muxctl`;
}

/** A host's tmux server: its own socket name, so a host that is this machine (tests, a second clone) never shares one. */
export function hostSocket(config: ProjectConfig, host: string): string {
  return `${config.tmuxSocket}-${host}`;
}

/** How ssh reaches a host, as its `hosts` entry says. */
export function sshTarget(host: HostConfig): SshTarget {
  return {
    name: host.name,
    destination: host.ssh,
    ...(host.port === undefined ? {} : { port: host.port }),
    ...(host.identityFile === undefined ? {} : { identityFile: host.identityFile }),
    sshArgs: host.sshArgs,
  };
}

/** A host's tools over the system ssh: one connection carries its tmux, its git and its logs. */
function overSsh(host: HostConfig, socket: string): Omit<HostTools, 'key'> {
  const ssh = new SshHost(sshTarget(host));
  // Two shells there: one for the looks made every second, one for actions (start, stop, git), so a
  // slow action never holds up a look. A call with input (a paste) takes a channel of its own.
  const looks = new SshShell(ssh);
  const actions = new SshShell(ssh);
  const program = actions.program();
  return {
    ssh,
    tmux: new Tmux(socket, { program, host: host.name }),
    watch: new Tmux(socket, { program: looks.program(), host: host.name }),
    shell: actions,
    git: new Git(host.repo, new GitRunner(program, host.name)),
    logs: new HostLogReader(looks),
  };
}

export class Fleet implements TmuxSessions {
  private readonly tools = new Map<string, HostTools>();
  private readonly unreachable = new Map<string, Unreachable & { failures: number }>();
  /** Per host: its panes and captures as last read, and the call under way. */
  private readonly lastPanes = new Map<string, { panes: PaneInfo[]; askedAt: number }>();
  /** Per worker on a host: its last capture, and when the call that made it began. */
  private readonly lastScreens = new Map<string, { lines: string[]; askedAt: number }>();
  private readonly polling = new Map<string, Promise<void>>();

  /** How long a look at the panes waits for a host before answering with what it said last. */
  private hostWaitMs = Number.POSITIVE_INFINITY;

  constructor(private readonly deps: FleetDeps) {}

  /**
   * The dashboard waits little for a host (its keys and this machine's panels come first); a CLI
   * command waits for the answer, as it does by default.
   */
  answerWithin(ms: number): void {
    this.hostWaitMs = ms;
  }

  /**
   * The tmux server `worker` runs on: by name, as the config says now, or by its entry (a worker just
   * taken out of the config is stopped where it ran).
   */
  tmuxOf(worker: string | Pick<WorkerConfig, 'host'>): Tmux {
    const config = this.deps.config();
    const host = typeof worker === 'string' ? hostOf(config, worker) : worker.host === undefined ? null : (config.hosts[worker.host] ?? null);
    return host === null ? this.deps.tmux : this.host(host).tmux;
  }

  /** The clone `worker`'s worktree belongs to. */
  gitOf(worker: string): Git {
    const host = hostOf(this.deps.config(), worker);
    return host === null ? this.deps.git : this.host(host).git;
  }

  /**
   * What hands the terminal to a worker's session: tmux here, or `ssh -tt` running tmux on its host
   * (over the shared connection), whose detach is ending that ssh: the session stays.
   */
  attachCommand(worker: string): { argv: string[]; detach?: (ttyName: string) => Promise<void> } {
    const host = hostOf(this.deps.config(), worker);
    if (host === null) return { argv: this.deps.tmux.attachArgs(worker), detach: (tty) => this.deps.tmux.detachClient(tty) };
    const { ssh, tmux } = this.host(host);
    // -u: the host's login may have no UTF-8 locale, and tmux would draw every line and box as "_".
    const [binary = 'tmux', ...rest] = tmux.attachArgs(worker);
    return { argv: ssh.argv([binary, '-u', ...rest], { tty: true }) };
  }

  /** The reader of the host's log files: one call a poll for every worker there. */
  logReader(host: HostConfig): HostLogReader {
    return this.host(host).logs;
  }

  /** Commands on a host that need no input, through its actions' shell. */
  shell(host: HostConfig): RemoteRunner {
    return this.host(host).shell;
  }

  /** The connection to a host, for attach and the doctor. */
  ssh(host: HostConfig): SshHost {
    return this.host(host).ssh;
  }

  /** The hosts that did not answer their last call, by name. */
  unreachableHosts(): ReadonlyMap<string, Unreachable> {
    return this.unreachable;
  }

  /** What this machine's tmux and every host in use say, as one list; a host's panes carry its name. */
  listPanes(): Promise<PaneInfo[]> {
    return this.panes(this.deps.tmux).listPanes();
  }

  capturePanes(names: readonly string[], lines: number): Promise<Map<string, string[]>> {
    return this.panes(this.deps.tmux).capturePanes(names, lines);
  }

  /**
   * A pane source over `local` (the dashboard's control-mode client, or plain tmux calls) and the hosts:
   * one call a host a look, whatever the number of its workers.
   */
  panes(local: PaneSource): PaneSource {
    return {
      listPanes: async () => {
        const hosts = this.hostsInUse();
        // With every worker on a host, this machine has no server to look at: asking would spawn tmux a look.
        const anyHere = this.deps.config().workers.some((w) => w.host === undefined);
        const [here, ...there] = await Promise.all([anyHere ? local.listPanes() : Promise.resolve([]), ...hosts.map((host) => this.hostPanes(host))]);
        return [...(here ?? []), ...there.flat()];
      },
      capturePanes: async (names, lines) => {
        const config = this.deps.config();
        const byHost = new Map<HostConfig | null, string[]>();
        for (const name of names) {
          const host = hostOf(config, name);
          byHost.set(host, [...(byHost.get(host) ?? []), name]);
        }
        const parts = await Promise.all([...byHost].map(([host, group]) => (host === null ? local.capturePanes(group, lines) : this.hostCaptures(host, group, lines))));
        return new Map(parts.flatMap((part) => [...part]));
      },
    };
  }

  async hasSession(name: string): Promise<boolean> {
    return this.tmuxOf(name).hasSession(name);
  }

  async sendKeys(name: string, keys: readonly string[]): Promise<void> {
    return this.tmuxOf(name).sendKeys(name, keys);
  }

  async pasteText(name: string, text: string): Promise<void> {
    return this.tmuxOf(name).pasteText(name, text);
  }

  async killSession(name: string): Promise<boolean> {
    return this.tmuxOf(name).killSession(name);
  }

  private hostsInUse(): HostConfig[] {
    const config = this.deps.config();
    const names = new Set(config.workers.flatMap((w) => (w.host === undefined ? [] : [w.host])));
    return [...names].flatMap((name) => (config.hosts[name] === undefined ? [] : [config.hosts[name]]));
  }

  private host(host: HostConfig): HostTools {
    const key = JSON.stringify(host);
    const known = this.tools.get(host.name);
    if (known?.key === key) return known;
    const tools: HostTools = { key, ...(this.deps.connect ?? overSsh)(host, hostSocket(this.deps.config(), host.name)) };
    this.tools.set(host.name, tools);
    return tools;
  }

  /** The host's panes: asked now unless it is waiting out a retry, and waited for at most hostWaitMs. */
  private async hostPanes(host: HostConfig): Promise<PaneInfo[]> {
    await this.ask(host, async () => {
      const askedAt = this.deps.now();
      const panes = (await this.host(host).watch.listPanes()).map((pane) => ({ ...pane, host: host.name }));
      this.lastPanes.set(host.name, { panes, askedAt });
    });
    return this.lastPanes.get(host.name)?.panes ?? [];
  }

  /**
   * Only captures asked after the pane list this look stands on are answered: an older one may predate
   * what that list saw move, and the observer would keep it as the screen of that moment. A capture
   * still under way is answered at a later look.
   */
  private async hostCaptures(host: HostConfig, names: readonly string[], lines: number): Promise<Map<string, string[]>> {
    const lookedAt = this.lastPanes.get(host.name)?.askedAt ?? this.deps.now();
    await this.ask(host, async () => {
      const askedAt = this.deps.now();
      const screens = await this.host(host).watch.capturePanes(names, lines);
      for (const [name, screen] of screens) this.lastScreens.set(name, { lines: screen, askedAt });
    }, `capture:${names.join(',')}`);
    const fresh = names.flatMap((name) => {
      const last = this.lastScreens.get(name);
      return last !== undefined && last.askedAt >= lookedAt ? [[name, last.lines] as const] : [];
    });
    return new Map(fresh);
  }

  /**
   * Runs `call` on the host unless a retry is not due yet, joining a call of the same kind under way.
   * An ssh failure marks the host unreachable (its first failure's time kept); a success clears it.
   */
  private async ask(host: HostConfig, call: () => Promise<void>, kind = 'panes'): Promise<void> {
    const id = `${host.name}\0${kind}`;
    let running = this.polling.get(id);
    if (running === undefined) {
      const down = this.unreachable.get(host.name);
      if (down !== undefined && this.deps.now() < down.retryAt) return;
      running = call()
        .then(
          () => {
            this.unreachable.delete(host.name);
          },
          (error: unknown) => {
            if (!(error instanceof SshError)) throw error;
            const now = this.deps.now();
            const previous = this.unreachable.get(host.name);
            const failures = (previous?.failures ?? 0) + 1;
            this.unreachable.set(host.name, { since: previous?.since ?? now, said: error.said, retryAt: now + Math.min(RETRY_MAX_MS, backoff(failures - 1, RETRY_FIRST_MS)), failures });
          },
        )
        .finally(() => this.polling.delete(id));
      this.polling.set(id, running);
    }
    if (this.hostWaitMs === Number.POSITIVE_INFINITY) return running;
    // The call goes on in the background; a failure that is not ssh's shows at the next look that waits for it.
    await Promise.race([running.catch(() => {}), sleep(this.hostWaitMs, undefined, { ref: false })]);
  }
}
