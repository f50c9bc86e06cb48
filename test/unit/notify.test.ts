import { describe, expect, it } from 'vitest';
import { Notifications } from '../../src/control/notifications.js';
import type { ProjectConfig } from '../../src/core/config/types.js';
import {
  appleScriptString,
  BODY_MAX,
  chooseNotifier,
  mayNotify,
  newlyFinished,
  notifyArgv,
  oscSequence,
  stateNotification,
  taskDoneNotification,
  TITLE_MAX,
  type NotificationText,
  type NotifierFacts,
} from '../../src/core/rules/notify.js';
import type { Task, TaskState } from '../../src/core/rules/tasks.js';

// Built here, never written down: the shape of an OpenAI key (the redactor wants a digit in the body).
const KEY = `sk-${'aB3dE6gH9k'.repeat(5).slice(0, 48)}`;

const facts = (over: Partial<NotifierFacts> & { env?: NotifierFacts['env'] }): NotifierFacts => ({
  platform: 'linux',
  env: {},
  found: { 'notify-send': null, osascript: null },
  ...over,
});
const bothFound = { 'notify-send': '/usr/bin/notify-send', osascript: '/usr/bin/osascript' };

describe('chooseNotifier: the way a notification reaches the person', () => {
  it.each<[string, NotifierFacts, ReturnType<typeof chooseNotifier>]>([
    ['Linux desktop with notify-send', facts({ env: { DISPLAY: ':0' }, found: bothFound }), { kind: 'notify-send', program: '/usr/bin/notify-send' }],
    ['Wayland with notify-send', facts({ env: { WAYLAND_DISPLAY: 'wayland-0' }, found: { 'notify-send': '/bin/notify-send', osascript: null } }), { kind: 'notify-send', program: '/bin/notify-send' }],
    ['macOS with osascript', facts({ platform: 'darwin', env: { DISPLAY: ':0' }, found: bothFound }), { kind: 'osascript', program: '/usr/bin/osascript' }],
    ['notify-send but no graphical session', facts({ env: { TERM: 'xterm' }, found: bothFound }), { kind: 'osc', code: '777', tmux: false }],
    ['neither program', facts({ env: { DISPLAY: ':0' } }), { kind: 'osc', code: '777', tmux: false }],
    ['macOS without osascript', facts({ platform: 'darwin' }), { kind: 'osc', code: '777', tmux: false }],
    ['over SSH, even with a desktop here', facts({ env: { DISPLAY: ':0', SSH_CONNECTION: '10.0.0.2 5122 10.0.0.1 22' }, found: bothFound }), { kind: 'osc', code: '777', tmux: false }],
    ['over SSH to a Mac', facts({ platform: 'darwin', env: { SSH_TTY: '/dev/ttys003' }, found: bothFound }), { kind: 'osc', code: '777', tmux: false }],
    ['iTerm2: its own OSC 9', facts({ platform: 'darwin', env: { TERM_PROGRAM: 'iTerm.app' } }), { kind: 'osc', code: '9', tmux: false }],
    ['iTerm2 through tmux', facts({ env: { LC_TERMINAL: 'iTerm2', TMUX: '/tmp/tmux-1000/default,1,0' } }), { kind: 'osc', code: '9', tmux: true }],
    ['an empty DISPLAY is none', facts({ env: { DISPLAY: '' }, found: bothFound }), { kind: 'osc', code: '777', tmux: false }],
  ])('%s', (_label, input, expected) => {
    expect(chooseNotifier(input)).toEqual(expected);
  });
});

describe('mayNotify: at most one a worker per interval', () => {
  const sent = new Map([['app-1', 100_000]]);
  it.each<[string, string, number, boolean]>([
    ['never notified', 'app-2', 100_001, true],
    ['just notified', 'app-1', 100_001, false],
    ['a moment before the interval ends', 'app-1', 159_999, false],
    ['exactly one interval later', 'app-1', 160_000, true],
    ['long after', 'app-1', 500_000, true],
  ])('%s', (_label, worker, now, expected) => {
    expect(mayNotify(sent, worker, now, 60_000)).toBe(expected);
  });

  it('an interval of 0 lets every one through', () => {
    expect(mayNotify(sent, 'app-1', 100_000, 0)).toBe(true);
  });
});

describe('the text: worker, state, evidence; masked, one line, capped', () => {
  it('names the project, the worker and the state in the title, the evidence in the body', () => {
    expect(stateNotification('demo', 'app-1', 'crashed', 'exit 3 at 14:02:11')).toEqual({ title: 'muxctl demo: app-1 crashed', body: 'exit 3 at 14:02:11' });
    expect(stateNotification('demo', 'app-1', 'stuck', '')).toEqual({ title: 'muxctl demo: app-1 stuck', body: 'stuck' });
  });

  it('masks secrets, always (a notification outlives the screen)', () => {
    const text = stateNotification('demo', 'app-1', 'waiting', `asks: Allow Bash(curl -H "x: ${KEY}")? [y/n]`);
    expect(text.body).toBe('asks: Allow Bash(curl -H "x: sk-…[redacted]")? [y/n]');
    expect(JSON.stringify(text)).not.toContain(KEY.slice(3, 20));
    expect(stateNotification('demo', 'app-1', 'waiting', `export API_KEY=abc\ndef`).body).toBe('export API_KEY=[redacted] def');
  });

  it('masks only what the worker said: a project named "secret" keeps the worker name', () => {
    expect(stateNotification('secret', 'asker', 'waiting', 'password: hunter2')).toEqual({ title: 'muxctl secret: asker waiting', body: 'password: [redacted]' });
    expect(taskDoneNotification('secret', task('T1', 'done', { assignee: 'app-1', title: 'token: abc123' })).title).toBe('muxctl secret: app-1 finished T1');
  });

  it('takes out control characters (an ESC or BEL would break the escape) and line breaks', () => {
    const text = stateNotification('demo', 'w\x1b]0;x', 'waiting', 'line one\nline\ttwo\x07\x1b[31m red\u009b');
    expect(text.title).toBe('muxctl demo: w ]0;x waiting');
    expect(text.body).toBe('line one line two [31m red');
    // eslint-disable-next-line no-control-regex
    expect(`${text.title}${text.body}`).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('cuts long text to whole characters with an ellipsis', () => {
    const text = stateNotification('demo', 'a'.repeat(200), 'waiting', '😀'.repeat(400));
    expect([...text.title]).toHaveLength(TITLE_MAX);
    expect(text.title.endsWith('…')).toBe(true);
    expect([...text.body]).toHaveLength(BODY_MAX);
    expect(text.body).toBe(`${'😀'.repeat(BODY_MAX - 1)}…`);
  });

  it('a finished task: who, which, and what it said it did (masked)', () => {
    const t = task('T12', 'done', { assignee: 'app-2', title: 'Fix login', outcome: { message: `used ${KEY} to log in`, commits: 2 } });
    expect(taskDoneNotification('demo', t)).toEqual({ title: 'muxctl demo: app-2 finished T12', body: 'T12 Fix login done · 2 commits · used sk-…[redacted] to log in' });
    expect(taskDoneNotification('demo', task('T3', 'landed', { title: 'Bump' }))).toEqual({ title: 'muxctl demo: a worker finished T3', body: 'T3 Bump landed' });
  });
});

describe('newlyFinished: a task of the board becoming done', () => {
  const before = new Map<string, TaskState>([['T1', 'running'], ['T2', 'done'], ['T3', 'claimed'], ['T4', 'running']]);
  it('running → done and claimed → landed finish; done → landed, still running and a failure do not', () => {
    const now = [task('T1', 'done'), task('T2', 'landed'), task('T3', 'landed'), task('T4', 'failed')];
    expect(newlyFinished(before, now).map((t) => t.id)).toEqual(['T1', 'T3']);
  });
  it('a task new to the board that is done already finished too', () => {
    expect(newlyFinished(before, [task('T9', 'done'), task('T8', 'queued')]).map((t) => t.id)).toEqual(['T9']);
  });
});

describe('the argv and the escape', () => {
  const text: NotificationText = { title: 'muxctl demo: app-1 waiting', body: `asks: rm "$(whoami)" \\ 'x' <b>&` };

  it('notify-send: options ended with --, the body markup-escaped, one argument each', () => {
    expect(notifyArgv({ kind: 'notify-send', program: '/usr/bin/notify-send' }, text)).toEqual([
      '--app-name=muxctl',
      '--',
      'muxctl demo: app-1 waiting',
      `asks: rm "$(whoami)" \\ 'x' &lt;b&gt;&amp;`,
    ]);
  });

  it('osascript: both strings quoted as AppleScript literals', () => {
    expect(appleScriptString(`a "b" \\c`)).toBe(`"a \\"b\\" \\\\c"`);
    expect(notifyArgv({ kind: 'osascript', program: '/usr/bin/osascript' }, text)).toEqual([
      '-e',
      `display notification "asks: rm \\"$(whoami)\\" \\\\ 'x' <b>&" with title "muxctl demo: app-1 waiting"`,
    ]);
  });

  it('OSC 777 with title and body (no ";" in the title), OSC 9 with one text', () => {
    expect(oscSequence({ kind: 'osc', code: '777', tmux: false }, { title: 'a;b', body: 'c;d' })).toBe('\x1b]777;notify;a,b;c;d\x07');
    expect(oscSequence({ kind: 'osc', code: '9', tmux: false }, { title: 't', body: 'b' })).toBe('\x1b]9;t: b\x07');
  });

  it('inside tmux: wrapped for passthrough, its ESCs doubled', () => {
    expect(oscSequence({ kind: 'osc', code: '777', tmux: true }, { title: 't', body: 'b' })).toBe('\x1bPtmux;\x1b\x1b]777;notify;t;b\x07\x1b\\');
  });
});

describe('Notifications: when the dashboard sends one', () => {
  function setup(over: { desktop?: boolean; minIntervalSeconds?: number; leader?: boolean } = {}) {
    const sent: NotificationText[] = [];
    let now = 1_000_000;
    const config = { project: 'demo', alerts: { bell: true, desktop: over.desktop ?? true, minIntervalSeconds: over.minIntervalSeconds ?? 60 } } as ProjectConfig;
    const notifications = new Notifications({ config: () => config, leader: () => over.leader ?? true, send: (text) => sent.push(text), now: () => now });
    return { sent, notifications, advance: (ms: number) => (now += ms) };
  }
  const crash = { worker: 'app-1', from: 'working', to: 'crashed', evidence: 'exit 3 at 14:02:11' } as const;

  it('one for an alert, with worker, state and evidence', () => {
    const { sent, notifications } = setup();
    notifications.alert(crash);
    expect(sent).toEqual([{ title: 'muxctl demo: app-1 crashed', body: 'exit 3 at 14:02:11' }]);
  });

  it('a second one of the same worker within the interval is dropped; another worker is not held up; after the interval it goes', () => {
    const { sent, notifications, advance } = setup({ minIntervalSeconds: 60 });
    notifications.alert({ ...crash, to: 'waiting', evidence: 'asks: Proceed? [y/n]' });
    advance(30_000);
    notifications.alert(crash);
    notifications.alert({ ...crash, worker: 'app-2' });
    advance(30_000);
    notifications.alert({ ...crash, to: 'stuck', evidence: 'no output for 14m' });
    expect(sent.map((t) => t.title)).toEqual(['muxctl demo: app-1 waiting', 'muxctl demo: app-2 crashed', 'muxctl demo: app-1 stuck']);
  });

  it('none with alerts.desktop false, none from a follower dashboard', () => {
    for (const over of [{ desktop: false }, { leader: false }]) {
      const { sent, notifications } = setup(over);
      notifications.alert(crash);
      notifications.board([task('T1', 'running')]);
      notifications.board([task('T1', 'done')]);
      expect(sent).toEqual([]);
    }
  });

  it('a task that becomes done, not the ones done when the dashboard opened; its worker shares the interval', () => {
    const { sent, notifications, advance } = setup();
    notifications.board([task('T1', 'done', { assignee: 'app-1' }), task('T2', 'running', { assignee: 'app-2' }), task('T3', 'running', { assignee: 'app-1' })]);
    expect(sent).toEqual([]);
    notifications.board([task('T1', 'landed', { assignee: 'app-1' }), task('T2', 'done', { assignee: 'app-2' }), task('T3', 'running', { assignee: 'app-1' })]);
    expect(sent.map((t) => t.title)).toEqual(['muxctl demo: app-2 finished T2']);
    advance(1_000);
    notifications.alert({ ...crash, worker: 'app-2' });
    expect(sent).toHaveLength(1);
  });
});

function task(id: string, state: TaskState, over: Partial<Task> = {}): Task {
  return {
    id, state, title: `task ${id}`, prompt: '', lane: 'app', priority: 1, labels: [], check: null, branch: null, baseSha: null, assignee: null,
    attempts: 0, maxAttempts: 3, lease: null, checkpoints: [], after: [], chain: null, outcome: null, createdAt: 0, updatedAt: 0, ...over,
  };
}
