/**
 * Desktop notifications (`alerts.desktop`), the pure half: which way a notification can reach the
 * person, whether one may go now, and its text. The adapter (src/adapters/notify.ts) looks at PATH and
 * sends; src/control/notifications.ts decides when.
 *
 * The ways, in order:
 * - Over SSH (`SSH_CONNECTION` or `SSH_TTY` set) the terminal's own escape: the person's desktop is at
 *   the other end of the connection, and the escape travels there with the screen. `notify-send` or
 *   `osascript` would notify the machine muxctl runs on, which nobody is looking at.
 * - macOS: `osascript -e 'display notification "…" with title "…"'`.
 * - `notify-send`, where it is on PATH and a graphical session is there (`DISPLAY` or
 *   `WAYLAND_DISPLAY`): without one it has no notification daemon to talk to and fails.
 * - Otherwise the terminal's escape on the dashboard's stdout: OSC 9 (body only) for iTerm2, whose own
 *   protocol it is; OSC 777 (`notify;TITLE;BODY`, from urxvt: foot, Ghostty, WezTerm, kitty) elsewhere.
 *   A terminal that knows neither ignores it. Inside tmux it is wrapped for passthrough (`\ePtmux;…\e\\`,
 *   ESCs doubled); tmux 3.3 and later forward it only with `set -g allow-passthrough on`.
 */
import type { HealthState } from './health.js';
import { redact } from './redact.js';
import type { Task, TaskState } from './tasks.js';

export type Notifier =
  | { kind: 'notify-send'; program: string }
  | { kind: 'osascript'; program: string }
  | { kind: 'osc'; code: '777' | '9'; tmux: boolean };

export interface NotifierFacts {
  /** `process.platform`. */
  platform: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Where each program was found on PATH (absolute), or null. */
  found: Readonly<Record<'notify-send' | 'osascript', string | null>>;
}

/** The way a notification reaches the person here (see the file's comment for the order and why). */
export function chooseNotifier({ platform, env, found }: NotifierFacts): Notifier {
  const set = (name: string): boolean => (env[name] ?? '') !== '';
  const osc = (): Notifier => ({ kind: 'osc', code: env['TERM_PROGRAM'] === 'iTerm.app' || env['LC_TERMINAL'] === 'iTerm2' ? '9' : '777', tmux: set('TMUX') });
  if (set('SSH_CONNECTION') || set('SSH_TTY')) return osc();
  const osascript = found.osascript;
  if (platform === 'darwin' && osascript !== null) return { kind: 'osascript', program: osascript };
  const notifySend = found['notify-send'];
  if (notifySend !== null && (set('DISPLAY') || set('WAYLAND_DISPLAY'))) return { kind: 'notify-send', program: notifySend };
  return osc();
}

/** `lastSent` per worker: a worker notified less than `intervalMs` ago gets no other notification yet. */
export function mayNotify(lastSent: ReadonlyMap<string, number>, key: string, now: number, intervalMs: number): boolean {
  const last = lastSent.get(key);
  return last === undefined || now - last >= intervalMs;
}

export interface NotificationText {
  title: string;
  body: string;
}

/** Cut to whole characters (code points), never in the middle of a surrogate pair. */
export const TITLE_MAX = 80;
export const BODY_MAX = 240;

/**
 * One line, safe in every channel: control characters (ESC, BEL would end or break an escape) and
 * line breaks become spaces, runs of blanks one space, then cut with "…".
 */
function clean(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * What a worker or task said is masked, always, even under `--no-redact`: a notification outlives the
 * screen (the notification centre keeps it, the lock screen shows it). Only those parts: the frame
 * around them would read as an assignment to the redactor (a project named "secret": "secret: app-1").
 */
const masked = (text: string): string => redact(text.replace(/\s+/g, ' '));

/** The text of a notification for a worker's new state: its name and state in the title, the evidence in the body. */
export function stateNotification(project: string, worker: string, state: HealthState, evidence: string): NotificationText {
  return { title: clean(`muxctl ${project}: ${worker} ${state}`, TITLE_MAX), body: clean(evidence === '' ? state : masked(evidence), BODY_MAX) };
}

/** The text for a task that finished: who did it, which task, and what it said it did. */
export function taskDoneNotification(project: string, task: Task): NotificationText {
  const who = task.assignee ?? 'a worker';
  const said = task.outcome?.message === undefined ? '' : masked(task.outcome.message);
  const commits = task.outcome === null ? '' : ` · ${task.outcome.commits} commit${task.outcome.commits === 1 ? '' : 's'}`;
  return {
    title: clean(`muxctl ${project}: ${who} finished ${task.id}`, TITLE_MAX),
    body: clean(`${task.id} ${masked(task.title)} ${task.state}${commits}${said === '' ? '' : ` · ${said}`}`, BODY_MAX),
  };
}

const FINISHED: ReadonlySet<TaskState> = new Set(['done', 'landed']);

/**
 * The tasks that finished since `before` (the states last seen, by id). Landed counts too: a task can
 * be done and landed between two reads of the board, and it finished all the same; done → landed is
 * not a second finish.
 */
export function newlyFinished(before: ReadonlyMap<string, TaskState>, tasks: readonly Task[]): Task[] {
  return tasks.filter((task) => FINISHED.has(task.state) && !FINISHED.has(before.get(task.id) ?? 'queued'));
}

/** An AppleScript string literal: in double quotes, backslash and double quote escaped. */
export function appleScriptString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** notify-send reads its body as markup (`<b>`, `&amp;`): these three must be escaped to show as written. */
function markupEscaped(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** The argv for a notifier that is a program (never a shell line: evidence may hold quotes and `$(…)`). */
export function notifyArgv(notifier: Extract<Notifier, { program: string }>, text: NotificationText): string[] {
  if (notifier.kind === 'osascript') return ['-e', `display notification ${appleScriptString(text.body)} with title ${appleScriptString(text.title)}`];
  // "--" ends the options: a body that starts with "-" is not read as one.
  return ['--app-name=muxctl', '--', text.title, markupEscaped(text.body)];
}

/**
 * The escape for a terminal notifier, written to the dashboard's stdout. The text is clean of control
 * characters already; ";" separates OSC 777's fields, so the title has none.
 */
export function oscSequence(notifier: Extract<Notifier, { kind: 'osc' }>, text: NotificationText): string {
  const sequence = notifier.code === '9' ? `\x1b]9;${text.title}: ${text.body}\x07` : `\x1b]777;notify;${text.title.replace(/;/g, ',')};${text.body}\x07`;
  return notifier.tmux ? `\x1bPtmux;${sequence.replaceAll('\x1b', '\x1b\x1b')}\x1b\\` : sequence;
}
