/**
 * File-name globs for log paths (`logs/*.jsonl`, `out.{log,txt}`): the tailer matches directory entries
 * against them. Pure; the tailer (src/adapters/tail.ts) does the watching and reading. picomatch does the
 * matching.
 */
import picomatch from 'picomatch';
import { MuxctlError } from '../errors.js';

/** The pattern cannot be followed as given. */
export class LogPatternError extends MuxctlError {
  constructor(pattern: string, why: string) {
    super(`Cannot follow log path "${pattern}": ${why}`, 2);
  }
}

const OPTIONS: picomatch.PicomatchOptions = {
  posix: true, // `[!0-9]` negates a class as in a shell (without it picomatch reads "!" as a member)
  noextglob: true, // `+(…)`, `@(…)`: literal characters, as a shell without extglob
  nonegate: true, // a leading "!" is part of the name
  windows: false, // the same on every platform (core is pure)
};

/**
 * A matcher for one file-name glob: `*`, `?`, `[abc]`, `[!abc]`, `{a,b}`. Like a shell, `*` and `?`
 * do not match a leading dot (editor swap and lock files), unless the pattern starts with one.
 */
export function globMatcher(glob: string): (name: string) => boolean {
  // picomatch matches a pattern with an unclosed "{" against nothing but its own text, so
  // `out.{log,txt` would follow nothing, silently: refuse it (test/unit/glob.test.ts).
  let braces = 0;
  for (const c of glob) {
    if (c === '{') braces++;
    else if (c === '}' && braces > 0) braces--;
  }
  if (braces > 0) throw new LogPatternError(glob, 'a "{" has no matching "}".');
  // picomatch passes "(", ")" and "|" to its regular expression as a group, even with noextglob, so
  // `out (*).log` would match `out 2.log` and not `out (2).log`: escape them (test/unit/glob.test.ts).
  const isMatch = picomatch(glob.replace(/[()|]/g, '\\$&'), OPTIONS);
  // One argument only: picomatch's matcher returns a (truthy) state object when given a second one,
  // which `names.filter(matcher)` does (the index).
  return (name) => isMatch(name);
}
