// Real logs are messy: truncated lines, binary junk, fields of the wrong type, versions nobody has seen.
// Every parser must count such a line (malformed) or pass it through, and never throw.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogParser, parseLine, type ConcreteLogFormat, type LogEvent, type ParsedLine } from '../../../src/core/parsers/logs/index.js';

const FIXTURES: [ConcreteLogFormat, string][] = [
  ['claude-code', 'claude-code/claude-code-viewer__5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl'],
  ['claude-code', 'claude-code/claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl'],
  ['claude-stream-json', 'claude-code-stream-json/claude-agent-sdk-gleam__golden-basic_query.ndjson'],
  ['codex-rollout', 'codex/localpush__rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl'],
  ['codex-exec-json', 'codex/agentcmd__codex-exec-json__stream-output-5.jsonl'],
  ['aider', 'aider/Monochromatic__.aider.chat.history.md'],
];
const JSON_FORMATS: ConcreteLogFormat[] = ['claude-code', 'claude-stream-json', 'codex-rollout', 'codex-exec-json', 'json-lines', 'muxctl'];
const ALL_FORMATS: ConcreteLogFormat[] = [...JSON_FORMATS, 'aider', 'text'];

const linesOf = (path: string) => readFileSync(new URL(`../../fixtures/agent-logs/${path}`, import.meta.url), 'utf8').split('\n').filter((l) => l !== '');

const BINARY_JUNK = String.fromCharCode(0, 255, 254, 1, 27, 0x80, 0x9b, 7, 0xfffd, 0xd800) + '\u0000PK\u0003\u0004';

describe('malformed lines are counted, never thrown', () => {
  it.each(JSON_FORMATS)('%s: truncated JSON, binary junk, an empty line, a non-object', (format) => {
    const parser = createLogParser(format);
    const bad = ['{"type":"assistant","message":{"content":[{"type":"te', BINARY_JUNK, '', '   ', '42', 'null', '[1,2]', '"a string"'];
    const results = bad.map((line) => parser.push(line));
    expect(results.every((r) => 'malformed' in r)).toBe(true);
    const reasons = results.map((r) => ('malformed' in r ? r.malformed : ''));
    expect(reasons[0]).toMatch(/^truncated or invalid JSON/);
    expect(reasons[1]).toMatch(/^not JSON/);
    expect(reasons[1]).not.toContain('\u0000');
    expect(reasons[2]).toBe('empty line');
    expect(reasons[4]).toMatch(/expected one JSON object per line, found a number/);
  });

  it.each(['aider', 'text'] as const)('%s: junk and empty lines are read as text, not thrown', (format) => {
    const parser = createLogParser(format);
    for (const line of [BINARY_JUNK, '', '{"half":']) expect('events' in parser.push(line)).toBe(true);
    const junk = createLogParser(format).push(BINARY_JUNK);
    const events = 'events' in junk ? junk.events : [];
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.text.includes('\u0000')).toBe(false);
  });

  it.each(FIXTURES)('%s: every real line cut in half is malformed or read, never thrown (%s)', (format, path) => {
    const parser = createLogParser(format);
    for (const line of linesOf(path)) {
      const result = parser.push(line.slice(0, Math.floor(line.length / 2)));
      if (format !== 'aider') expect('malformed' in result).toBe(true);
    }
  });

  it('counts injected junk and reads the real lines around it as before', () => {
    const lines = linesOf('claude-code/claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl');
    const read = (input: string[]) => {
      const parser = createLogParser('claude-code');
      const events: LogEvent[] = [];
      let malformed = 0;
      for (const line of input) {
        const parsed = parser.push(line);
        if ('malformed' in parsed) malformed++;
        else events.push(...parsed.events);
      }
      return { events, malformed };
    };
    const clean = read(lines);
    const dirty = read(lines.flatMap((line, i) => (i % 3 === 0 ? [line, BINARY_JUNK, line.slice(0, 25)] : [line])));
    expect(dirty.malformed).toBe(2 * Math.ceil(lines.length / 3));
    expect(dirty.events).toEqual(clean.events);
  });
});

/** Every way a field can have the wrong type. */
const ODD_VALUES: unknown[] = [null, 7, -1.5, 'x', '', true, [], [null, 3], {}, { type: 5 }];

/** The object with one field (at depth ≤ 2, in objects and arrays) replaced by an odd value, every way. */
function mutations(obj: Record<string, unknown>, depth = 0): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [key, inner] of Object.entries(obj)) {
    for (const odd of ODD_VALUES) out.push({ ...obj, [key]: odd });
    if (depth >= 2 || typeof inner !== 'object' || inner === null) continue;
    if (!Array.isArray(inner)) {
      for (const mutated of mutations(inner as Record<string, unknown>, depth + 1)) out.push({ ...obj, [key]: mutated });
      continue;
    }
    inner.forEach((element, index) => {
      if (typeof element !== 'object' || element === null || Array.isArray(element)) return;
      for (const mutated of mutations(element as Record<string, unknown>, depth + 1)) {
        const copy = [...inner];
        copy[index] = mutated;
        out.push({ ...obj, [key]: copy });
      }
    });
  }
  return out;
}

describe('version drift: fields of the wrong type pass through', () => {
  it.each(FIXTURES.filter(([format]) => format !== 'aider'))('%s: every field of every real line, replaced by odd values (%s)', (format, path) => {
    let checked = 0;
    for (const line of linesOf(path)) {
      const obj = JSON.parse(line) as Record<string, unknown>;
      for (const variant of mutations(obj)) {
        const result: ParsedLine = parseLine(format, JSON.stringify(variant));
        // A JSON object is never malformed, whatever its fields say; a parser crash would be.
        expect(result).toHaveProperty('events');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it.each(ALL_FORMATS)('%s: an unknown event type is ignored or a status, never an error', (format) => {
    const line = format === 'text' || format === 'aider' ? 'something new and different' : '{"type":"brand.new.event","time":"2026-01-01T00:00:00Z","payload":{},"item":{}}';
    const result = parseLine(format, line);
    expect('events' in result).toBe(true);
    if ('events' in result) for (const e of result.events) expect(['status', 'message']).toContain(e.kind);
  });
});
