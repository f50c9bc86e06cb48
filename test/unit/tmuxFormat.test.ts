import { describe, expect, it } from 'vitest';
import {
  PANE_LIST_FORMAT,
  captureMarker,
  chainCommands,
  escapeFormat,
  escapeTmuxArgument,
  isVersionAtLeast,
  parsePaneList,
  parseVersion,
  splitCaptureChain,
  tailOfCapture,
} from '../../src/core/parsers/tmuxFormat.js';

// Captured from tmux 3.3a with `list-panes -a -F PANE_LIST_FORMAT`: w1 alive, w2 ran `exit 3`, w3 got
// SIGTERM (empty status, signal 15), "plain" has no @muxctl_worker option.
const REAL_OUTPUT = [
  'plain\t%3\t9179\t0\t\t\t1795398459\t1795398459\t\t\tsh',
  'w1\t%0\t9168\t0\t\t\t1795398459\t1795398459\t\tapp-1\tsh',
  'w2\t%1\t9172\t1\t3\t\t1795398459\t1795398459\t1795398459\tapp-2\tsh',
  'w3\t%2\t9176\t1\t\t15\t1795398459\t1795398459\t1795398460\tapp-3\tsh',
  '',
].join('\n');

describe('PANE_LIST_FORMAT', () => {
  it('asks for the fields the parser reads, tab-separated, free-text command last', () => {
    const fields = PANE_LIST_FORMAT.split('\t');
    expect(fields).toHaveLength(11);
    expect(fields[0]).toBe('#{session_name}');
    expect(fields).toContain('#{@muxctl_worker}');
    expect(fields.at(-1)).toBe('#{pane_current_command}');
  });
});

describe('parsePaneList', () => {
  const panes = parsePaneList(REAL_OUTPUT);
  const bySession = new Map(panes.map((pane) => [pane.session, pane]));

  it('reads every pane line', () => {
    expect(panes.map((pane) => pane.session)).toEqual(['plain', 'w1', 'w2', 'w3']);
  });

  it('reads an alive pane: no status, signal or dead time', () => {
    expect(bySession.get('w1')).toEqual({
      session: 'w1',
      paneId: '%0',
      pid: 9168,
      dead: false,
      deadStatus: null,
      deadSignal: null,
      currentCommand: 'sh',
      activity: 1795398459,
      created: 1795398459,
      deadTime: null,
      worker: 'app-1',
    });
  });

  it('reads a pane dead with an exit status', () => {
    expect(bySession.get('w2')).toMatchObject({ dead: true, deadStatus: 3, deadSignal: null, deadTime: 1795398459, worker: 'app-2' });
  });

  it('reads a pane killed by a signal: empty status, signal number', () => {
    expect(bySession.get('w3')).toMatchObject({ dead: true, deadStatus: null, deadSignal: 15, deadTime: 1795398460 });
  });

  it('reads an unset worker option as null', () => {
    expect(bySession.get('plain')?.worker).toBeNull();
  });

  it('reads exit status 0 as 0, not as missing', () => {
    const [pane] = parsePaneList('w\t%9\t1\t1\t0\t\t10\t5\t11\tx\tsh');
    expect(pane).toMatchObject({ dead: true, deadStatus: 0, deadSignal: null, deadTime: 11 });
  });

  it('keeps a tab inside the command name instead of shifting fields', () => {
    const [pane] = parsePaneList('w\t%9\t1\t0\t\t\t10\t5\t\tx\tod\td');
    expect(pane).toMatchObject({ currentCommand: 'od\td', worker: 'x', activity: 10 });
  });

  it('reads an empty dead time (older tmux) as null', () => {
    const [pane] = parsePaneList('w\t%9\t1\t1\t2\t\t10\t5\t\tx\tsh');
    expect(pane?.deadTime).toBeNull();
  });

  it.each([
    ['empty output', ''],
    ['too few fields', 'w1\t%0\t9168\t0'],
    ['no pane id', 'w1\t\t9168\t0\t\t\t1\t1\t\t\tsh'],
    ['pane id without %', 'w1\t0\t9168\t0\t\t\t1\t1\t\t\tsh'],
    ['non-numeric pid', 'w1\t%0\tabc\t0\t\t\t1\t1\t\t\tsh'],
    ['dead flag not 0/1', 'w1\t%0\t1\tyes\t\t\t1\t1\t\t\tsh'],
    ['empty session', '\t%0\t1\t0\t\t\t1\t1\t\t\tsh'],
    ['non-numeric activity', 'w1\t%0\t1\t0\t\t\tsoon\t1\t\t\tsh'],
    ['an error message', "can't find session: w1"],
  ])('skips a malformed line (%s)', (_label, line) => {
    expect(parsePaneList(`${line}\nw9\t%9\t9\t0\t\t\t1\t1\t\t\tsh\n`).map((pane) => pane.session)).toEqual(['w9']);
  });

  it('returns no panes for blank output', () => {
    expect(parsePaneList('\n\n')).toEqual([]);
  });
});

describe('parseVersion', () => {
  it.each([
    ['tmux 3.3a', { major: 3, minor: 3, raw: '3.3a' }],
    ['tmux 3.3a\n', { major: 3, minor: 3, raw: '3.3a' }],
    ['tmux 3.2', { major: 3, minor: 2, raw: '3.2' }],
    ['tmux 2.9a', { major: 2, minor: 9, raw: '2.9a' }],
    ['tmux next-3.4', { major: 3, minor: 4, raw: 'next-3.4' }],
    ['tmux 3.1-rc2', { major: 3, minor: 1, raw: '3.1-rc2' }],
    ['tmux 3.10', { major: 3, minor: 10, raw: '3.10' }],
    ['tmux master', { major: 999, minor: 0, raw: 'master' }],
    ['tmux openbsd-7.4', { major: 999, minor: 0, raw: 'openbsd-7.4' }],
  ])('parses %j', (output, expected) => {
    expect(parseVersion(output)).toEqual(expected);
  });

  it.each(['', 'tmux', 'screen 4.09', 'tmux banana', 'usage: tmux [-2CDlNuvV]'])('returns null for %j', (output) => {
    expect(parseVersion(output)).toBeNull();
  });

  it('compares against the minimum', () => {
    const need = { major: 3, minor: 0 };
    expect(isVersionAtLeast({ major: 3, minor: 0, raw: '3.0' }, need)).toBe(true);
    expect(isVersionAtLeast({ major: 3, minor: 3, raw: '3.3a' }, need)).toBe(true);
    expect(isVersionAtLeast({ major: 4, minor: 0, raw: '4.0' }, { major: 3, minor: 5 })).toBe(true);
    expect(isVersionAtLeast({ major: 2, minor: 9, raw: '2.9a' }, need)).toBe(false);
    expect(isVersionAtLeast({ major: 3, minor: 2, raw: '3.2' }, { major: 3, minor: 3 })).toBe(false);
  });
});

describe('escaping argv for tmux', () => {
  it('escapes only a trailing semicolon (tmux splits commands on it)', () => {
    expect(escapeTmuxArgument('echo hi;')).toBe('echo hi\\;');
    expect(escapeTmuxArgument('find . -exec rm {} \\;')).toBe('find . -exec rm {} \\\\;');
    expect(escapeTmuxArgument('a; b')).toBe('a; b');
    expect(escapeTmuxArgument(';')).toBe('\\;');
    expect(escapeTmuxArgument('')).toBe('');
  });

  it('doubles # in format-expanded arguments', () => {
    expect(escapeFormat('/tmp/a#{pane_id}#S')).toBe('/tmp/a##{pane_id}##S');
    expect(escapeFormat('/plain/path')).toBe('/plain/path');
  });

  it('chains commands with ; as its own element', () => {
    expect(chainCommands([['new-session', '-d', 'echo x;'], [], ['set-option', 'a', 'b']])).toEqual([
      'new-session', '-d', 'echo x\\;', ';', 'set-option', 'a', 'b',
    ]);
  });
});

describe('capture chain output', () => {
  const nonce = 'abc123';

  it('splits output on the markers, in order', () => {
    const stdout = ['a1', 'a2', '', captureMarker(nonce, 0), 'b1', captureMarker(nonce, 1)].join('\n');
    expect(splitCaptureChain(stdout, nonce, 2)).toEqual([['a1', 'a2', ''], ['b1']]);
  });

  it('returns fewer chunks when tmux aborted the chain', () => {
    const stdout = ['a1', captureMarker(nonce, 0), 'b-partial'].join('\n');
    expect(splitCaptureChain(stdout, nonce, 3)).toEqual([['a1']]);
  });

  it('does not take a marker of another call, or out of order, as a split', () => {
    const stdout = [captureMarker('other', 0), captureMarker(nonce, 1), captureMarker(nonce, 0)].join('\n');
    expect(splitCaptureChain(stdout, nonce, 2)).toEqual([[captureMarker('other', 0), captureMarker(nonce, 1)]]);
  });

  it('keeps the last lines, without trailing spaces or trailing blank lines', () => {
    expect(tailOfCapture(['one', 'two  ', '', 'three', '', '   ', ''], 2)).toEqual(['', 'three']);
    expect(tailOfCapture(['one', 'two'], 10)).toEqual(['one', 'two']);
  });

  it('keeps a dead pane\'s last words next to tmux\'s "Pane is dead" line', () => {
    const screen = ['$ run', "sh: 1: exec: nosuch: not found", ...Array<string>(46).fill(''), 'Pane is dead (status 127, Mon Nov 23 01:49:59 2026)', ''];
    expect(tailOfCapture(screen, 3)).toEqual(['$ run', 'sh: 1: exec: nosuch: not found', 'Pane is dead (status 127, Mon Nov 23 01:49:59 2026)']);
    expect(tailOfCapture(screen, 2)).toEqual(['sh: 1: exec: nosuch: not found', 'Pane is dead (status 127, Mon Nov 23 01:49:59 2026)']);
    expect(tailOfCapture(['', '', ''], 5)).toEqual([]);
  });
});
