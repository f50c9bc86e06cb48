import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { LogPatternError, globMatcher } from '../../src/core/config/glob.js';

describe('globMatcher', () => {
  it.each([
    ['*.jsonl', 'abc.jsonl', true],
    ['*.jsonl', '.hidden.jsonl', false],
    ['?x.log', '.x.log', false],
    ['.*.swp', '.notes.swp', true],
    ['out.{log,txt}', 'out.log', true],
    ['out.{log,txt}', 'out.md', false],
    ['w[0-9].log', 'w10.log', false],
    ['w[!0-9].log', 'wa.log', true],
    ['w[!0-9].log', 'w7.log', false],
    ['w[^0-9].log', 'w7.log', false],
    ['!x.log', '!x.log', true],
    ['+(a).log', '+(a).log', true],
    ['@(a|b).log', 'a.log', false],
    ['x$y^.log', 'x$y^.log', true],
  ])('%s vs %s → %s', (glob, name, expected) => {
    expect(globMatcher(glob)(name)).toBe(expected);
  });

  it('takes "(", ")" and "|" literally, where picomatch makes a regex group of them', () => {
    expect(globMatcher('out (*).log')('out (2).log')).toBe(true);
    expect(globMatcher('out (*).log')('out 2.log')).toBe(false);
    expect(globMatcher('a(b|c).log')('ab.log')).toBe(false);
    expect(globMatcher('{a,b}(1).log')('a(1).log')).toBe(true);
    // Why glob.ts escapes them: picomatch alone gets these wrong.
    const bare = (glob: string) => picomatch(glob, { posix: true, noextglob: true, nonegate: true, windows: false });
    expect(bare('out (*).log')('out 2.log')).toBe(true);
    expect(bare('{a,b}(1).log')('a(1).log')).toBe(false);
  });

  it('works as an Array#filter callback (picomatch alone returns a truthy object for a second argument)', () => {
    expect(['a.log', 'b.txt', 'c.log'].filter(globMatcher('*.log'))).toEqual(['a.log', 'c.log']);
  });

  it('refuses an unclosed "{", which picomatch would match against nothing but its own text', () => {
    expect(() => globMatcher('out.{log,txt')).toThrow(LogPatternError);
    expect(() => globMatcher('out.{log,txt')).toThrow(/"\{" has no matching "\}"/);
    expect(picomatch('out.{log,txt*')('out.log')).toBe(false);
    expect(globMatcher('a}.log')('a}.log')).toBe(true);
  });
});
