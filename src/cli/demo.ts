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
import { inboxDir } from '../adapters/inboxDir.js';
import { RuntimeDir } from '../adapters/runtime.js';

interface DemoTask {
  file: string;
  title: string;
  lane: string;
  priority: number;
  prompt: string;
}

/**
 * The board's first tasks, dropped into a new demo project's inbox for the dashboard's dispatcher to
 * take in and hand out. Two for infra: flaky infra-1 takes the first and crash-loops on it until the
 * guard escalates it to the person, while steady infra-2 finishes the second (and the first, once retried).
 */
const DEMO_TASKS: readonly DemoTask[] = [
  { file: '01-health-endpoint.md', title: 'Add a health endpoint', lane: 'app', priority: 1, prompt: 'GET /health answers 200 with the version and the uptime, for the load balancer.' },
  { file: '02-cache-npm.md', title: 'Cache npm in CI', lane: 'infra', priority: 2, prompt: 'Cache ~/.npm between CI runs, keyed on package-lock.json.' },
  { file: '03-pin-node.md', title: 'Pin the Node version in CI', lane: 'infra', priority: 3, prompt: 'Read the Node version from .nvmrc in every CI job instead of "latest".' },
  { file: '04-review-login.md', title: 'Review the login change', lane: 'review', priority: 2, prompt: 'Read the login branch and list anything that would block merging it.' },
];

function inboxFile(task: DemoTask): string {
  // JSON strings are YAML strings too: a title with ": " in it stays one value.
  return ['---', `title: ${JSON.stringify(task.title)}`, `lane: ${task.lane}`, `priority: ${task.priority}`, '---', '', task.prompt, ''].join('\n');
}

function dropDemoTasks(repo: string): void {
  const inbox = inboxDir(new RuntimeDir(repo).dir);
  mkdirSync(inbox, { recursive: true });
  for (const task of DEMO_TASKS) writeFileSync(join(inbox, task.file), inboxFile(task));
}

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
    // Only with a new repo: a demo run again keeps its board as it was left.
    dropDemoTasks(repo);
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
  await loadConfig(file);
  return file;
}
