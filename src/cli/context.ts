/** Builds the parts every command needs from a config file: checks first, so a fault starts nothing. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Git } from '../adapters/git.js';
import { RuntimeDir } from '../adapters/runtime.js';
import { Tmux } from '../adapters/tmux.js';
import { loadConfig, locateConfig } from '../adapters/configFile.js';
import type { ProjectConfig } from '../core/config.js';
import { Supervisor } from '../control/supervisor.js';
import { createRedactor } from '../core/redact.js';

export interface Context {
  config: ProjectConfig;
  tmux: Tmux;
  git: Git;
  runtime: RuntimeDir;
  supervisor: Supervisor;
}

/**
 * The directory of muxctl's bin scripts. The bundle lives in dist/, the scripts in bin/ beside it;
 * workers get it first on their PATH, so `muxctl` and the demo agent resolve inside them.
 */
export function binDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/muxctl.js in the bundle; src/cli/context.ts when the tests load the sources.
  const candidates = [join(here, '..', 'bin'), join(here, '..', '..', 'bin')];
  return candidates.find((dir) => existsSync(join(dir, 'muxctl'))) ?? (candidates[0] as string);
}

export interface OpenOptions {
  /** Mask secrets in what muxctl shows of workers' screens (false for --no-redact). @default true */
  redact?: boolean;
}

export async function openProject(configFlag: string | undefined, options: OpenOptions = {}): Promise<Context> {
  const file = locateConfig(configFlag);
  const config = loadConfig(file);
  return openConfig(config, options);
}

export async function openConfig(config: ProjectConfig, options: OpenOptions = {}): Promise<Context> {
  await Promise.all([Tmux.version(), Git.version()]);
  const tmux = new Tmux(config.tmuxSocket);
  const git = new Git(config.repo);
  const runtime = new RuntimeDir(config.repo);
  const redact = createRedactor({ enabled: options.redact ?? true });
  const supervisor = new Supervisor(config, { tmux, git, runtime, binDir: binDir(), now: Date.now, redact });
  await supervisor.preflight();
  return { config, tmux, git, runtime, supervisor };
}
