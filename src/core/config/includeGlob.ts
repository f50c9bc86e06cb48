/**
 * Path patterns read like `.gitignore` lines: which of a checkout's files a pattern list names. Used for
 * `worktree.copy` and the `.worktreeinclude` file (the files copied into a new worktree). Pure; picomatch
 * does the matching.
 *
 * The rules, as in git: a pattern with no "/" but a trailing one matches at any depth (`.env` names
 * `.env` and `pkg/.env`); one with a "/" at its start or in its middle is taken from the root
 * (`/config/*.json`, `config/*.json`); a trailing "/" matches directories only; a matched directory
 * names everything under it; `*` does not cross a "/", `**` does; `!` before a pattern takes back what
 * an earlier one named (the last pattern that matches decides); `\#` and `\!` start a pattern with
 * those characters. Unlike git, `{a,b}` alternatives work, and a file can be taken back from inside a
 * named directory.
 */
import picomatch from 'picomatch';

const OPTIONS: picomatch.PicomatchOptions = {
  dot: true, // as in git, `*` names dot files: `*.local` names `.env.local`
  posix: true,
  noextglob: true,
  nonegate: true, // "!" is read here, per line
  windows: false,
};

interface Rule {
  negate: boolean;
  dirOnly: boolean;
  isMatch: (path: string) => boolean;
}

/** The patterns of an include file: one a line, blank lines and `#` comments left out, trailing spaces dropped. */
export function parseIncludeFile(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    patterns.push(line);
  }
  return patterns;
}

/** A pattern that could name a path outside the checkout ("..") is refused by the schema and skipped here. */
export function leavesCheckout(pattern: string): boolean {
  return pattern.replace(/^!/, '').split('/').includes('..');
}

/** Whether a relative path ("a/b/c.txt", "/" separated) is named by `patterns`, read as described above. */
export function includeMatcher(patterns: readonly string[]): (path: string) => boolean {
  const rules = patterns.filter((p) => !leavesCheckout(p)).map(compile).filter((rule): rule is Rule => rule !== null);
  return (path) => {
    const parts = path.split('/');
    let named = false;
    for (const rule of rules) {
      if (named === !rule.negate) continue; // this rule could not change the answer
      if (matchesPathOrParent(rule, parts)) named = !rule.negate;
    }
    return named;
  };
}

function matchesPathOrParent(rule: Rule, parts: readonly string[]): boolean {
  // A directory names everything under it: try each parent, then (unless the rule is for directories) the path.
  const last = rule.dirOnly ? parts.length - 1 : parts.length;
  for (let end = 1; end <= last; end++) if (rule.isMatch(parts.slice(0, end).join('/'))) return true;
  return false;
}

function compile(line: string): Rule | null {
  let pattern = line;
  const negate = pattern.startsWith('!');
  if (negate) pattern = pattern.slice(1);
  else if (pattern.startsWith('\\#') || pattern.startsWith('\\!')) pattern = pattern.slice(1);
  const dirOnly = pattern.endsWith('/');
  pattern = pattern.replace(/\/+$/, '');
  const anchored = pattern.includes('/');
  pattern = pattern.replace(/^\/+/, '');
  if (pattern === '') return null;
  // picomatch reads "(", ")" and "|" as a group even with noextglob: they are plain characters in a name.
  const glob = (anchored ? pattern : `**/${pattern}`).replace(/[()|]/g, '\\$&');
  const isMatch = picomatch(glob, OPTIONS);
  return { negate, dirOnly, isMatch: (path) => isMatch(path) };
}
