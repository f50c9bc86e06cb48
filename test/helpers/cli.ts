/**
 * Looking at a muxctl project from the outside, for the tests that run the BUILT bin/muxctl: the private
 * tmux server's sessions, panes and screens, the workers' processes, and what muxctl recorded and reports.
 * Shared so that every CLI test asks tmux and muxctl the same question the same way.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { makeProject, type TestProject, type WorkerJson } from './project.js';
import { tmux } from './tmuxSocket.js';
import { waitFor } from './waitFor.js';
import { RuntimeDir } from '../../src/adapters/runtime.js';

/**
 * `makeProject` for one test file: every project made is cleaned up after the test that made it.
 * `first` runs after each test before the cleanup (end-to-end files pass `disposeAllPtys`).
 */
export function projectsCleanedUpAfterEach({ first }: { first?: () => void } = {}): typeof makeProject {
  const made: TestProject[] = [];
  afterEach(async () => {
    first?.();
    await Promise.all(made.splice(0).map((p) => p.cleanup()));
  });
  return async (label, workers, extra = {}) => {
    const p = await makeProject(label, workers, extra);
    made.push(p);
    return p;
  };
}

/** `muxctl up`, as a person starts the workers; fails the test, with what muxctl said, unless it exits 0. */
export async function startWorkers(p: TestProject, env?: Record<string, string>): Promise<void> {
  const up = await p.run(['up'], env);
  expect(up.exitCode, `muxctl up failed:\n${up.stdout}\n${up.stderr}`).toBe(0);
}

// ── tmux, asked directly ────────────────────────────────────────────────────────────────────────────

export { tmux, tmuxSync } from './tmuxSocket.js';

/** True when a tmux server answers on the socket. */
export async function serverRuns(socket: string): Promise<boolean> {
  return (await tmux(socket, 'display-message', '-p', '#{pid}')).exitCode === 0;
}

/** Session names on the socket, sorted; [] when no server runs there. */
export async function sessions(socket: string): Promise<string[]> {
  const result = await tmux(socket, 'list-sessions', '-F', '#{session_name}');
  return result.exitCode === 0 ? result.stdout.split('\n').filter(Boolean).sort() : [];
}

/** The pid of the process in session `name`'s pane (the worker itself); throws when there is none. */
export async function panePid(socket: string, name: string): Promise<number> {
  const result = await tmux(socket, 'list-panes', '-t', `=${name}:`, '-F', '#{pane_pid}');
  const pid = Number(result.stdout.trim());
  if (result.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0) throw new Error(`no pane pid for ${name}: ${result.stderr}`);
  return pid;
}

/** The pane's whole history and screen, wrapped lines joined. */
export async function screen(socket: string, name: string): Promise<string> {
  return (await tmux(socket, 'capture-pane', '-p', '-J', '-S', '-', '-t', `=${name}:`)).stdout;
}

/** Waits until session `name`'s pane shows `text` (a substring or a pattern); returns all it showed. */
export function screenShows(socket: string, name: string, text: string | RegExp, timeoutMs = 5_000): Promise<string> {
  return waitFor(
    async () => {
      const shown = await screen(socket, name);
      return (typeof text === 'string' ? shown.includes(text) : text.test(shown)) ? shown : undefined;
    },
    { what: `pane ${name} to show ${typeof text === 'string' ? `"${text}"` : String(text)}`, timeoutMs },
  );
}

/** True while a process with this pid exists (EPERM: it exists, but is someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ── What muxctl recorded and reports ────────────────────────────────────────────────────────────────

/** One control event from the project's .muxctl/state.db: the fields the tests look at. */
export interface ControlEvent {
  actor: string;
  action: string;
  worker: string;
  reason: string;
}

/** Every event muxctl recorded for the project, in the order written; [] before muxctl made its state. */
export function events(p: TestProject): ControlEvent[] {
  if (!existsSync(join(p.repo.path, '.muxctl', 'state.db'))) return [];
  const runtime = new RuntimeDir(p.repo.path);
  try {
    return runtime.readEvents();
  } finally {
    runtime.close();
  }
}

/** One worker as `muxctl status --json` reports it: the fields the tests look at. */
export interface StatusWorker {
  name: string;
  lane: string;
  health: { state: string; badge: string; evidence: string };
  screen: string[];
  worktree: string;
}

/** The workers `muxctl status --json` reports; throws when the command fails. */
export async function statusJson(p: TestProject): Promise<StatusWorker[]> {
  const result = await p.run(['status', '--json']);
  if (result.exitCode !== 0) throw new Error(`status --json exited ${result.exitCode}: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { workers: StatusWorker[] }).workers;
}

// ── Making workers and matching output ──────────────────────────────────────────────────────────────

/** A worker that stays up and does nothing; `exec` so the pane's pid is the sleep itself. */
export function idle(name: string, lane = 'app'): WorkerJson {
  return { name, lane, command: 'exec sleep 600' };
}

/** `text` with every RegExp metacharacter escaped, to match it literally inside a pattern. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
