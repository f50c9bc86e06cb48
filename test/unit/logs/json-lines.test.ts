// Generic JSON lines and plain text. These are not agent logs: the sample lines are written by hand in
// the shapes pino, bunyan and common loggers print.
import { describe, expect, it } from 'vitest';
import { parseJsonLinesLine } from '../../../src/core/parsers/logs/json-lines.js';
import { parseTextLine } from '../../../src/core/parsers/logs/text.js';
import type { LogEvent } from '../../../src/core/parsers/logs/index.js';

const only = (parsed: ReturnType<typeof parseJsonLinesLine>): LogEvent => {
  if ('malformed' in parsed) throw new Error(parsed.malformed);
  const [event] = parsed.events;
  if (event === undefined) throw new Error('no event');
  return event;
};

describe('pino (numeric levels, epoch ms)', () => {
  it.each([
    [10, 'debug', 'message'],
    [20, 'debug', 'message'],
    [30, 'info', 'message'],
    [40, 'warn', 'message'],
    [50, 'error', 'error'],
    [60, 'error', 'error'],
  ] as const)('level %i → %s', (level, expected, kind) => {
    const event = only(parseJsonLinesLine(`{"level":${level},"time":1717236000123,"pid":4242,"hostname":"box","msg":"listening on :3000"}`));
    expect(event).toMatchObject({ level: expected, kind, time: 1717236000123, text: 'listening on :3000' });
  });

  it('adds the message of an err object', () => {
    const line = '{"level":50,"time":1717236000123,"msg":"request failed","err":{"type":"Error","message":"ECONNREFUSED 127.0.0.1:5432","stack":"Error: ECONNREFUSED\\n    at x"}}';
    expect(only(parseJsonLinesLine(line)).text).toBe('request failed: ECONNREFUSED 127.0.0.1:5432');
  });
});

describe('bunyan (numeric levels, ISO time)', () => {
  it('reads level and time', () => {
    const line = '{"name":"api","hostname":"box","pid":7,"level":40,"msg":"slow query","time":"2024-06-01T10:00:00.500Z","v":0}';
    expect(only(parseJsonLinesLine(line))).toMatchObject({ level: 'warn', time: Date.parse('2024-06-01T10:00:00.500Z'), text: 'slow query' });
  });
});

describe('string levels and other field names', () => {
  it.each([
    ['{"time":"2024-06-01T10:00:00Z","level":"WARNING","message":"disk 91% full"}', 'warn', 'disk 91% full'],
    ['{"timestamp":"2024-06-01T10:00:00+02:00","severity":"ERROR","message":"job crashed"}', 'error', 'job crashed'],
    ['{"ts":1717236000.5,"level":"debug","msg":"tick"}', 'debug', 'tick'],
    ['{"@timestamp":"2024-06-01T10:00:00Z","log.level":"info","message":"ready"}', 'info', 'ready'],
    ['{"time":"2024-06-01T10:00:00Z","level":"fatal","msg":"out of memory"}', 'error', 'out of memory'],
    ['{"event":"user logged in","level":"info","timestamp":"2024-06-01T10:00:00Z"}', 'info', 'user logged in'],
  ])('%s', (line, level, text) => {
    expect(only(parseJsonLinesLine(line))).toMatchObject({ level, text });
  });

  it('reads epoch seconds as seconds, and a zone-less time as unknown', () => {
    expect(only(parseJsonLinesLine('{"ts":1717236000.5,"msg":"x"}')).time).toBe(1717236000500);
    expect(only(parseJsonLinesLine('{"time":"2024-06-01 10:00:00","msg":"x"}')).time).toBeNull();
  });

  it('shows the record when there is no message field, and defaults to info', () => {
    expect(only(parseJsonLinesLine('{"time":1717236000123,"requests":12,"p99":0.3}'))).toMatchObject({ level: 'info', text: '{"requests":12,"p99":0.3}' });
  });
});

describe('plain text', () => {
  it('strips ANSI colours and keeps what a CR-redrawn progress line shows last', () => {
    expect(parseTextLine('\u001b[32m✓\u001b[0m 12 tests passed')).toEqual({ events: [{ time: null, kind: 'message', level: 'info', text: '✓ 12 tests passed' }] });
    expect(parseTextLine('downloading 10%\rdownloading 55%\rdownloading 100%')).toMatchObject({ events: [{ text: 'downloading 100%' }] });
  });

  it.each([
    'npm ERR! error: missing script',
    'Error: Cannot find module \'x\'',
    'Traceback (most recent call last):',
    'FAILED tests/test_app.py::test_login - AssertionError',
    '\u001b[31merror\u001b[0m[E0308]: mismatched types',
  ])('reads %j as an error', (line) => {
    expect(parseTextLine(line)).toMatchObject({ events: [{ kind: 'error', level: 'error' }] });
  });

  it.each(['0 errors, 2 warnings found', 'retry failed once, trying again', 'all good'])('does not read %j as an error', (line) => {
    expect(parseTextLine(line)).toMatchObject({ events: [{ kind: 'message' }] });
  });

  it('reads a warning as warn and a blank line as nothing', () => {
    expect(parseTextLine('Warning: deprecated option --foo')).toMatchObject({ events: [{ level: 'warn' }] });
    expect(parseTextLine('   \u001b[0m  ')).toEqual({ events: [] });
  });
});
