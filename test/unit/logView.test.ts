import { describe, expect, it } from 'vitest';
import { clockTime } from '../../src/core/rules/health.js';
import {
  editDraft,
  emptyLogText,
  filterLines,
  INITIAL_LOG_VIEW,
  logHeader,
  logLineParts,
  logWindow,
  nextMinLevel,
  previewLines,
  scrollLog,
  withFilter,
  type LogLine,
  type LogViewState,
  type MinLevel,
} from '../../src/core/views/logView.js';

const t0 = Date.UTC(2026, 10, 23, 14, 2, 0);
const line = (i: number, level: LogLine['level'] = 'info', text = `line ${i}`, extra: Partial<LogLine> = {}): LogLine => ({
  at: t0 + i * 1000,
  source: 'log',
  kind: 'message',
  level,
  text,
  ...extra,
});
/** 20 lines: every 5th a warning, every 10th an error, one debug. */
const lines: LogLine[] = Array.from({ length: 20 }, (_, i) => line(i, i % 10 === 9 ? 'error' : i % 5 === 4 ? 'warn' : i === 0 ? 'debug' : 'info'));
const texts = (list: readonly LogLine[]): string[] => list.map((l) => l.text);

describe('filterLines', () => {
  it.each<[MinLevel, number]>([
    ['all', 20],
    ['info', 19],
    ['warn', 4],
    ['error', 2],
  ])('level ≥ %s keeps %i lines', (minLevel, count) => {
    expect(filterLines(lines, { minLevel, search: '' })).toHaveLength(count);
  });

  it('searches text and tool name, ignoring case, and combines with the level', () => {
    const mixed = [line(1, 'info', 'Editing src/Auth.ts'), line(2, 'warn', 'retrying fetch'), line(3, 'info', 'ran', { tool: 'Bash', kind: 'tool_start' }), line(4, 'error', 'auth failed')];
    expect(texts(filterLines(mixed, { minLevel: 'all', search: 'auth' }))).toEqual(['Editing src/Auth.ts', 'auth failed']);
    expect(texts(filterLines(mixed, { minLevel: 'all', search: 'bash' }))).toEqual(['ran']);
    expect(texts(filterLines(mixed, { minLevel: 'warn', search: 'auth' }))).toEqual(['auth failed']);
  });

  it('cycles the level all → info → warn → error → all', () => {
    const seen: MinLevel[] = [];
    let level: MinLevel = 'all';
    for (let i = 0; i < 4; i++) seen.push((level = nextMinLevel(level)));
    expect(seen).toEqual(['info', 'warn', 'error', 'all']);
  });
});

describe('the window and scrolling', () => {
  const follow = INITIAL_LOG_VIEW;

  it('follows the tail: the newest lines that fit', () => {
    const w = logWindow(lines, follow, 5);
    expect(texts(w.lines)).toEqual(['line 15', 'line 16', 'line 17', 'line 18', 'line 19']);
    expect(w).toMatchObject({ top: 15, total: 20, following: true });
    // New lines keep it at the bottom.
    expect(texts(logWindow([...lines, line(20)], follow, 5).lines).at(-1)).toBe('line 20');
  });

  it.each<[string, LogViewState, Parameters<typeof scrollLog>[3], number, boolean]>([
    ['up a line from the tail stops following', follow, { by: -1 }, 14, false],
    ['down at the tail stays following', follow, { by: 1 }, 15, true],
    ['a page up', follow, { by: -4 }, 11, false],
    ['top', follow, 'top', 0, false],
    ['up past the top stops at 0', { ...follow, follow: false, top: 2 }, { by: -10 }, 0, false],
    ['down onto the last page follows again', { ...follow, follow: false, top: 12 }, { by: 4 }, 15, true],
    ['bottom follows', { ...follow, follow: false, top: 3 }, 'bottom', 15, true],
  ])('%s', (_what, state, move, top, following) => {
    const next = scrollLog(state, lines, 5, move);
    const w = logWindow(lines, next, 5);
    expect(w.top).toBe(top);
    expect(w.following).toBe(following);
    expect(w.lines).toHaveLength(5);
  });

  it('keeps following when everything fits, whichever way the person scrolls', () => {
    const few = lines.slice(0, 3);
    expect(scrollLog(follow, few, 5, { by: -1 }).follow).toBe(true);
    expect(scrollLog(follow, few, 5, 'top').follow).toBe(true);
  });

  it('stays on the line being read while new lines arrive', () => {
    const reading = scrollLog(follow, lines, 5, { by: -10 });
    expect(texts(logWindow(lines, reading, 5).lines)[0]).toBe('line 5');
    expect(texts(logWindow([...lines, line(20), line(21)], reading, 5).lines)[0]).toBe('line 5');
  });

  it('stays on the line being read when the ring drops the oldest lines (same objects or equal copies)', () => {
    const reading = scrollLog(follow, lines, 5, { by: -10 });
    const dropped = [...lines.slice(3), line(20), line(21), line(22)];
    expect(texts(logWindow(dropped, reading, 5).lines)[0]).toBe('line 5');
    const copies = dropped.map((l) => ({ ...l }));
    expect(texts(logWindow(copies, reading, 5).lines)[0]).toBe('line 5');
  });

  it('falls back to the same index, kept in range, once the line it read has dropped off', () => {
    const reading = scrollLog(follow, lines, 5, 'top');
    const w = logWindow(lines.slice(10), reading, 5);
    expect(w.top).toBe(0);
    expect(texts(w.lines)[0]).toBe('line 10');
  });

  it('scrolls among the filtered lines, and a new filter jumps to the newest matches', () => {
    const warn = withFilter(follow, { minLevel: 'warn' });
    expect(texts(logWindow(lines, warn, 2).lines)).toEqual(['line 14', 'line 19']);
    const up = scrollLog(warn, lines, 2, { by: -1 });
    expect(texts(logWindow(lines, up, 2).lines)).toEqual(['line 9', 'line 14']);
    const searched = withFilter(up, { search: 'line 1' });
    expect(searched.follow).toBe(true);
    expect(texts(logWindow(lines, searched, 2).lines)).toEqual(['line 14', 'line 19']);
  });
});

describe('typing a search', () => {
  it('types, erases, applies (trimmed), and an empty search clears it', () => {
    let s = editDraft(INITIAL_LOG_VIEW, { kind: 'type', text: '' });
    expect(s.draft).toBe('');
    for (const text of ['a', 'u', 'x', ' ']) s = editDraft(s, { kind: 'type', text });
    s = editDraft(s, { kind: 'erase' });
    s = editDraft(s, { kind: 'erase' });
    s = editDraft(s, { kind: 'type', text: 'th ' });
    s = editDraft(s, { kind: 'apply' });
    expect(s).toMatchObject({ search: 'auth', draft: null, follow: true });
    s = editDraft({ ...s, draft: '' }, { kind: 'apply' });
    expect(s.search).toBe('');
  });

  it('cancels without touching the applied search, and drops control bytes from pasted text', () => {
    const s = editDraft({ ...INITIAL_LOG_VIEW, search: 'old', draft: 'ne' }, { kind: 'type', text: 'w\r\n\x1b' });
    expect(s.draft).toBe('new');
    expect(editDraft(s, { kind: 'cancel' })).toMatchObject({ search: 'old', draft: null });
  });

  it('erases a whole character, not half of an emoji', () => {
    expect(editDraft({ ...INITIAL_LOG_VIEW, draft: 'ok👍' }, { kind: 'erase' }).draft).toBe('ok');
  });
});

describe('how a line and the header read', () => {
  it.each<[Partial<LogLine>, string, string]>([
    [{ kind: 'tool_start', tool: 'Bash', source: 'log' }, '▸', 'log'],
    [{ kind: 'tool_end', tool: 'Bash', source: 'log' }, '✓', 'log'],
    [{ kind: 'error', source: 'events' }, '✖', 'evt'],
    [{ kind: 'result', source: 'log' }, '◆', 'log'],
    [{ kind: 'question', source: 'log' }, '?', 'log'],
    [{ kind: 'prompt', source: 'log' }, '▶', 'log'],
    [{ kind: 'message', source: 'screen' }, '“', 'scr'],
    [{ kind: 'something-new', source: 'log' }, ' ', 'log'],
  ])('%j has marker %s and source %s', (extra, marker, source) => {
    const parts = logLineParts(line(3, 'info', 'text', extra));
    expect(parts).toMatchObject({ marker, source, text: 'text', time: clockTime(t0 + 3000), tool: extra.tool ?? '' });
    expect(parts.time).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it('says the filters, the count and whether it follows', () => {
    const state = { ...INITIAL_LOG_VIEW, minLevel: 'warn' as const, search: 'x' };
    expect(logHeader(state, { lines: [], top: 0, total: 120, following: true })).toBe('log · level ≥ warn · search "x" · 120 lines · following');
    expect(logHeader(INITIAL_LOG_VIEW, { lines: lines.slice(0, 5), top: 9, total: 20, following: false })).toBe('log · 20 lines · 10–14 · G follows');
  });

  it('says why the window is empty', () => {
    expect(emptyLogText('w1', INITIAL_LOG_VIEW)).toMatch(/no log lines from w1 yet/);
    expect(emptyLogText('w1', { ...INITIAL_LOG_VIEW, search: 'zzz' })).toMatch(/no line matches/);
  });
});

describe('previewLines', () => {
  it('keeps the last lines that fit, without the blank rows below the output', () => {
    const screen = ['$ npm test', 'ok 1', 'ok 2', 'done', '', '   ', ''];
    expect(previewLines(screen, 2)).toEqual(['ok 2', 'done']);
    expect(previewLines(screen, 10)).toEqual(['$ npm test', 'ok 1', 'ok 2', 'done']);
    expect(previewLines(['', ''], 5)).toEqual([]);
  });

  it('turns tabs into spaces so a line keeps the width it is measured at', () => {
    expect(previewLines(['a\tb'], 1)).toEqual(['a    b']);
  });
});
