/**
 * From a config as written to the config muxctl runs on: paths made absolute, `defaults` merged under
 * each worker, and everything left out filled from defaults.ts. Only called once the schema accepted it.
 */
import path from 'node:path';
import { AGENT_PRESETS, type ResumeStrategy } from '../rules/agents.js';
import { defaultSocketName } from '../rules/names.js';
import { HOST_DEFAULTS, PROJECT_DEFAULTS, WORKER_DEFAULTS } from './defaults.js';
import type { ParsedConfig, ParsedWorker, SharedFields } from './schema.js';
import type { HostConfig, ProjectConfig, WorkerConfig } from './types.js';

/** The resolved config of `parsed`, read from `file` (absolute: relative paths are taken from its folder). */
export function buildConfig(parsed: ParsedConfig, file: string): ProjectConfig {
  const configDir = path.dirname(file);
  const repo = path.resolve(configDir, parsed.repo ?? '.');
  const lanes: ProjectConfig['lanes'] = {};
  for (const [name, lane] of Object.entries(parsed.lanes)) lanes[name] = lane.description === undefined ? {} : { description: lane.description };
  return {
    file,
    project: parsed.project,
    repo,
    baseBranch: parsed.baseBranch ?? 'main',
    // Outside the main checkout by default: worktrees inside it would show up in its `git status`,
    // its editor's search and its file watchers.
    worktreeDir: parsed.worktreeDir === undefined ? path.join(path.dirname(repo), `${path.basename(repo)}-worktrees`) : path.resolve(configDir, parsed.worktreeDir),
    worktree: {
      copy: [...(parsed.worktree?.copy ?? [])],
      setup: parsed.worktree?.setup ?? null,
      setupTimeoutSeconds: parsed.worktree?.setupTimeoutSeconds ?? PROJECT_DEFAULTS.worktree.setupTimeoutSeconds,
      portBase: parsed.worktree?.portBase ?? PROJECT_DEFAULTS.worktree.portBase,
    },
    tmuxSocket: parsed.tmuxSocket ?? defaultSocketName(parsed.project),
    lanes,
    workers: parsed.workers.map((entry) => mergeWorker(parsed.defaults ?? {}, entry)),
    hosts: buildHosts(parsed.hosts ?? {}),
    health: {
      idleAfterSeconds: parsed.health?.idleAfterSeconds ?? PROJECT_DEFAULTS.health.idleAfterSeconds,
      stuckAfterSeconds: parsed.health?.stuckAfterSeconds ?? PROJECT_DEFAULTS.health.stuckAfterSeconds,
      settleMs: parsed.health?.settleMs ?? PROJECT_DEFAULTS.health.settleMs,
      waitingPatterns: [...(parsed.health?.waitingPatterns ?? [])],
    },
    alerts: {
      bell: parsed.alerts?.bell ?? PROJECT_DEFAULTS.alerts.bell,
      desktop: parsed.alerts?.desktop ?? PROJECT_DEFAULTS.alerts.desktop,
      minIntervalSeconds: parsed.alerts?.minIntervalSeconds ?? PROJECT_DEFAULTS.alerts.minIntervalSeconds,
    },
    recover: { afterLimit: parsed.recover?.afterLimit ?? PROJECT_DEFAULTS.recover.afterLimit },
    hooks: { onStateChange: parsed.hooks?.onStateChange ?? null },
    logs: { ringSize: parsed.logs?.ringSize ?? PROJECT_DEFAULTS.logs.ringSize },
    land: {
      check: parsed.land?.check ?? null,
      strategy: parsed.land?.strategy ?? PROJECT_DEFAULTS.land.strategy,
      push: parsed.land?.push ?? null,
      auto: parsed.land?.auto ?? PROJECT_DEFAULTS.land.auto,
      batch: parsed.land?.batch ?? PROJECT_DEFAULTS.land.batch,
    },
    tasks: {
      leaseSeconds: parsed.tasks?.leaseSeconds ?? PROJECT_DEFAULTS.tasks.leaseSeconds,
      autoDispatch: parsed.tasks?.autoDispatch ?? PROJECT_DEFAULTS.tasks.autoDispatch,
      routing: (parsed.tasks?.routing ?? []).map((rule) => ({ lane: rule.lane, labels: [...(rule.labels ?? [])], words: [...(rule.words ?? [])] })),
      acceptProposals: [...(parsed.tasks?.acceptProposals ?? [])],
    },
  };
}

/** A host's absolute path, normalized the host's way (POSIX), without a trailing slash. */
function onHost(absolute: string): string {
  return path.posix.normalize(absolute).replace(/(.)\/+$/, '$1');
}

function buildHosts(hosts: NonNullable<ParsedConfig['hosts']>): Record<string, HostConfig> {
  const built: Record<string, HostConfig> = {};
  for (const [name, host] of Object.entries(hosts)) {
    const repo = onHost(host.repo);
    built[name] = {
      name,
      ssh: host.ssh,
      ...(host.port === undefined ? {} : { port: host.port }),
      ...(host.identityFile === undefined ? {} : { identityFile: host.identityFile }),
      sshArgs: [...(host.sshArgs ?? [])],
      repo,
      worktreeDir: host.worktreeDir === undefined ? path.posix.join(path.posix.dirname(repo), `${path.posix.basename(repo)}-worktrees`) : onHost(host.worktreeDir),
      requestWaitSeconds: host.requestWaitSeconds ?? HOST_DEFAULTS.requestWaitSeconds,
    };
  }
  return built;
}

/** A `resume.command` of the person's own: muxctl mints the id, the command is swapped whole (see Workers). */
const CUSTOM_RESUME: ResumeStrategy = { kind: 'minted', newArgs: [], resumeArgs: [] };

/** The worker's fields over `defaults`, object fields merged field by field, then the built-in defaults. */
function mergeWorker(defaults: SharedFields, entry: ParsedWorker): WorkerConfig {
  // A preset fills what the worker and `defaults` leave out; what the person wrote always wins.
  const preset = entry.agent === undefined ? undefined : AGENT_PRESETS[entry.agent];
  // The schema refuses a worker with neither.
  const command = entry.command ?? (preset === undefined ? '' : [preset.program]);
  const merged: WorkerConfig = {
    name: entry.name,
    lane: entry.lane,
    ...(entry.host === undefined ? {} : { host: entry.host }),
    command: Array.isArray(command) ? [...command] : command,
    waitingPatterns: [...(preset?.waitingPatterns ?? [])],
    env: { ...defaults.env, ...entry.env },
    restart: {
      policy: entry.restart?.policy ?? defaults.restart?.policy ?? WORKER_DEFAULTS.restart.policy,
      maxRestarts: entry.restart?.maxRestarts ?? defaults.restart?.maxRestarts ?? WORKER_DEFAULTS.restart.maxRestarts,
      backoffSeconds: entry.restart?.backoffSeconds ?? defaults.restart?.backoffSeconds ?? WORKER_DEFAULTS.restart.backoffSeconds,
    },
    stop: {
      keys: [...(entry.stop?.keys ?? defaults.stop?.keys ?? preset?.stopKeys ?? WORKER_DEFAULTS.stop.keys)],
      signal: entry.stop?.signal ?? defaults.stop?.signal ?? WORKER_DEFAULTS.stop.signal,
      graceSeconds: entry.stop?.graceSeconds ?? defaults.stop?.graceSeconds ?? WORKER_DEFAULTS.stop.graceSeconds,
    },
    task: { delivery: entry.task?.delivery ?? defaults.task?.delivery ?? WORKER_DEFAULTS.task.delivery },
  };
  const taskCommand = entry.task?.command ?? defaults.task?.command;
  if (taskCommand !== undefined) merged.task.command = Array.isArray(taskCommand) ? [...taskCommand] : taskCommand;
  const cwd = entry.cwd ?? defaults.cwd;
  if (cwd !== undefined) merged.cwd = cwd;
  const logPath = entry.log?.path ?? defaults.log?.path ?? preset?.log?.path;
  if (logPath !== undefined) merged.log = { path: logPath, format: entry.log?.format ?? defaults.log?.format ?? preset?.log?.format ?? WORKER_DEFAULTS.logFormat };
  if (entry.agent !== undefined && preset !== undefined) {
    merged.agent = entry.agent;
    merged.resume = { strategy: preset.resume, resumeFailed: preset.resumeFailed };
  } else if (entry.resume !== undefined) {
    const resumeCommand = entry.resume.command;
    merged.resume = { strategy: CUSTOM_RESUME, command: Array.isArray(resumeCommand) ? [...resumeCommand] : resumeCommand, resumeFailed: [] };
  }
  return merged;
}
