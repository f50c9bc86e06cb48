/**
 * A whole muxctl project for integration and end-to-end tests: a real git repository with one commit, a
 * sessions.json naming a private tmux socket of the test's own, and a way to run the BUILT muxctl
 * against it. `cleanup()` kills only that socket's server and removes only the test's directories.
 */
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeRepo, type TestRepo } from './gitRepo.js';
import { killTestServer, testSocket } from './tmuxSocket.js';

/** The repository root of muxctl itself (tests run the built bin/muxctl from here). */
export const MUXCTL_ROOT = resolve(import.meta.dirname, '..', '..');
export const MUXCTL_BIN = join(MUXCTL_ROOT, 'bin', 'muxctl');

export interface WorkerJson {
  name: string;
  lane?: string;
  command: string | string[];
  [field: string]: unknown;
}

export interface TestProject {
  repo: TestRepo;
  configFile: string;
  socket: string;
  worktreeDir: string;
  /** The config as written; `writeConfig` replaces it. */
  config: Record<string, unknown>;
  writeConfig(config: Record<string, unknown>): Promise<void>;
  /** Runs `node bin/muxctl --config <file> …args` headless (no TTY) and never throws on a non-zero exit. */
  run(args: string[], env?: Record<string, string>): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  cleanup(): Promise<void>;
}

export async function makeProject(label: string, workers: WorkerJson[], extra: Record<string, unknown> = {}): Promise<TestProject> {
  const repo = await makeRepo();
  await repo.commit('README.md', '# test project\n', 'first commit');
  const socket = testSocket(label);
  const configFile = join(repo.path, 'sessions.json');
  const worktreeDir = join(repo.scratch, 'worktrees');
  const config: Record<string, unknown> = {
    project: label,
    repo: '.',
    baseBranch: 'main',
    worktreeDir,
    tmuxSocket: socket,
    lanes: { app: {}, infra: {} },
    workers: workers.map((w) => ({ lane: 'app', ...w })),
    ...extra,
  };
  const project: TestProject = {
    repo,
    configFile,
    socket,
    worktreeDir,
    config,
    async writeConfig(next) {
      project.config = next;
      await writeFile(configFile, JSON.stringify(next, null, 2) + '\n');
    },
    async run(args, env = {}) {
      const result = await execa('node', [MUXCTL_BIN, '--config', configFile, ...args], {
        reject: false,
        stdin: 'ignore',
        cwd: repo.path,
        env: { ...env, TMUX: undefined, TMUX_PANE: undefined },
        timeout: 60_000,
      });
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1 };
    },
    async cleanup() {
      await killTestServer(socket);
      await repo.cleanup();
    },
  };
  await project.writeConfig(config);
  return project;
}
