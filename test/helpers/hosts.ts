/**
 * A test project with a "host": one real sshd on loopback for the file, a second clone of the project's
 * repository as the host's `repo`, and its workers on the host's own tmux server, which is killed after
 * each test that made it.
 *
 *   const host = useLoopbackHost();                        // at the top of the file
 *   const { clone, hostSocket } = await host.add(p, [{ name: 'gpu-1', command: '…' }]);
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { git } from './gitRepo.js';
import type { TestProject, WorkerJson } from './project.js';
import { startSshd, type TestSshd } from './sshd.js';
import { killTestServer } from './tmuxSocket.js';

export interface LoopbackHost {
  /** The file's sshd (started before its tests). */
  readonly sshd: TestSshd;
  /**
   * Makes host box1 for `p`: its clone at <scratch>/box1-clone, its worktrees at <scratch>/box1-worktrees,
   * `workers` added to the config with `host: "box1"`. `port`: another port (a host that refuses);
   * `requestWaitSeconds`: the host's, for a test of a request nobody takes.
   */
  add(p: TestProject, workers: WorkerJson[], options?: { port?: number; requestWaitSeconds?: number }): Promise<{ clone: string; hostSocket: string }>;
}

export function useLoopbackHost(): LoopbackHost {
  const servers: string[] = [];
  let sshd: TestSshd | undefined;
  beforeAll(async () => {
    sshd = await startSshd();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((socket) => killTestServer(socket)));
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  const started = (): TestSshd => {
    if (sshd === undefined) throw new Error('useLoopbackHost: its sshd starts in beforeAll');
    return sshd;
  };
  return {
    get sshd() {
      return started();
    },
    async add(p, workers, { port, requestWaitSeconds } = {}) {
      const clone = join(p.repo.scratch, 'box1-clone');
      await git(p.repo.scratch, 'clone', '-q', p.repo.path, clone);
      const entry = { ...started().hostEntry(), ...(port === undefined ? {} : { port }), ...(requestWaitSeconds === undefined ? {} : { requestWaitSeconds }), repo: clone, worktreeDir: join(p.repo.scratch, 'box1-worktrees') };
      await p.writeConfig({
        ...p.config,
        hosts: { box1: entry },
        workers: [...(p.config.workers as object[]), ...workers.map((w) => ({ lane: 'app', ...w, host: 'box1' }))],
      });
      const hostSocket = `${p.socket}-box1`;
      servers.push(hostSocket);
      return { clone, hostSocket };
    },
  };
}
