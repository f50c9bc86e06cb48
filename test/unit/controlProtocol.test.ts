/**
 * The control-mode parser on streams captured from a real `tmux -C` (tmux 3.3a), fed whole, split at
 * every byte offset, and byte by byte; and the quoting of command lines.
 */
import { describe, expect, it } from 'vitest';
import {
  ControlCommandError,
  ControlStreamParser,
  commandLine,
  decodeOutputValue,
  quoteArgument,
  type ControlEvent,
} from '../../src/core/parsers/controlProtocol.js';

/**
 * `tmux -C attach-session -t =w1` with output on; stdin: list-sessions, capture-pane of a missing
 * session, display-message -p '%end 1 2 1' (strftime turns "%e" into the day: "23nd 1 2 1"), then
 * list-windows; the pane printed "a\tb\\c é" + ESC[1m + "X"; then kill-server from outside.
 */
const ATTACHED_STREAM =
  '%begin 1795399789 264 0\n%end 1795399789 264 0\n%session-changed $0 w1\n' +
  '%begin 1795399789 269 1\nw1\n%end 1795399789 269 1\n' +
  "%begin 1795399789 270 1\ncan't find session: nope\n%error 1795399789 270 1\n" +
  '%begin 1795399789 271 1\n23nd 1 2 1\n%end 1795399789 271 1\n' +
  '%output %0 a\\011b\\134c é\\033[1mX\\015\\012\n' +
  '%begin 1795399790 272 1\n@0\n%end 1795399790 272 1\n%sessions-changed\n%exit\n';

const ATTACHED_EVENTS: ControlEvent[] = [
  { type: 'reply', time: 1795399789, number: 264, flags: 0, ok: true, lines: [] },
  { type: 'notification', name: 'session-changed', args: ['$0', 'w1'], text: '$0 w1' },
  { type: 'reply', time: 1795399789, number: 269, flags: 1, ok: true, lines: ['w1'] },
  { type: 'reply', time: 1795399789, number: 270, flags: 1, ok: false, lines: ["can't find session: nope"] },
  { type: 'reply', time: 1795399789, number: 271, flags: 1, ok: true, lines: ['23nd 1 2 1'] },
  { type: 'notification', name: 'output', args: ['%0', 'a\\011b\\134c', 'é\\033[1mX\\015\\012'], text: '%0 a\\011b\\134c é\\033[1mX\\015\\012' },
  { type: 'reply', time: 1795399790, number: 272, flags: 1, ok: true, lines: ['@0'] },
  { type: 'notification', name: 'sessions-changed', args: [], text: '' },
  { type: 'notification', name: 'exit', args: [], text: '' },
];

/**
 * muxctl's own client (new-session -A -f no-output … ; set-hook … client-detached …) capturing a pane
 * that printed lines which look like control-mode framing; then the monitor session was killed.
 */
const MONITOR_STREAM =
  '%begin 1795401011 264 0\n%end 1795401011 264 0\n%begin 1795401011 265 0\n%end 1795401011 265 0\n' +
  '%window-add @1\n%sessions-changed\n%session-changed $1 _muxctl_monitor\n%window-renamed @1 cat\n' +
  '%begin 1795401012 272 1\n%begin 1 2 3\n%end 1795399789 271 1\n%exit\nend\n\n\n%end 1795401012 272 1\n' +
  '%sessions-changed\n%exit\n';

const MONITOR_EVENTS: ControlEvent[] = [
  { type: 'reply', time: 1795401011, number: 264, flags: 0, ok: true, lines: [] },
  { type: 'reply', time: 1795401011, number: 265, flags: 0, ok: true, lines: [] },
  { type: 'notification', name: 'window-add', args: ['@1'], text: '@1' },
  { type: 'notification', name: 'sessions-changed', args: [], text: '' },
  { type: 'notification', name: 'session-changed', args: ['$1', '_muxctl_monitor'], text: '$1 _muxctl_monitor' },
  { type: 'notification', name: 'window-renamed', args: ['@1', 'cat'], text: '@1 cat' },
  { type: 'reply', time: 1795401012, number: 272, flags: 1, ok: true, lines: ['%begin 1 2 3', '%end 1795399789 271 1', '%exit', 'end', '', ''] },
  { type: 'notification', name: 'sessions-changed', args: [], text: '' },
  { type: 'notification', name: 'exit', args: [], text: '' },
];

function parseChunks(chunks: readonly (Uint8Array | string)[]): ControlEvent[] {
  const parser = new ControlStreamParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

describe('ControlStreamParser', () => {
  it.each([
    ['an attached client with output on', ATTACHED_STREAM, ATTACHED_EVENTS],
    ["muxctl's monitor client", MONITOR_STREAM, MONITOR_EVENTS],
  ])('reads %s in one chunk', (_label, stream, events) => {
    expect(parseChunks([stream])).toEqual(events);
  });

  it.each([
    ['an attached client with output on', ATTACHED_STREAM, ATTACHED_EVENTS],
    ["muxctl's monitor client", MONITOR_STREAM, MONITOR_EVENTS],
  ])('reads %s split at every byte offset, even inside "é"', (_label, stream, events) => {
    const bytes = new TextEncoder().encode(stream);
    for (let offset = 0; offset <= bytes.length; offset += 1) {
      expect(parseChunks([bytes.subarray(0, offset), bytes.subarray(offset)]), `split at byte ${offset}`).toEqual(events);
    }
  });

  it('reads a stream fed one byte at a time', () => {
    const bytes = new TextEncoder().encode(ATTACHED_STREAM + MONITOR_STREAM);
    const chunks = Array.from(bytes, (_byte, index) => bytes.subarray(index, index + 1));
    expect(parseChunks(chunks)).toEqual([...ATTACHED_EVENTS, ...MONITOR_EVENTS]);
  });

  it('keeps a block open until its own guard, and says so', () => {
    const parser = new ControlStreamParser();
    expect(parser.push('%begin 10 20 1\nline\n%end 10 21 1\n%error 11 20 1\n')).toEqual([]);
    expect(parser.inBlock).toBe(true);
    expect(parser.push('%error 10 20 1\n')).toEqual([
      { type: 'reply', time: 10, number: 20, flags: 1, ok: false, lines: ['line', '%end 10 21 1', '%error 11 20 1'] },
    ]);
    expect(parser.inBlock).toBe(false);
  });

  it('drops lines outside a block that are not notifications, and waits for an unfinished line', () => {
    const parser = new ControlStreamParser();
    expect(parser.push('stray text\n\n%%weird\n%begin 1 2 1\n%end 1 2')).toEqual([]);
    expect(parser.push(' 1\n')).toEqual([{ type: 'reply', time: 1, number: 2, flags: 1, ok: true, lines: [] }]);
  });
});

describe('decodeOutputValue', () => {
  it('turns the octal escapes of a real %output back into the bytes the pane wrote', () => {
    expect(decodeOutputValue('a\\011b\\134c é\\033[1mX\\015\\012')).toBe('a\tb\\c é\x1b[1mX\r\n');
  });

  it('decodes escaped bytes of a multi-byte character and leaves a lone backslash alone', () => {
    expect(decodeOutputValue('\\303\\251 \\x')).toBe('é \\x');
  });
});

describe('quoteArgument', () => {
  it.each([
    ['', "''"],
    ['plain', "'plain'"],
    ['a;', "'a;'"],
    [';', "';'"],
    ['#{pane_id} # not a comment', "'#{pane_id} # not a comment'"],
    ['~/x $HOME ${HOME} \\ " { } %if X=y', "'~/x $HOME ${HOME} \\ \" { } %if X=y'"],
    ["it's", `'it'"'"'s'`],
    ['a\tb\nc\x1b\x7f', `'a'"\\011"'b'"\\012"'c'"\\033""\\177"`],
    ['héllo ✓ 😀', "'héllo ✓ 😀'"],
  ])('quotes %j as %s', (arg, quoted) => {
    expect(quoteArgument(arg)).toBe(quoted);
  });

  it('refuses a NUL byte, which no command line can carry', () => {
    expect(() => quoteArgument('a\0b')).toThrow(ControlCommandError);
  });
});

describe('commandLine', () => {
  it('leaves the command name bare and quotes every argument, so ";" cannot chain a second command', () => {
    expect(commandLine(['display-message', '-p', 'x', ';', 'kill-server'])).toBe("display-message '-p' 'x' ';' 'kill-server'");
  });

  it.each([[[]], [['']], [['kill-server;']], [['X=y']], [['list panes']]])('refuses %j as a command', (args) => {
    expect(() => commandLine(args)).toThrow(ControlCommandError);
  });
});
