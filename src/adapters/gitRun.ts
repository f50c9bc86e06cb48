/**
 * How muxctl starts git: `git -C <dir> <argv…>` with an argv array — never a shell — in an
 * environment that cannot point git at another repository or make it wait on a prompt. The command files
 * (git.ts, gitWorktree.ts, gitLand.ts) build the argv; this file only runs it and classifies the result.
 */
import { runProgram } from './program.js';
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

function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !LOCATING_VARS.includes(key)) env[key] = value;
  }
  // Never wait on a credential prompt nobody can see; never take the index lock just to refresh stat
  // data while an agent is committing in the same worktree.
  env['GIT_TERMINAL_PROMPT'] = '0';
  env['GIT_OPTIONAL_LOCKS'] = '0';
  return { ...env, ...extra };
}

/** Run git in `dir`; a failure to start git at all becomes GitMissingError, anything else is returned. */
export async function run(dir: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await runProgram('git', ['-C', dir, ...args], { env: gitEnv(options.env) });
  if (result.missing) throw new GitMissingError('no `git` on PATH');
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
}

/** Run git and return stdout, or throw GitCommandError carrying git's own words. */
export async function runOk(dir: string, args: readonly string[], context?: string, options: RunOptions = {}): Promise<string> {
  const result = await run(dir, args, options);
  if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr, context);
  return result.stdout;
}

/** For yes/no commands (exit 0 = yes, 1 = no); anything else is a real failure, not a "no". */
export async function runYesNo(dir: string, args: readonly string[], context?: string): Promise<boolean> {
  const result = await run(dir, args);
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw new GitCommandError(args, result.exitCode, result.stderr, context);
}
