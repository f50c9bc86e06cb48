/**
 * `muxctl demo`: a scratch git repository outside the clone, the example config, demo workers, and the
 * dashboard on them. Running it again reuses the same project, so the workers are found again.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Git } from '../adapters/git.js';
import { loadConfig } from '../adapters/configFile.js';
import { RuntimeDir } from '../adapters/runtime.js';

export function demoDir(env = process.env): string {
  return env.MUXCTL_DEMO_DIR ?? join(tmpdir(), `muxctl-demo-${userInfo().username}`);
}

/** Creates (or finds) the demo project and returns its config file. */
export async function prepareDemo(dir: string): Promise<string> {
  const repo = join(dir, 'repo');
  const file = join(repo, 'sessions.json');
  if (!existsSync(join(repo, '.git'))) {
    mkdirSync(repo, { recursive: true });
    await Git.initScratchRepo(repo, 'main');
  }
  if (!existsSync(file)) {
    const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
    const example = JSON.parse(readFileSync(join(packageRoot, 'sessions.example.json'), 'utf8')) as Record<string, unknown>;
    // A socket of its own per demo directory: two demos (or a test's) never share a tmux server.
    example.tmuxSocket = `muxctl-demo-${createHash('sha1').update(dir).digest('hex').slice(0, 8)}`;
    writeFileSync(file, JSON.stringify(example, null, 2) + '\n');
    copyFileSync(join(packageRoot, 'sessions.schema.json'), join(repo, 'sessions.schema.json'));
    await new Git(repo).ensureExcluded(repo, '/sessions.json');
    await new Git(repo).ensureExcluded(repo, '/sessions.schema.json');
  }
  loadConfig(file);
  return file;
}

/** The demo's workers to start: all but those the person stopped on purpose. */
export function demoWorkersToStart(file: string): string[] {
  const config = loadConfig(file);
  const records = new RuntimeDir(config.repo).readWorkers();
  return config.workers.filter((w) => records[w.name]?.desired !== 'stopped').map((w) => w.name);
}
