/**
 * Preparing a worktree on a host (worktreePrep.ts's PrepPlace, there): every step is a fixed sh script
 * run through the host's connection, paths and commands as its arguments, never spliced into it. The
 * copy keeps the rules of the local one: never over a file the worktree has, never through a directory
 * that leads out of the worktree or the main checkout, links copied as links, modes kept.
 */
import type { PrepMarker, SetupRun } from '../core/rules/worktreePrep.js';
import { appendOnHost, writeOnHost, type RemoteWriter } from './hostFiles.js';
import type { RemoteRunner } from './remoteTail.js';
import type { CopyReport, PrepPlace, SetupOptions } from './worktreePrep.js';

const MARKER = 'muxctl-prepared.json';

/** One line a path, in order: "copied", "kept", or "skipped <why>". */
const COPY_SCRIPT = [
  'from=$1; to=$2; shift 2',
  'rfrom=$(cd "$from" && pwd -P) || exit 3',
  'rto=$(cd "$to" && pwd -P) || exit 3',
  'for p; do',
  '  src=$from/$p; dst=$to/$p',
  '  if [ -e "$dst" ] || [ -L "$dst" ]; then echo kept; continue; fi',
  '  if [ ! -f "$src" ] && [ ! -L "$src" ]; then echo "skipped gone from the main checkout, or not a regular file"; continue; fi',
  '  sd=$(cd "$(dirname "$src")" && pwd -P)',
  '  case $sd in "$rfrom"|"$rfrom"/*) ;; *) echo "skipped its directory leads out of the repository"; continue ;; esac',
  '  d=$(dirname "$dst")',
  '  mkdir -p "$d" 2>/dev/null || { echo "skipped cannot make its directory in the worktree"; continue; }',
  '  rd=$(cd "$d" && pwd -P)',
  '  case $rd in "$rto"|"$rto"/*) ;; *) echo "skipped its directory in the worktree leads out of it (a symlink, not followed)"; continue ;; esac',
  '  if cp -P -p "$src" "$dst" 2>/dev/null; then echo copied; else echo "skipped the copy failed"; fi',
  'done',
].join('\n');

export class HostPrepPlace implements PrepPlace {
  readonly where: string;

  /**
   * @param shell commands without input (the looks at files), through a shell kept open there
   * @param host commands with input (writes) and the setup, on a channel each
   */
  constructor(
    private readonly shell: RemoteRunner,
    private readonly host: RemoteWriter,
    hostName: string,
  ) {
    this.where = ` on ${hostName}`;
  }

  async isFile(path: string): Promise<boolean> {
    return (await this.shell.run(['test', '-f', path])).exitCode === 0;
  }

  async readText(path: string): Promise<string | null> {
    const result = await this.shell.run(['sh', '-c', '[ -f "$1" ] && cat -- "$1"', 'sh', path]);
    return result.exitCode === 0 ? result.stdout : null;
  }

  async readMarker(gitDir: string): Promise<PrepMarker | null> {
    const text = await this.readText(`${gitDir}/${MARKER}`);
    try {
      const value = text === null ? null : (JSON.parse(text) as Partial<PrepMarker>);
      return value?.state === 'pending' || value?.state === 'done' || value?.state === 'failed' ? (value as PrepMarker) : null;
    } catch {
      return null;
    }
  }

  async writeMarker(gitDir: string, marker: PrepMarker): Promise<void> {
    await writeOnHost(this.host, `${gitDir}/${MARKER}`, JSON.stringify(marker) + '\n', this.where);
  }

  async copy(from: string, to: string, paths: readonly string[]): Promise<CopyReport> {
    const report: CopyReport = { copied: [], kept: [], skipped: [] };
    if (paths.length === 0) return report;
    const result = await this.shell.run(['sh', '-c', COPY_SCRIPT, 'sh', from, to, ...paths]);
    const lines = result.stdout.split('\n');
    paths.forEach((path, i) => {
      const line = lines[i] ?? '';
      if (line === 'copied') report.copied.push(path);
      else if (line === 'kept') report.kept.push(path);
      else report.skipped.push({ path, why: line.startsWith('skipped ') ? line.slice('skipped '.length) : result.stderr.trim() || 'not copied' });
    });
    return report;
  }

  /**
   * The setup there, in the worktree, with the worker's environment given by `env` there. Its output
   * comes back when it ends (a channel carries it whole), so the lines are said then.
   */
  async runSetup(command: string, options: SetupOptions): Promise<SetupRun> {
    const started = Date.now();
    const env = Object.entries(options.env).map(([key, value]) => `${key}=${value}`);
    let result: { stdout: string; stderr: string; exitCode: number };
    try {
      result = await this.host.run(['env', ...env, 'sh', '-c', 'cd "$1" && exec sh -c "$2" 2>&1 </dev/null', 'sh', options.cwd, command], { timeoutMs: options.timeoutMs });
    } catch (error) {
      // The connection is cut at the timeout (ssh's own failure otherwise): a setup that ran out of time.
      if (Date.now() - started < options.timeoutMs) throw error;
      return { exitCode: null, signal: null, timedOut: true, ms: Date.now() - started, tail: [] };
    }
    const lines = `${result.stdout}${result.stderr === '' ? '' : `\n${result.stderr}`}`.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
    for (const line of lines) options.onLine(line);
    return { exitCode: result.exitCode, signal: null, timedOut: false, ms: Date.now() - started, tail: lines.slice(-40) };
  }

  /** The worker's event log there: lines kept here, appended in one call at flush. */
  eventLog(file: string): { write(event: Record<string, unknown>): void; flush(): Promise<Error | null> } {
    const lines: string[] = [];
    return {
      write: (event) => void lines.push(JSON.stringify(event)),
      flush: async () => {
        if (lines.length === 0) return null;
        const text = lines.splice(0).join('\n') + '\n';
        return appendOnHost(this.host, file, text, this.where).then(
          () => null,
          (error: Error) => error,
        );
      },
    };
  }
}
