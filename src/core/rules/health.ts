/**
 * A worker's health, as a pure function of what tmux says and what the person asked for. Every state
 * carries its evidence, so the panel can say how muxctl knows ("exit 3 at 14:02"), not just what it
 * thinks. The log-driven states (working, idle, waiting, stuck) come with the log sources.
 */

/**
 * `running` is what tmux alone can say of a live pane; with its logs and screen muxctl says more:
 * working, idle, waiting (needs the person), limited (the agent hit its usage limit: it waits for a
 * clock, not for the person, and is neither stuck nor crashed) or stuck (has work, no sign of life past a
 * threshold). `unreachable`: the worker's host does not answer over ssh; what runs there is not known,
 * so it is neither missing nor crashed.
 */
export type HealthState = 'starting' | 'running' | 'working' | 'idle' | 'waiting' | 'limited' | 'stuck' | 'exited' | 'crashed' | 'missing' | 'stopped' | 'unreachable';

export interface Health {
  state: HealthState;
  /** One line a person can check: what muxctl saw that makes it say so. */
  evidence: string;
  /** Since when the state holds (epoch ms), when known: drives "up 3m" and "exited 2m ago". */
  since: number | null;
  /** The badge text: "running", "exited 0", "crashed (SIGTERM)". */
  badge: string;
  /** Limited: when the usage limit resets (epoch ms), when the agent said. */
  until?: number;
  /** Missing: muxctl never started it (a new project), as opposed to a session that went away. */
  neverStarted?: true;
}

/** The parts of a tmux pane that health reads (structurally a subset of PaneInfo). */
export interface PaneFacts {
  dead: boolean;
  deadStatus: number | null;
  deadSignal: number | null;
  /** When the pane's process was started, epoch seconds. */
  created: number;
  deadTime: number | null;
  /** What runs in the pane now, as tmux names it (e.g. "node"). */
  currentCommand: string;
}

export interface HealthInput {
  pane: PaneFacts | undefined;
  /** What the person last asked for this worker. */
  desired: 'running' | 'stopped';
  /** When muxctl last started or restarted this worker (epoch ms), if it knows. */
  startedAt: number | null;
  /** When the person stopped it (epoch ms), if they did. */
  stoppedAt: number | null;
  now: number;
  /** How to install the worker's program (its agent preset's), said when the program is not found. */
  install?: string | undefined;
}

/** A freshly started process is "starting" for this long, so a command that dies at once never flashes "running". */
export const STARTING_GRACE_MS = 2_000;

const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

export function signalName(signal: number): string {
  return SIGNAL_NAMES[signal] ?? `signal ${signal}`;
}

/** What a well-known exit status usually means, to put beside the number. */
function exitMeaning(status: number): string {
  if (status === 127) return ': command not found';
  if (status === 126) return ': command not executable';
  if (status > 128 && status < 160) return ` (${signalName(status - 128)})`;
  return '';
}

export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function deriveHealth(input: HealthInput): Health {
  const { pane, now } = input;
  if (!pane) {
    if (input.desired === 'stopped') {
      const at = input.stoppedAt !== null ? ` at ${clockTime(input.stoppedAt)}` : '';
      return { state: 'stopped', evidence: `stopped by you${at} · u starts it`, since: input.stoppedAt, badge: 'stopped' };
    }
    if (input.startedAt === null && input.stoppedAt === null) return { state: 'missing', evidence: 'not started yet · u starts it', since: null, badge: 'missing', neverStarted: true };
    return { state: 'missing', evidence: 'no tmux session · u starts it', since: null, badge: 'missing' };
  }

  if (pane.dead) {
    const at = pane.deadTime !== null ? pane.deadTime * 1000 : null;
    const when = at !== null ? ` at ${clockTime(at)}` : '';
    if (pane.deadSignal !== null && pane.deadSignal > 0) {
      const name = signalName(pane.deadSignal);
      return { state: 'crashed', evidence: `killed by ${name}${when}`, since: at, badge: `crashed (${name})` };
    }
    const status = pane.deadStatus ?? 0;
    if (status === 0) return { state: 'exited', evidence: `exit 0${when}`, since: at, badge: 'exited 0' };
    const install = status === 127 && input.install !== undefined ? ` · install it: ${input.install}` : '';
    return { state: 'crashed', evidence: `exit ${status}${exitMeaning(status)}${when}${install}`, since: at, badge: `exited ${status}` };
  }

  const startedAt = Math.max(pane.created * 1000, input.startedAt ?? 0);
  if (now - startedAt < STARTING_GRACE_MS) {
    return { state: 'starting', evidence: `started at ${clockTime(startedAt)}`, since: startedAt, badge: 'starting' };
  }
  return { state: 'running', evidence: `process alive (${pane.currentCommand || 'unknown'}) since ${clockTime(startedAt)}`, since: startedAt, badge: 'running' };
}

/**
 * "<1m", "3m", "2h05m", "3d4h": short enough for a panel's line, and never finer than a minute, so
 * that a grid of idle workers has nothing to redraw more than once a minute.
 */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return '<1m';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

/**
 * A key that changes exactly when a duration or the clock shown on screen would change (at most once a
 * minute). The loop re-renders only when it or the facts change, so an idle grid stays still.
 */
export function displayedTimeKey(sinces: readonly (number | null)[], now: number): string {
  const parts = sinces.map((since) => (since === null ? '-' : shortDuration(now - since)));
  return `${Math.floor(now / 60_000)}|${parts.join(',')}`;
}

/** "2026-11-23": the date beside a clock time where a history spans days (events, reports, handoff). */
export function clockDate(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((n) => String(n).padStart(2, '0')).join('-');
}

/** "14:02": the header's clock, which moves once a minute. */
export function clockMinutes(epochMs: number): string {
  return clockTime(epochMs).slice(0, 5);
}

/** The start of the minute `now` is in: the time on-screen durations count to (see LivenessInput.shownNow). */
export function minuteOf(now: number): number {
  return Math.floor(now / 60_000) * 60_000;
}

/**
 * A worker whose host does not answer over ssh: not missing, not crashed, since nothing is known of
 * what runs there. The evidence says since when and ssh's own words; muxctl keeps asking.
 */
export function unreachableHealth(host: string, since: number, said: string): Health {
  return { state: 'unreachable', evidence: `host ${host} unreachable since ${clockTime(since)} · retrying · ssh: ${said}`, since, badge: 'unreachable' };
}
