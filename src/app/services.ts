/**
 * The composition root: every part of muxctl is built here once, for the dashboard and for every CLI
 * command alike, and every part reads the one live `config()`. A good edit of `sessions.json` is
 * `reload`ed into it and reaches the workers, the task moves, the dispatcher and the lander at once;
 * nothing keeps a copy of the config it started with.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../adapters/check.js';
import { runProgram } from '../adapters/program.js';
import { loadConfig, locateConfig } from '../adapters/configFile.js';
import { readConfigText, rewriteConfigFile } from '../adapters/configEdit.js';
import { Git } from '../adapters/git.js';
import { RuntimeDir } from '../adapters/runtime.js';
import type { TaskStore } from '../adapters/taskStore.js';
import { Tmux } from '../adapters/tmux.js';
import { mark } from '../adapters/timeline.js';
import { hostOf, type ProjectConfig } from '../core/config/config.js';
import { createRedactor } from '../core/rules/redact.js';
import type { Actor } from '../core/rules/tasks.js';
import { Acting } from '../control/acting.js';
import { Landings } from '../control/landings.js';
import { Delivery, type DeliveryTimings } from '../control/deliverer.js';
import { Dispatcher } from '../control/dispatcher.js';
import { AfterLimit } from '../control/afterLimit.js';
import { Answering } from '../control/answering.js';
import { Messenger } from '../control/messenger.js';
import type { DoctorDeps } from '../control/doctorFixes.js';
import { Lander } from '../control/lander.js';
import { describeLanding, integrationPath } from '../control/landResults.js';
import { TaskControl } from '../control/moves.js';
import { Observer } from '../control/observer.js';
import { Recovery } from '../control/recovery.js';
import { Restarts } from '../control/restarts.js';
import { TreeFacts } from '../control/treeFacts.js';
import { WorkerEntries } from '../control/workerEntries.js';
import { Workers } from '../control/workers.js';
import { Fleet } from '../control/fleet.js';
import { HostBranches } from '../control/hostBranches.js';
import { HostRequests } from '../control/hostRequests.js';
import { probeHosts } from '../control/hostProbe.js';
import { throwFirstFailure } from '../core/errors.js';

export interface Services {
  /** The config as it is now: read it at the moment of use, never keep it. */
  config(): ProjectConfig;
  /** Makes `next` the config every part reads from now on (a good edit of the file). */
  reload(next: ProjectConfig): void;
  /** This machine's tmux server and repository. */
  readonly tmux: Tmux;
  readonly git: Git;
  /** Every worker's tmux server and clone: this machine's, or its host's over ssh. */
  readonly fleet: Fleet;
  readonly runtime: RuntimeDir;
  readonly store: TaskStore;
  readonly workers: Workers;
  readonly observer: Observer;
  readonly tree: TreeFacts;
  readonly tasks: TaskControl;
  readonly restarts: Restarts;
  /** `up`: every worker that should run comes back, each with its task given to its new process. */
  readonly recovery: Recovery;
  /** `worker add|remove`: a worker's entry written into the config file and started, or removed and taken out. */
  readonly entries: WorkerEntries;
  readonly dispatcher: Dispatcher;
  /** recover.afterLimit: "continue" once a worker's usage limit resets. */
  readonly afterLimit: AfterLimit;
  /** A waiting worker's question read off its screen, and answered only while it is still the same. */
  readonly answering: Answering;
  /** Messages to workers: typed in at their prompt, or waiting until they are. */
  readonly messenger: Messenger;
  readonly lander: Lander;
  /** One landing at a time from this process, and land.auto's throttle. */
  readonly landings: Landings;
  /** Host workers' own `muxctl task|emit`, run here as them (the dashboard follows their requests). */
  readonly hostRequests: HostRequests;
  /** What the doctor needs, acting as `actor`; its "land it" fix goes through the lander. */
  doctor(actor: Actor): DoctorDeps;
  /** Who hears of what happens in the background: the dashboard sets these. */
  readonly listeners: Listeners;
}

export interface Listeners {
  /** After any landing (a person's or land.auto's): the board is worth reading again. */
  afterLanding: () => void;
  /** What a background landing of land.auto did, or why it failed. */
  autoLanded: (result: { ok: true; text: string } | { ok: false; text: string }) => void;
  /** A host worker's own `muxctl task|emit` was run here: what it was, and its exit code. */
  hostRequestRun: (worker: string, argv: readonly string[], exitCode: number) => void;
}

export interface OpenOptions {
  /** Mask secrets in what muxctl shows of workers' screens (false for --no-redact). @default true */
  redact?: boolean;
  /** For tests: the waits of a paste delivery. */
  deliveryTimings?: Partial<DeliveryTimings>;
}

/** Finds and loads the config, checks tmux and git and everything `up` needs: a fault starts nothing. */
export async function openProject(configFlag: string | undefined, options: OpenOptions = {}): Promise<Services> {
  mark('services loaded');
  const config = await loadConfig(locateConfig(configFlag));
  mark('config read');
  return openConfig(config, options);
}

export async function openConfig(initial: ProjectConfig, options: OpenOptions = {}): Promise<Services> {
  const services = buildServices(initial, options);
  // The tools and the repository checked at once (one round of processes); the faults are named in
  // this order whatever finished first: tmux, then git, then the repository.
  throwFirstFailure(await Promise.allSettled([Tmux.version(), Git.version(), services.workers.preflight()]));
  mark('tmux, git and the repository checked');
  return services;
}

/** Builds every part over one live config. The parts are made on first use: `status` never opens a lander. */
export function buildServices(initial: ProjectConfig, options: OpenOptions = {}): Services {
  let current = initial;
  const config = (): ProjectConfig => current;
  const now = Date.now;
  const tmux = new Tmux(initial.tmuxSocket);
  const git = new Git(initial.repo);
  // Each worker's tmux server and clone, here or on its host; control's session calls go through it.
  const fleet = new Fleet({ config, tmux, git, now });
  const runtime = new RuntimeDir(initial.repo);
  const acting = new Acting();
  const listeners: Listeners = { afterLanding: () => {}, autoLanded: () => {}, hostRequestRun: () => {} };
  const once = <T>(make: () => T): (() => T) => {
    let made: T | undefined;
    return () => (made ??= make());
  };
  const workers = once(() => new Workers({ config, fleet, tmux: fleet, git, runtime, binDir: binDir(), now }));
  const observer = once(
    () => new Observer({ config, panes: fleet, unreachable: () => fleet.unreachableHosts(), runtime, now, redact: createRedactor({ enabled: options.redact ?? true }), limitPlan: (worker, resetsAt) => afterLimit().planText(worker, resetsAt) }),
  );
  const afterLimit = once(() => new AfterLimit({ config, tmux: fleet, store: runtime.store(), now }));
  const answering = once(() => new Answering({ config, tmux: fleet, store: runtime.store(), now, redact: createRedactor({ enabled: options.redact ?? true }) }));
  const messenger = once(() => new Messenger({ config, tmux: fleet, store: runtime.store(), workers: workers(), now }));
  const gitOf = (worker: string): Git => fleet.gitOf(worker);
  const hosts = once(() => new HostBranches({ config, git, ssh: (host) => fleet.ssh(host) }));
  const tree = once(() => new TreeFacts({ config, git, gitOf, hosts: hosts() }));
  const delivery = once(() => new Delivery({ tmux: fleet, workers: workers(), now, ...(options.deliveryTimings ? { timings: options.deliveryTimings } : {}) }));
  const tasks = once(
    () =>
      new TaskControl({
        config,
        store: runtime.store(),
        git,
        gitOf,
        hosts: hosts(),
        tmux: fleet,
        workers: workers(),
        tree: tree(),
        delivery: delivery(),
        acting,
        now,
        // A worker on a host is checked there, in its own worktree and environment.
        runCheck: (command, cwd, worker) => {
          const host = hostOf(current, worker);
          return host === null ? runCheck(command, cwd, { env: checkEnv() }) : runCheck(command, cwd, { program: fleet.ssh(host).program() });
        },
      }),
  );
  const restarts = once(() => new Restarts({ config, store: runtime.store(), gitOf, baseFor: (worker) => hosts().baseFor(worker), workers: workers(), tasks: tasks(), tree: tree(), delivery: delivery(), acting, now }));
  const recovery = once(() => new Recovery({ config, workers: workers(), restarts: restarts(), store: runtime.store(), tmux: fleet }));
  const entries = once(
    () =>
      new WorkerEntries({
        config,
        reload: (next) => {
          current = next;
        },
        workers: workers(),
        recovery: recovery(),
        git,
        runtime,
        readText: readConfigText,
        rewrite: rewriteConfigFile,
      }),
  );
  const lander = once(
    () =>
      new Lander({
        config,
        store: runtime.store(),
        git,
        runCheck: (command, cwd) => runCheck(command, cwd),
        now,
        integrationPath: () => integrationPath(current),
        // A task done on a host: its branch as the host's clone has it now.
        bringBack: async (task) => (task.assignee === null || task.branch === null ? null : hosts().bringBack(task.assignee, task.branch)),
        // A bounced task goes back to its worker in resume mode, told what to fix.
        sendBack: async (task) => {
          const worker = current.workers.find((w) => w.name === task.assignee);
          if (worker === undefined) return { ok: false, message: `${task.assignee ?? 'its worker'} is gone` };
          const outcome = await tasks().checkoutAndDeliver(task, worker, { kind: 'dispatcher' });
          return { ok: outcome.ok, message: outcome.message };
        },
      }),
  );
  const dispatcher = once(
    () =>
      new Dispatcher({
        control: tasks(),
        restarts: restarts(),
        workers: workers(),
        store: runtime.store(),
        runtime,
        config,
        now,
        // land.auto: the leader lands done tasks as they come, in the background (a check may take minutes).
        autoLand: () =>
          landings()
            .landIfDue({ kind: 'dispatcher' })
            ?.then(
              (text) => listeners.autoLanded({ ok: true, text }),
              (error: unknown) => listeners.autoLanded({ ok: false, text: (error as Error).message }),
            ),
      }),
  );
  const landings = once(() => new Landings({ lander: lander(), store: runtime.store(), now, afterLanding: () => listeners.afterLanding() }));
  const hostRequests = once(
    () =>
      new HostRequests({
        config,
        fleet,
        // This machine's muxctl, as the worker, on this board: what a worker here runs in its worktree.
        run: async (worker, argv, env) => {
          const workerEnv = { ...checkEnv(), MUXCTL_WORKER: worker, MUXCTL_CONFIG: current.file, MUXCTL_STATE_DIR: runtime.dir, ...env };
          const result = await runProgram(join(binDir(), 'muxctl'), argv, { env: workerEnv, cwd: current.repo, timeoutMs: 35 * 60_000 });
          return { exitCode: result.exitCode ?? 1, output: result.all };
        },
        onRun: (worker, argv, exitCode) => listeners.hostRequestRun(worker, argv, exitCode),
      }),
  );
  return {
    config,
    reload: (next) => {
      current = next;
    },
    tmux,
    git,
    fleet,
    runtime,
    get store() {
      return runtime.store();
    },
    get workers() {
      return workers();
    },
    get observer() {
      return observer();
    },
    get tree() {
      return tree();
    },
    get tasks() {
      return tasks();
    },
    get restarts() {
      return restarts();
    },
    get recovery() {
      return recovery();
    },
    get entries() {
      return entries();
    },
    get dispatcher() {
      return dispatcher();
    },
    get afterLimit() {
      return afterLimit();
    },
    get answering() {
      return answering();
    },
    get messenger() {
      return messenger();
    },
    get lander() {
      return lander();
    },
    get landings() {
      return landings();
    },
    get hostRequests() {
      return hostRequests();
    },
    listeners,
    doctor: (actor) => ({
      config: current,
      store: runtime.store(),
      git,
      tmux,
      workers: workers(),
      actor,
      integrationPath: integrationPath(current),
      land: async (taskId) => describeLanding(await lander().land([taskId], actor)),
      // The dashboard's own connections: the doctor's probe shares them rather than opening its own.
      probeHosts: (config) => probeHosts(config, (host) => fleet.ssh(host)),
    }),
  };
}

/**
 * The directory of muxctl's bin scripts. The bundle lives in dist/, the scripts in bin/ beside it;
 * workers get it first on their PATH, so `muxctl` and the demo agent resolve inside them.
 */
export function binDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/muxctl.js in the bundle; src/app/services.ts when the tests load the sources.
  const candidates = [join(here, '..', 'bin'), join(here, '..', '..', 'bin')];
  return candidates.find((dir) => existsSync(join(dir, 'muxctl'))) ?? (candidates[0] as string);
}

/** The check runs with the person's environment minus muxctl's worker variables, like a CI would. */
function checkEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('MUXCTL_')) env[key] = value;
  return env;
}
