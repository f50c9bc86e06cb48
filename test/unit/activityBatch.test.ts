// The log monitor folds a read's lines as one batch (foldEvents, one copy of the activity a batch);
// health must see exactly what folding them one by one (foldEvent) gives, on every real log we have.
import { readdirSync, readFileSync } from 'node:fs';
import stripAnsi from 'strip-ansi';
import { describe, expect, it } from 'vitest';
import { createLogParser, detectFormat, type LogEvent } from '../../src/core/parsers/logs/index.js';
import { oneLine } from '../../src/core/parsers/logs/event.js';
import { EMPTY_ACTIVITY, foldEvent, foldEvents, type Activity, type Folded } from '../../src/core/rules/activity.js';

const root = new URL('../fixtures/agent-logs/', import.meta.url);
const fixtures = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(new URL(`${d.name}/`, root)).map((file) => `${d.name}/${file}`));

/** A fixture's events, each with a receive time, and a sign of life after every seventh line. */
function items(path: string): Folded[] {
  const lines = readFileSync(new URL(path, root), 'utf8').split('\n').filter((line) => line !== '');
  const format = detectFormat(lines.slice(0, 8), path);
  if (typeof format !== 'string') return [];
  const parser = createLogParser(format);
  const out: Folded[] = [];
  lines.forEach((line, i) => {
    const at = 1_700_000_000_000 + i * 1_000;
    const parsed = parser.push(line);
    if ('events' in parsed) for (const event of parsed.events) out.push({ at, event });
    if (i % 7 === 0) out.push({ at: at + 500 });
  });
  return out;
}

function oneByOne(start: Activity, folded: readonly Folded[]): Activity {
  return folded.reduce((a, f) => (f.event === undefined ? { ...a, lastEventAt: f.at } : foldEvent(a, f.event, f.at)), start);
}

describe('foldEvents', () => {
  it('finds fixtures to fold', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  it.each(fixtures)('%s: a batch folds as the events one by one', (path) => {
    const all = items(path);
    expect(foldEvents(EMPTY_ACTIVITY, all)).toEqual(oneByOne(EMPTY_ACTIVITY, all));
    // Cut into batches of uneven sizes, as reads cut a log.
    let batched = EMPTY_ACTIVITY;
    for (let at = 0, size = 1; at < all.length; at += size, size = (size * 3) % 17 + 1) batched = foldEvents(batched, all.slice(at, at + size));
    expect(batched).toEqual(oneByOne(EMPTY_ACTIVITY, all));
  });

  it('leaves the activity it started from as it was', () => {
    const start = oneByOne(EMPTY_ACTIVITY, items('codex/bill10-finnamon__exec.jsonl'));
    const copy = structuredClone(start);
    const events: LogEvent[] = [
      { time: null, kind: 'tool_start', text: 'ls', level: 'info', tool: 'Bash' },
      { time: null, kind: 'tool_end', text: 'done', level: 'info', ok: false },
      { time: null, kind: 'result', text: 'done', level: 'info', ok: true, tokens: { input: 10, output: 5 }, costUsd: 0.01 },
    ];
    foldEvents(start, events.map((event, i) => ({ at: 5 + i, event })));
    expect(start).toEqual(copy);
  });

  it('returns the same activity for an empty batch', () => {
    expect(foldEvents(EMPTY_ACTIVITY, [])).toBe(EMPTY_ACTIVITY);
  });
});

describe('oneLine: the fast path for a line already clean', () => {
  /** oneLine as it was before the fast path: every pass on every line. */
  const slow = (text: string, limit = 200): string => {
    // eslint-disable-next-line no-control-regex
    const flat = stripAnsi(text).replace(/[\u0000-\u0008\u000e-\u001f\u007f]/g, '').replace(/\s+/g, ' ').trim();
    const chars = Array.from(flat);
    return chars.length <= limit ? flat : `${chars.slice(0, limit - 1).join('').trimEnd()}…`;
  };
  const alphabet = ['a', 'Z', '0', ' ', '  ', '\t', '\n', '~', '!', '\u001b[31m', '\u0007', 'é', '…'];
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const samples = Array.from({ length: 2_000 }, () => Array.from({ length: Math.floor(random() * 260) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));

  it.each(['', 'line 42 of the bench', ' leading', 'trailing ', 'two  spaces', 'a\tb', 'x'.repeat(200), 'x'.repeat(201), `${'word '.repeat(40)}end`])('%j', (text) => {
    expect(oneLine(text)).toBe(slow(text));
  });

  it('agrees with every pass on 2,000 random lines', () => {
    for (const text of samples) expect(oneLine(text)).toBe(slow(text));
  });

  it('honours a shorter limit', () => {
    expect(oneLine('abcdef', 4)).toBe('abc…');
    expect(oneLine('abcd', 4)).toBe('abcd');
  });
});
