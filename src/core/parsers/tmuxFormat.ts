/**
 * What muxctl asks tmux to print, and how it reads the answer. Pure: the adapter runs tmux, this module
 * only builds format strings and parses text, so every odd line tmux can print is unit-tested here.
 */

/** One pane as seen by one `list-panes -a` call. */
export interface PaneInfo {
  session: string;
  paneId: string;
  pid: number;
  dead: boolean;
  /** Exit code; null when killed by a signal or still alive. */
  deadStatus: number | null;
  /** Signal number when killed by a signal (tmux then leaves the status empty). */
  deadSignal: number | null;
  currentCommand: string;
  /** window_activity, epoch seconds. */
  activity: number;
  /** session_created, epoch seconds. */
  created: number;
  /** pane_dead_time, epoch seconds, when the pane is dead and tmux reports it (3.3+). */
  deadTime: number | null;
  /** The pane user option @muxctl_worker; null when unset. */
  worker: string | null;
  /** The host whose tmux server has the pane; absent: this machine's. */
  host?: string;
}

/** The pane user option that tags a pane with the worker it runs (titles get overwritten by programs). */
export const WORKER_OPTION = '@muxctl_worker';

const PANE_FIELDS = [
  'session_name',
  'pane_id',
  'pane_pid',
  'pane_dead',
  'pane_dead_status',
  'pane_dead_signal',
  'window_activity',
  'session_created',
  'pane_dead_time',
  WORKER_OPTION,
  // Last on purpose: the only free text (a process name), so a stray tab in it cannot shift other fields.
  'pane_current_command',
] as const;

/** `list-panes -a -F <this>`: one tab-separated line per pane. */
export const PANE_LIST_FORMAT = PANE_FIELDS.map((field) => `#{${field}}`).join('\t');

const FIXED_FIELD_COUNT = PANE_FIELDS.length - 1;

/** Parses `list-panes -a -F PANE_LIST_FORMAT` output. Malformed lines are skipped, never thrown on. */
export function parsePaneList(stdout: string): PaneInfo[] {
  const panes: PaneInfo[] = [];
  for (const line of stdout.split('\n')) {
    const pane = parsePaneLine(line);
    if (pane) panes.push(pane);
  }
  return panes;
}

function parsePaneLine(line: string): PaneInfo | null {
  const parts = line.split('\t');
  if (parts.length < PANE_FIELDS.length) return null;
  const [session, paneId, pid, dead, status, signal, activity, created, deadTime, worker] = parts;
  const currentCommand = parts.slice(FIXED_FIELD_COUNT).join('\t');
  if (!session || !paneId?.startsWith('%')) return null;
  const pidNumber = optionalInt(pid);
  const activityNumber = optionalInt(activity);
  const createdNumber = optionalInt(created);
  if (pidNumber === null || activityNumber === null || createdNumber === null) return null;
  if (dead !== '0' && dead !== '1') return null;
  const isDead = dead === '1';
  return {
    session,
    paneId,
    pid: pidNumber,
    dead: isDead,
    deadStatus: isDead ? optionalInt(status) : null,
    deadSignal: isDead ? optionalInt(signal) : null,
    currentCommand,
    activity: activityNumber,
    created: createdNumber,
    deadTime: isDead ? optionalInt(deadTime) : null,
    worker: worker ? worker : null,
  };
}

function optionalInt(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  return Number(text);
}

export interface TmuxVersion {
  major: number;
  minor: number;
  /** What tmux printed after "tmux ", e.g. "3.3a", "next-3.4", "master". */
  raw: string;
}

/** The oldest tmux muxctl supports: argv commands, `new-session -e`, pane options and formats it uses. */
export const MIN_TMUX_VERSION = { major: 3, minor: 0 } as const;

/**
 * A build from git master or OpenBSD's base system names no release; both are newer than anything
 * muxctl needs, so they read as this version rather than as an error.
 */
const UNRELEASED_VERSION = 999;

/** Parses `tmux -V` output ("tmux 3.3a", "tmux next-3.4", "tmux master"); null when it is not tmux's. */
export function parseVersion(output: string): TmuxVersion | null {
  const match = /^tmux\s+(\S+)/.exec(output.trim());
  const raw = match?.[1];
  if (!raw) return null;
  if (raw === 'master' || raw.startsWith('openbsd-')) return { major: UNRELEASED_VERSION, minor: 0, raw };
  const numbers = /^(?:next-)?(\d+)\.(\d+)/.exec(raw);
  if (!numbers?.[1] || !numbers[2]) return null;
  return { major: Number(numbers[1]), minor: Number(numbers[2]), raw };
}

export function isVersionAtLeast(version: TmuxVersion, needed: { major: number; minor: number }): boolean {
  return version.major > needed.major || (version.major === needed.major && version.minor >= needed.minor);
}

/**
 * Makes one argv element reach a tmux command unchanged. tmux 3.3a splits commands on any argv element
 * that ENDS with ';' (not only on a lone ';'): `sh -c 'echo hi;'` loses its ';' and `-e V=a;` breaks the
 * whole call. A trailing '\;' is tmux's escape for a literal ';' (and "x\;" must become "x\\;").
 */
export function escapeTmuxArgument(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

/**
 * For arguments tmux expands as formats (a start directory given with -c): '#' must be doubled, or a
 * directory named "a#{pane_id}" silently becomes another path and tmux falls back to its own cwd.
 */
export function escapeFormat(text: string): string {
  return text.replaceAll('#', '##');
}

/** Chains tmux commands into one argv, `;` as its own element, every other element escaped. */
export function chainCommands(commands: readonly (readonly string[])[]): string[] {
  const argv: string[] = [];
  for (const command of commands) {
    if (command.length === 0) continue;
    if (argv.length > 0) argv.push(';');
    for (const arg of command) argv.push(escapeTmuxArgument(arg));
  }
  return argv;
}

/** The line `display-message -p` prints after the capture of the pane at `index` in a capture chain. */
export function captureMarker(nonce: string, index: number): string {
  return `__muxctl_capture_${nonce}_${index}__`;
}

/**
 * Splits the output of a chain `capture-pane …; display-message -p <marker 0>; capture-pane …; …` into
 * one chunk of lines per marker seen, in order. A chain that tmux aborted part-way yields fewer chunks.
 */
export function splitCaptureChain(stdout: string, nonce: string, count: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  for (const line of stdout.split('\n')) {
    if (chunks.length < count && line === captureMarker(nonce, chunks.length)) {
      chunks.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  return chunks;
}

/**
 * The last `lines` lines of a captured screen, trailing spaces and trailing blank lines removed.
 * When a pane dies, tmux 3.3a writes "Pane is dead (…)" on the bottom row, so a short-lived command's
 * last words sit at the top with a screenful of blank rows between them and that line: those rows are
 * dropped, or the panel would show blanks instead of the error that matters.
 */
export function tailOfCapture(captured: readonly string[], lines: number): string[] {
  const trimmed = captured.map((line) => line.trimEnd());
  let end = trimmed.length;
  while (end > 0 && trimmed[end - 1] === '') end -= 1;
  const last = trimmed[end - 1];
  if (last !== undefined && last.startsWith('Pane is dead')) {
    let before = end - 1;
    while (before > 0 && trimmed[before - 1] === '') before -= 1;
    const kept = [...trimmed.slice(0, before), last];
    return kept.slice(Math.max(0, kept.length - lines));
  }
  return trimmed.slice(Math.max(0, end - lines), end);
}
