/**
 * What a resolved project config holds: the shape every other module reads once `sessions.json` has been
 * validated and its defaults filled in (config.ts). Paths in it are absolute.
 */

import type { AgentName, ResumeStrategy } from '../rules/agents.js';

export const LOG_FORMATS = ['auto', 'claude-code', 'claude-stream-json', 'codex-rollout', 'codex-exec-json', 'gemini', 'aider', 'json-lines', 'muxctl', 'text'] as const;
export const RESTART_POLICIES = ['never', 'on-failure', 'always'] as const;
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface WorkerConfig {
  name: string;
  lane: string;
  /** A key of `hosts`: the worker runs on that machine. Absent: here. */
  host?: string;
  /**
   * A string is run by `sh -c` as written; an array is an argv (see `shellCommand` in names.ts). With an
   * `agent`, the preset's program when none is given, else the program and flags as the person wrote them.
   */
  command: string | string[];
  /** The agent preset the worker was written with (its log, waiting lines, stop keys and resume come from it). */
  agent?: AgentName;
  /** How the worker's conversation outlives a restart: the preset's strategy, or a `resume.command` of its own. */
  resume?: { strategy: ResumeStrategy; command?: string | string[]; resumeFailed: readonly string[] };
  /** Screen lines (regular expressions) that ask the person something, besides the project's `health.waitingPatterns`. */
  waitingPatterns: string[];
  env: Record<string, string>;
  /** Relative to the worker's worktree. */
  cwd?: string;
  /** `path` may be a glob: relative to the worker's worktree, absolute, or under ~/, with placeholders (see expandLogPath). */
  log?: { path: string; format: LogFormat };
  restart: { policy: RestartPolicy; maxRestarts: number; backoffSeconds: number };
  stop: { keys: string[]; signal: StopSignal; graceSeconds: number };
  task: TaskDelivery;
}

/**
 * How a task reaches the worker. `paste` types the prompt into an interactive agent that is already
 * running (Claude Code, Codex, Gemini CLI); `env` (re)starts the worker's command with the task in its
 * environment (MUXCTL_TASK_*), or runs `command` instead with {id}, {title}, {prompt}, {branch} filled in.
 */
export interface TaskDelivery {
  delivery: 'paste' | 'env';
  command?: string | string[];
}

export interface RoutingRule {
  lane: string;
  /** A task with any of these labels goes to the lane. */
  labels: string[];
  /** A task whose title holds any of these words (case-insensitive, whole words) goes to the lane. */
  words: string[];
}

/** The merge queue (issue 5): how finished work lands on the base branch. */
export interface LandConfig {
  /** The project's check, run in the integration worktree before the base moves; null: none. */
  check: string | null;
  /** How a task branch is brought onto the current base: a merge commit, or its commits replayed. */
  strategy: 'merge' | 'rebase';
  /** Push the base to this remote after it moved (never forced); null: do not push. */
  push: string | null;
  /** The leading dashboard lands done tasks without being asked. */
  auto: boolean;
  /** Land up to this many entries together, one check for all; a failure is found by halves. */
  batch: number;
}

/** Preparing a worktree muxctl creates, and each worker's port (see src/core/rules/worktreePrep.ts). */
export interface WorktreeConfig {
  /** Globs (read like `.gitignore` lines) of untracked or ignored files copied from the main checkout; `.worktreeinclude` adds to them. */
  copy: string[];
  /** Run by `sh -c` once in a new worktree before its worker starts; null: none. */
  setup: string | null;
  /** A setup running longer is killed, and counts as failed. */
  setupTimeoutSeconds: number;
  /** Each worker's MUXCTL_PORT is this plus its index in `workers`. */
  portBase: number;
}

export interface TasksConfig {
  /** How long a claim lasts without activity from its worker; activity renews it. */
  leaseSeconds: number;
  /** Hand queued tasks to idle workers without being asked (can be paused from the dashboard). */
  autoDispatch: boolean;
  routing: RoutingRule[];
  /** Lanes whose workers' proposals (`muxctl task propose`) are queued at once, without a person's accept. */
  acceptProposals: string[];
}

/** Another machine, as `hosts.<name>` says; paths are the host's own, absolute. */
export interface HostConfig {
  name: string;
  /** The ssh destination: user@host or a Host alias of ~/.ssh/config. */
  ssh: string;
  port?: number;
  identityFile?: string;
  sshArgs: string[];
  repo: string;
  worktreeDir: string;
  /** How long a worker's own `muxctl task|emit` there waits for a dashboard to take it. */
  requestWaitSeconds: number;
}

export interface ProjectConfig {
  /** Absolute path of the config file. */
  file: string;
  project: string;
  /** Absolute. */
  repo: string;
  baseBranch: string;
  /** Absolute; each worker's worktree is `<worktreeDir>/<worker>`. */
  worktreeDir: string;
  worktree: WorktreeConfig;
  tmuxSocket: string;
  lanes: Record<string, { description?: string }>;
  workers: WorkerConfig[];
  /** By name, in the file's order. */
  hosts: Record<string, HostConfig>;
  health: HealthConfig;
  alerts: AlertsConfig;
  /** What muxctl does on its own to bring a worker back to work. */
  recover: { afterLimit: boolean };
  hooks: { onStateChange: string | null };
  logs: { ringSize: number };
  tasks: TasksConfig;
  land: LandConfig;
}

export interface AlertsConfig {
  /** Ring the terminal bell when a worker starts waiting, crashes, gets stuck or hits its usage limit. */
  bell: boolean;
  /** Send a desktop notification then, and when a task finishes (the leading dashboard only). */
  desktop: boolean;
  /** At most one desktop notification a worker this often; later ones in the interval are dropped. */
  minIntervalSeconds: number;
}

export interface HealthConfig {
  /** Quiet this long with no turn open: idle. */
  idleAfterSeconds: number;
  /** Quiet this long with work in hand: stuck. */
  stuckAfterSeconds: number;
  /** A new state must hold this long before it is shown. */
  settleMs: number;
  /** Extra regular expressions for a screen line that asks the person something. */
  waitingPatterns: string[];
}
