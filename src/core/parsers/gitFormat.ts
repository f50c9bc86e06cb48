/**
 * Parsers for git's machine-readable output. Pure, so each format is tested on literal text copied
 * from git rather than on a live repository; the git adapter runs the commands and hands the text here.
 */

export interface WorktreeEntry {
  /** Absolute path as git recorded it (git stores the real path, e.g. /private/var/… on macOS). */
  path: string;
  /** Commit sha; forty zeros in a repository without commits. */
  head: string;
  /** Short branch name (`muxctl/w1`), or null when HEAD is detached (or the entry is bare). */
  branch: string | null;
  locked: boolean;
  /** git knows the directory is gone (git ≥ 2.31 reports it; older git never does). */
  prunable: boolean;
  bare: boolean;
}

/**
 * Parse `git worktree list --porcelain` (without -z, which needs git ≥ 2.36). Records are separated
 * by blank lines; each line is `key value` or a bare `key`. Paths with unusual characters come
 * C-quoted from git ≥ 2.36, so quoted values are unquoted.
 */
export function parseWorktreeList(text: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | null = null;
  for (const line of text.split('\n')) {
    if (line === '') {
      if (current) entries.push(current);
      current = null;
      continue;
    }
    const space = line.indexOf(' ');
    const key = space === -1 ? line : line.slice(0, space);
    const value = space === -1 ? '' : line.slice(space + 1);
    if (key === 'worktree') {
      if (current) entries.push(current);
      current = { path: unquoteCPath(value), head: '', branch: null, locked: false, prunable: false, bare: false };
      continue;
    }
    if (!current) continue; // a stray line before any `worktree` line: nothing to attach it to
    switch (key) {
      case 'HEAD':
        current.head = value;
        break;
      case 'branch':
        current.branch = value.startsWith('refs/heads/') ? value.slice('refs/heads/'.length) : value;
        break;
      case 'detached':
        current.branch = null;
        break;
      case 'bare':
        current.bare = true;
        break;
      case 'locked':
        current.locked = true;
        break;
      case 'prunable':
        current.prunable = true;
        break;
      default:
        break; // keys added by later git versions are ignored, not fatal
    }
  }
  if (current) entries.push(current);
  return entries;
}

/**
 * Paths from `git status --porcelain=v1 -z`: entries are `XY path` terminated by NUL; a rename or
 * copy (R or C in either column) is followed by one more NUL-terminated field, the original path,
 * which is skipped — the new path is the one in the worktree.
 */
export function parseStatusZ(text: string): string[] {
  const fields = text.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] ?? '';
    if (field.length < 4) continue; // the empty field after the final NUL
    const xy = field.slice(0, 2);
    paths.push(field.slice(3));
    if (xy.includes('R') || xy.includes('C')) i++;
  }
  return paths;
}

/** `git rev-list --left-right --count base...HEAD` prints `<left>\t<right>`: behind, then ahead. */
export function parseLeftRightCount(text: string): { behind: number; ahead: number } {
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!match) throw new Error(`unexpected output from git rev-list --left-right --count: ${JSON.stringify(text)}`);
  return { behind: Number(match[1]), ahead: Number(match[2]) };
}

/** `git version 2.39.5` (or `git version 2.39.3 (Apple Git-145)`) → [2, 39, 5]; null if unrecognised. */
export function parseGitVersion(text: string): [number, number, number] | null {
  const match = /git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function versionAtLeast(have: readonly number[], need: readonly number[]): boolean {
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

const C_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/**
 * Undo git's C-style path quoting (`"a\tb\303\251"`): escapes and octal bytes, the octal bytes
 * decoded together as UTF-8. Unquoted text is returned as is.
 */
export function unquoteCPath(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  // By code point, so a character outside the BMP is never split into lone surrogates.
  const chars = Array.from(value.slice(1, -1));
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch !== '\\') {
      bytes.push(...encoder.encode(ch));
      continue;
    }
    const next = chars[i + 1] ?? '';
    const octal = /^[0-7]{3}$/.exec(chars.slice(i + 1, i + 4).join(''));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(...encoder.encode(C_ESCAPES[next] ?? next));
      i += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
