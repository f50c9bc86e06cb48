/**
 * How muxctl starts git: `git -C <dir> <argv…>` with an argv array — never a shell — in an
 * environment that cannot point git at another repository or make it wait on a prompt. The command files
 * (git.ts, gitWorktree.ts, gitLand.ts) build the argv; this file only runs it and classifies the result.
 */
import { runProgram, type ProgramRunner } from './program.js';
import { GitCommandError, GitMissingError } from '../core/parsers/gitErrors.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
}

export interface RunOptions {
  env?: Record<string, string>;
}

/** Variables that would point git at another repository, index or object store than `-C` says. */
const LOCATING_VARS = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

/**
 * Never wait on a credential prompt nobody can see; never take the index lock just to refresh stat
 * data while an agent is committing in the same worktree.
 */
const GUARDS = { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };

function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !LOCATING_VARS.includes(key)) env[key] = value;
  }
  return { ...env, ...GUARDS, ...extra };
}

/**
 * Runs git here, or on a host over ssh (`SshHost.program()`). A host's git gets the same guarded
 * environment, set there by `env`: the host's login environment is its own, not this process's.
 */
export class GitRunner {
  constructor(
    private readonly program: ProgramRunner = runProgram,
    /** The host's name, for messages; null: this machine. */
    readonly host: string | null = null,
  ) {}

  /** Run git in `dir`; a failure to start git at all becomes GitMissingError, anything else is returned. */
  async run(dir: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const argv = ['-C', dir, ...args];
    const result =
      this.host === null
        ? await this.program('git', argv, { env: gitEnv(options.env) })
        : await this.program('env', [...LOCATING_VARS.flatMap((key) => ['-u', key]), ...Object.entries({ ...GUARDS, ...options.env }).map(([key, value]) => `${key}=${value}`), 'git', ...argv], { env: {} });
    if (result.missing) throw new GitMissingError(this.host === null ? 'no `git` on PATH' : `no \`git\` on the PATH of host ${this.host}`);
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
  }

  /** Run git and return stdout, or throw GitCommandError carrying git's own words. */
  async runOk(dir: string, args: readonly string[], context?: string, options: RunOptions = {}): Promise<string> {
    const result = await this.run(dir, args, options);
    if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr, this.where(context));
    return result.stdout;
  }

  /** For yes/no commands (exit 0 = yes, 1 = no); anything else is a real failure, not a "no". */
  async runYesNo(dir: string, args: readonly string[], context?: string): Promise<boolean> {
    const result = await this.run(dir, args);
    if (result.exitCode === 0) return true;
    if (result.exitCode === 1) return false;
    throw new GitCommandError(args, result.exitCode, result.stderr, this.where(context));
  }

  /** Removes a scratch file git was pointed at (a host's snapshot index), where git runs. */
  async removeScratch(file: string): Promise<void> {
    await this.program('rm', ['-f', '--', file], { env: this.host === null ? gitEnv() : {} });
  }

  private where(context: string | undefined): string | undefined {
    return this.host === null || context === undefined ? context : `on host ${this.host}: ${context}`;
  }
}

/** git on this machine: what the lander, the diffs and every local worktree use. */
export const localGit = new GitRunner();

export const run = (dir: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> => localGit.run(dir, args, options);
export const runOk = (dir: string, args: readonly string[], context?: string, options: RunOptions = {}): Promise<string> => localGit.runOk(dir, args, context, options);
export const runYesNo = (dir: string, args: readonly string[], context?: string): Promise<boolean> => localGit.runYesNo(dir, args, context);
