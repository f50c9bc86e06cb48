/**
 * File-name globs for log paths (`logs/*.jsonl`, `out.{log,txt}`): the tailer matches directory entries
 * against them. Pure; the tailer (src/adapters/tail.ts) does the watching and reading.
 */
import { MuxctlError } from './errors.js';

/** The pattern cannot be followed as given. */
export class LogPatternError extends MuxctlError {
  constructor(pattern: string, why: string) {
    super(`Cannot follow log path "${pattern}": ${why}`, 2);
  }
}

/**
 * A matcher for one file-name glob: `*`, `?`, `[abc]`, `[!abc]`, `{a,b}`. Like a shell, `*` and `?`
 * do not match a leading dot (editor swap and lock files), unless the pattern starts with one.
 */
export function globMatcher(glob: string): (name: string) => boolean {
  let source = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    const classEnd = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') {
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else if (c === '{') {
      braces++;
      source += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      source += ')';
    } else if (c === ',' && braces > 0) {
      source += '|';
    } else if (classEnd !== -1) {
      const body = glob.slice(i + 1, classEnd);
      const negated = body.startsWith('!') || body.startsWith('^');
      source += `[${negated ? '^' : ''}${(negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&')}]`;
      i = classEnd;
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  if (braces > 0) throw new LogPatternError(glob, 'a "{" has no matching "}".');
  const regex = new RegExp(`^${source}$`);
  const hidesDotfiles = !glob.startsWith('.');
  return (name) => (!hidesDotfiles || !name.startsWith('.')) && regex.test(name);
}
