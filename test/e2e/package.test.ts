/**
 * muxctl as someone who is not working from a clone gets it: `npm pack` of this checkout, installed with
 * `npm install -g` into a temporary prefix, run from outside the clone so nothing resolves to its
 * node_modules. The tarball must hold what runs (bin, dist, the schema, the example config, README) and
 * nothing else; the installed muxctl must answer --version, bring a project up and report it in status,
 * and run the demo, whose workers find the installed demo agent on their PATH.
 *
 * The install builds the two native addons from source (better-sqlite3 takes ~2 minutes here), so this
 * file runs alone, in the race lane, once per test run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectsCleanedUpAfterEach, screenShows, tmux } from '../helpers/cli.js';
import { demoSocket, killDemoServer } from '../helpers/demo.js';
import { MUXCTL_ROOT } from '../helpers/project.js';
import { disposeAllPtys, spawnInPty } from '../helpers/pty.js';
import { waitFor } from '../helpers/waitFor.js';

const VERSION = (JSON.parse(readFileSync(join(MUXCTL_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const INSTALL_TIMEOUT_MS = 600_000;

/** What npm needs from the parent's environment, without the npm_* variables `npm test` sets (a prefix, a config). */
function npmEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  return env;
}

let scratch: string;
let packed: { filename: string; files: { path: string }[] };
/** The installed `muxctl`: <prefix>/bin/muxctl, npm's link to the package's bin. */
let installed: string;

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(join(tmpdir(), 'muxctl-package-')));
  // The test command built dist/ already; packing must not rebuild it under the other test files' feet.
  const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: MUXCTL_ROOT, env: npmEnv(), extendEnv: false });
  packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0] as typeof packed;
  const prefix = join(scratch, 'prefix');
  await execa(
    'npm',
    ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--allow-scripts=better-sqlite3,node-pty', join(scratch, packed.filename)],
    { cwd: scratch, env: npmEnv(), extendEnv: false, timeout: INSTALL_TIMEOUT_MS },
  );
  installed = join(prefix, 'bin', 'muxctl');
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

/** The installed muxctl, headless, from a directory outside the clone. */
function runInstalled(args: string[], cwd: string) {
  return execa(installed, args, { cwd, reject: false, stdin: 'ignore', env: { ...npmEnv(), TMUX: '', TMUX_PANE: '' }, extendEnv: false, timeout: 60_000 });
}

describe('the npm package', () => {
  it('holds bin, every file of dist, the schema, the example config and the README, and nothing else', () => {
    const paths = packed.files.map((file) => file.path).sort();
    const built = readdirSync(join(MUXCTL_ROOT, 'dist')).filter((name) => name.endsWith('.js'));
    expect(paths).toEqual(
      ['README.md', 'bin/muxctl', 'bin/muxctl-demo-agent', 'bin/package.json', ...built.map((name) => `dist/${name}`), 'package.json', 'sessions.example.json', 'sessions.schema.json'].sort(),
    );
  });

  it('installs a muxctl that prints its version', async () => {
    const result = await runInstalled(['--version'], scratch);
    expect({ exitCode: result.exitCode, stdout: result.stdout.trim(), stderr: result.stderr }).toEqual({ exitCode: 0, stdout: VERSION, stderr: '' });
  });

  describe('on a project', () => {
    const project = projectsCleanedUpAfterEach();

    it("brings a worker up, with the installed muxctl first on its PATH, and reports it in status", async () => {
      const p = await project('pkg', [{ name: 'w1', command: 'echo "MUXCTL=$(command -v muxctl)"; exec sleep 600' }]);
      const up = await runInstalled(['--config', p.configFile, 'up'], p.repo.path);
      expect(up.exitCode, `${up.stdout}\n${up.stderr}`).toBe(0);
      const packageBin = join(await realpath(join(installed, '..', '..')), 'lib', 'node_modules', 'muxctl', 'bin');
      await screenShows(p.socket, 'w1', `MUXCTL=${packageBin}/muxctl`, 10_000);
      const status = await runInstalled(['--config', p.configFile, 'status', '--json'], p.repo.path);
      expect(status.exitCode, status.stderr).toBe(0);
      const workers = (JSON.parse(status.stdout) as { workers: { name: string; worktree: string }[] }).workers;
      expect(workers.map((w) => ({ name: w.name, worktree: w.worktree }))).toEqual([{ name: 'w1', worktree: join(p.worktreeDir, 'w1') }]);
    });
  });

  describe('demo', () => {
    let root: string | null = null;

    afterEach(async () => {
      disposeAllPtys();
      if (root === null) return;
      await killDemoServer(root);
      await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      root = null;
    });

    it('shows the five demo workers, each running the installed demo agent', async () => {
      root = await realpath(await mkdtemp(join(tmpdir(), 'muxctl-package-demo-')));
      const screen = spawnInPty(installed, ['demo'], { cols: 160, rows: 45, cwd: root, env: { MUXCTL_DEMO_DIR: root } });
      for (const name of ['app-1', 'app-2', 'infra-1', 'infra-2', 'review-1']) await screen.waitForText(name, { timeoutMs: 30_000, what: `the demo worker ${name}` });
      const socket = demoSocket(root);
      expect(socket).not.toBeNull();
      // The agent's own first line in its pane: it ran, from the installed package's bin on the worker's PATH.
      const header = await waitFor(
        async () => {
          const shown = await tmux(socket ?? '', 'capture-pane', '-p', '-J', '-S', '-', '-t', '=app-1:');
          return /^muxctl-demo-agent · profile steady/m.test(shown.stdout) ? shown.stdout : undefined;
        },
        { what: "app-1's demo agent to print its header", timeoutMs: 30_000 },
      );
      expect(header).toContain('muxctl-demo-agent');
      screen.write('q');
      expect(await screen.waitForExit(15_000)).toEqual({ exitCode: 0 });
    });
  });
});
